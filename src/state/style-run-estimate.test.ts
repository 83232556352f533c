import { describe, expect, it } from 'vitest';
import { BUILT_IN_VALUES_PER_PIXEL } from '../ml/style/run-estimate';
import { setup, withInputs } from './style-fakes.testing';
import { paceKey, paceOf, selectRunEstimate } from './style-types';

describe('the estimate before Start', () => {
  it('plans sizes, tiles and memory at once, and time only after a run with this network and backend', async () => {
    const { store, session } = setup();
    await withInputs(store); // an 8×8 photo
    store.getState().setSettings({ size: 64, iterations: 10, tileSize: 0 });
    const before = selectRunEstimate(store.getState(), 'wasm')!;
    expect(before.stages).toEqual([{ width: 64, height: 64, iterations: 10 }]);
    expect(before.peakBytes).toBe(64 * 64 * (BUILT_IN_VALUES_PER_PIXEL['vgg19-random'] + 3) * 3 * 4);
    expect(before.ms).toBeNull();

    const started = store.getState().start();
    await new Promise((r) => setTimeout(r, 0));
    const run = session.runs[0]!;
    const stage = { index: 0, count: 1, width: 64, height: 64 };
    // The first iteration (start-up) is left out of the pace: 40 ms over 64×64 px.
    run.callbacks.onIteration!([1, 10, 4, 5, 1, 900, 2, 3], stage);
    run.callbacks.onIteration!([2, 8, 3, 4, 1, 40, 2, 2], stage);
    run.finish({});
    await started;
    expect(store.getState().pace?.msPerPixel).toBeCloseTo(40 / (64 * 64), 12);

    store.getState().setSettings({ size: 128, tileSize: 64 });
    const after = selectRunEstimate(store.getState(), store.getState().pace!.key.split('@')[1])!;
    expect(after.tiled?.tiles).toBe(9); // 3 × 3 tiles of 64 px overlapping by 16
    expect(after.ms).toBeCloseTo(64 * 64 * 5 * (40 / 4096) + 9 * 64 * 64 * 5 * (40 / 4096), 6);
    // Another backend has not been measured: no time.
    expect(selectRunEstimate(store.getState(), 'something-else')!.ms).toBeNull();
  });

  it('has nothing to say without a photo', () => {
    const { store } = setup();
    expect(selectRunEstimate(store.getState(), 'wasm')).toBeNull();
  });
});

describe('paceOf', () => {
  it('is null without rows and keyed by network and backend', () => {
    expect(paceOf([], { index: 0, count: 1, width: 8, height: 8 })).toBeNull();
    expect(paceKey('resnet50', 'webgpu')).toBe('resnet50@webgpu');
  });
});
