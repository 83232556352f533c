import { describe, expect, it } from 'vitest';
import { labVerdict, percent } from './lab-verdict';

describe('the Lab verdict on a trained model', () => {
  it('calls a model worse when its held-out error is above plain cosine, and says to keep the current one', () => {
    const v = labVerdict({ eer: 0.014 }, { eer: 0 });
    expect(v).toMatchObject({ kind: 'worse', before: 0, after: 0.014 });
    expect(v.message).toBe(
      'This model is worse than using no model: held-out error rose from 0 % to 1.4 %. Keep the current one.',
    );
  });

  it('calls a model better only when its held-out error is lower', () => {
    expect(labVerdict({ eer: 0.05 }, { eer: 0.125 })).toMatchObject({
      kind: 'better',
      message: 'This model makes fewer mistakes on people it never saw: held-out error fell from 12.5 % to 5 %.',
    });
  });

  it('calls an equal error "no better"', () => {
    expect(labVerdict({ eer: 0.1 }, { eer: 0.1 }).kind).toBe('same');
    expect(labVerdict({ eer: 0 }, { eer: 0 }).message).toContain('no better than using no model');
  });

  it('writes rates without trailing zeros and keeps small ones visible', () => {
    expect(percent(0)).toBe('0 %');
    expect(percent(0.014)).toBe('1.4 %');
    expect(percent(0.1)).toBe('10 %');
    expect(percent(0.0005)).toBe('0.05 %');
  });
});
