import { describe, expect, it, vi } from 'vitest';
import type { ExploreNetworkId } from '../ml/explore/networks';
import { createExploreStore } from './explore-store';
import { closed, fakes, readyStore } from './explore-fakes.testing';

// The layer-by-layer figure's part of the Explorer store, with the same fake services.

describe('explore store: the layer-by-layer figure', () => {
  it('opens on a trained network, FaceRes', () => {
    const store = createExploreStore(fakes().services);
    expect(store.getState().networkId).toBe('faceres');
    expect(store.getState().network.id).toBe('faceres');
  });

  it('asks before a network that must be downloaded, stating its size, and loads it once agreed', async () => {
    const f = fakes();
    const downloadSize = vi.fn(async (id: ExploreNetworkId) => (id === 'resnet50' ? 102_000_000 : null));
    const store = createExploreStore({ ...f.services, downloadSize });
    await store.getState().chooseNetwork('faceres');
    await store.getState().chooseNetwork('resnet50');
    expect(store.getState().pendingDownload).toEqual({ id: 'resnet50', bytes: 102_000_000 });
    // Nothing loaded yet: the shown network is still FaceRes.
    expect(f.handles.map((h) => h.id)).toEqual(['faceres']);
    expect(store.getState().network).toMatchObject({ id: 'faceres', status: 'ready' });
    store.getState().cancelDownload();
    expect(store.getState().pendingDownload).toBeNull();
    await store.getState().chooseNetwork('resnet50');
    await store.getState().confirmDownload();
    expect(store.getState().pendingDownload).toBeNull();
    expect(store.getState().network).toMatchObject({ id: 'resnet50', status: 'ready' });
  });

  it('ranks five layers with growing fields over a pool of crops of the set, and explains a clicked patch', async () => {
    const { store, jobs } = await readyStore();
    store.getState().setPoolLevel(5);
    await store.getState().computeFigure();
    const s = store.getState();
    expect(s.figureStatus).toBe('done');
    expect(s.figureRuns).toBe(1);
    const request = vi.mocked(jobs.runLayerFigure).mock.calls[0]![0];
    // Two samples, five crops each.
    expect(request.images).toHaveLength(10);
    expect(s.poolSize).toBe(10);
    // Five layers through the ones gradients reach, fields growing.
    expect(request.layers.map((l) => l.name)).toEqual(['conv1_1', 'conv2_1', 'conv4_1', 'conv5_1', 'conv5_2']);
    expect(s.figure!.layers).toHaveLength(5);

    await store.getState().explainPatch({ layer: 2, unit: 0, patch: 0 });
    const sal = vi.mocked(jobs.runSaliency).mock.calls[0]![0];
    expect(sal).toMatchObject({ channel: 5, row: 1, col: 2 });
    expect(sal.layer.name).toBe('conv4_1');
    // The patch's own pool image: the second crop of the first sample.
    expect(sal.image).toBe(request.images[1]);
    expect(store.getState().saliency).not.toBeNull();
    expect(store.getState().saliencyTarget).toEqual({ layer: 2, unit: 0, patch: 0 });

    // A new run replaces the figure and closes what it showed, saliency included.
    const old = store.getState().figure!;
    const oldSaliency = store.getState().saliency!;
    await store.getState().computeFigure();
    expect(closed(old.layers[0]!.units[0]!.patches[0]!.bitmap)).toBe(true);
    expect(closed(oldSaliency.overlay)).toBe(true);
    expect(store.getState().saliency).toBeNull();

    // Another network clears the figure.
    const shown = store.getState().figure!;
    await store.getState().chooseNetwork('faceres');
    expect(store.getState().figure).toBeNull();
    expect(closed(shown.layers[4]!.units[0]!.patches[0]!.bitmap)).toBe(true);
  });

  it('adds a crop around each face found for a face network, and says what to do when the set is empty', async () => {
    const f = fakes();
    const findFaces = vi.fn(async () => [{ top: 1, left: 1, height: 5, width: 5 }]);
    const store = createExploreStore({ ...f.services, findFaces });
    await store.getState().chooseNetwork('faceres');
    store.getState().setPoolLevel(1);
    await store.getState().computeFigure();
    // Two samples: a face crop and the whole picture each; the faces are searched once per picture.
    expect(vi.mocked(f.jobs.runLayerFigure).mock.calls[0]![0].images).toHaveLength(4);
    await store.getState().computeFigure();
    expect(findFaces).toHaveBeenCalledTimes(2);

    await store.getState().setUseSamples(false);
    await store.getState().computeFigure();
    expect(store.getState().figureStatus).toBe('error');
    expect(store.getState().figureError).toMatch(/image set is empty/);
  });

  it('caps the pool at a limit, spread evenly over it', async () => {
    const f = fakes();
    const store = createExploreStore({ ...f.services, poolLimit: 3 });
    await store.getState().chooseNetwork('vgg19-random');
    store.getState().setPoolLevel(5);
    await store.getState().computeFigure();
    const pool = vi.mocked(f.jobs.runLayerFigure).mock.calls[0]![0].images;
    expect(pool.map((i) => i.name)).toEqual(['s1 (crop 1)', 's1 (crop 4)', 's2 (crop 2)']);
  });

  it('shows a failed saliency map as a sentence', async () => {
    const { store, jobs } = await readyStore();
    await store.getState().computeFigure();
    vi.mocked(jobs.runSaliency).mockRejectedValueOnce(new Error('no gradient here'));
    await store.getState().explainPatch({ layer: 0, unit: 0, patch: 0 });
    expect(store.getState().saliencyStatus).toBe('error');
    expect(store.getState().saliencyError).toMatch(/saliency map failed: no gradient here/);
  });
});
