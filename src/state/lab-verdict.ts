// Whether a trained Lab model is worth keeping: its held-out error against plain cosine matching
// (no model) on the same held-out people, as a verdict and a sentence a person can act on.
import type { MethodEvaluation } from '../ml/siamese/compare';

export interface LabVerdict {
  /** 'worse' and 'same': keeping what is in use loses nothing; 'better': saving it is worth it. */
  kind: 'better' | 'same' | 'worse';
  /** Held-out EER of plain cosine and of the model. */
  before: number;
  after: number;
  message: string;
}

/** EERs closer than this are the same figure (they are shares of pairs; no real difference is this small). */
const SAME_EER = 1e-9;

/** "0 %", "1.4 %", "0.05 %": a held-out error rate as a sentence writes it. */
export function percent(x: number): string {
  const p = x * 100;
  if (p === 0) return '0 %';
  if (p < 0.1) return `${Number(p.toPrecision(1))} %`;
  return `${Number(p.toFixed(1))} %`;
}

/** The model's verdict against plain cosine (`baseline`), both measured on the same held-out people. */
export function labVerdict(model: Pick<MethodEvaluation, 'eer'>, baseline: Pick<MethodEvaluation, 'eer'>): LabVerdict {
  const before = baseline.eer;
  const after = model.eer;
  const from = percent(before);
  const to = percent(after);
  if (after > before + SAME_EER) {
    return {
      kind: 'worse',
      before,
      after,
      message: `This model is worse than using no model: held-out error rose from ${from} to ${to}. Keep the current one.`,
    };
  }
  if (after < before - SAME_EER) {
    return {
      kind: 'better',
      before,
      after,
      message: `This model makes fewer mistakes on people it never saw: held-out error fell from ${from} to ${to}.`,
    };
  }
  return {
    kind: 'same',
    before,
    after,
    message: `This model is no better than using no model: held-out error stays at ${to}. Keeping the current one loses nothing.`,
  };
}
