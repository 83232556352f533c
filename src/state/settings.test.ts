import { beforeEach, describe, expect, it } from 'vitest';
import { applyBackendOverride, useSettings } from './settings';

describe('?backend= override', () => {
  beforeEach(() => useSettings.getState().reset());

  it('stores a valid backend, clears on auto, ignores nonsense', () => {
    applyBackendOverride('?backend=webgl');
    expect(useSettings.getState().backend).toBe('webgl');
    applyBackendOverride('?backend=cuda');
    expect(useSettings.getState().backend).toBe('webgl');
    applyBackendOverride('?other=1');
    expect(useSettings.getState().backend).toBe('webgl');
    applyBackendOverride('?backend=auto');
    expect(useSettings.getState().backend).toBeNull();
  });
});
