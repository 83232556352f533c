import { describe, expect, it } from 'vitest';
import { cameraErrorFrom } from './camera';

const dom = (name: string, message = '') => Object.assign(new Error(message), { name });

describe('cameraErrorFrom', () => {
  it.each([
    ['NotAllowedError', 'denied', /denied/],
    ['SecurityError', 'denied', /denied/],
    ['NotFoundError', 'no-camera', /No camera was found/],
    ['OverconstrainedError', 'no-camera', /No camera was found/],
    ['NotReadableError', 'in-use', /in use by another application/],
    ['AbortError', 'in-use', /in use/],
    ['TypeError', 'unknown', /could not be started/],
  ])('%s → %s', (name, kind, text) => {
    const e = cameraErrorFrom(dom(name, 'x'));
    expect(e.kind).toBe(kind);
    expect(e.message).toMatch(text);
    // Every message ends with something the user can do.
    expect(e.message).toMatch(/(try again|Connect a webcam|Close the other app)/);
  });
});
