import { describe, expect, it } from 'vitest';
import { errorMessage } from './errors';

describe('errorMessage', () => {
  it("gives an Error's sentence, a string as it is, and anything else as text", () => {
    expect(errorMessage(new RangeError('The image is too large: pick one under 8,000 px.'))).toBe(
      'The image is too large: pick one under 8,000 px.',
    );
    expect(errorMessage(new TypeError(''))).toBe('TypeError');
    expect(errorMessage('Camera denied.')).toBe('Camera denied.');
    expect(errorMessage(42)).toBe('42');
  });
});
