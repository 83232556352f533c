import { describe, expect, it } from 'vitest';
import { fedSize, parseChannels } from './views';

describe('fedSize and parseChannels', () => {
  it('scales the long side, or squares to a face network’s input', () => {
    expect(fedSize(200, 100, null, 64)).toEqual({ width: 64, height: 32 });
    expect(fedSize(200, 100, 256, 64)).toEqual({ width: 256, height: 256 });
  });

  it('reads lists and ranges, and refuses channels the layer lacks', () => {
    expect(parseChannels('3, 1 – 2, 3', 8)).toEqual([3, 1, 2]);
    expect(() => parseChannels('9', 8)).toThrow(/channels 0 to 7/);
    expect(() => parseChannels('x', 8)).toThrow(/not a channel number/);
  });
});
