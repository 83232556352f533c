import { GalleryError } from '../db';
import { describe, expect, it, vi } from 'vitest';
import { createExploreStore } from './explore-store';
import { closed, fakes, liveView, patchResult, readyStore } from './explore-fakes.testing';

// The store is driven here with fake services: no tfjs work runs, so these tests are about what
// the store decides (when to call, what it keeps, which bitmaps it closes) and nothing else.

describe('explore store: network', () => {
  it('loads the network, shows its progress and picks a layer a few steps in', async () => {
    const f = fakes();
    const store = createExploreStore(f.services);
    const progress: (number | null)[] = [];
    store.subscribe((s) => progress.push(s.network.progress));
    await store.getState().chooseNetwork('vgg19-random');
    const s = store.getState();
    expect(progress).toContain(0.5);
    expect(s.network).toMatchObject({ status: 'ready', label: 'net vgg19-random', inputSize: null });
    expect(s.layer).toBe('conv3_1');
  });

  it('closes the network it replaces, and a load that lost the race', async () => {
    const f = fakes();
    const store = createExploreStore(f.services);
    await store.getState().chooseNetwork('vgg19-random');
    store.getState().setLayer('conv1_1');
    const first = store.getState().chooseNetwork('resnet50');
    await store.getState().chooseNetwork('faceres');
    await first;
    expect(f.handles.map((h) => [h.id, h.closed])).toEqual([
      ['vgg19-random', true],
      ['resnet50', true],
      ['faceres', false],
    ]);
    expect(store.getState().network).toMatchObject({ id: 'faceres', status: 'ready', inputSize: 224 });
    expect(store.getState().layer).toBe('conv1_1');
  });

  it('shows a failed load as a sentence', async () => {
    const f = fakes();
    f.services.networks.run = () => Promise.reject(new Error('The model could not be downloaded.'));
    const store = createExploreStore(f.services);
    await store.getState().chooseNetwork('resnet50');
    expect(store.getState().network).toMatchObject({ status: 'error', error: 'The model could not be downloaded.' });
  });
});

describe('explore store: image set', () => {
  it('loads the samples once however often it is asked', async () => {
    const f = fakes();
    const store = createExploreStore(f.services);
    await Promise.all([store.getState().loadSamples(), store.getState().loadSamples()]);
    await store.getState().loadSamples();
    expect(f.images.loadSamples).toHaveBeenCalledTimes(1);
    expect(store.getState().samples.map((s) => s.id)).toEqual(['s1', 's2']);
    expect(store.getState().samplesStatus).toBe('ready');
  });

  it('keeps dropped images that decode and shows why the others were refused', async () => {
    const { store } = await readyStore();
    await store.getState().addImages([new File([''], 'a.png'), new File([''], 'notes.txt')]);
    expect(store.getState().dropped.map((i) => i.id)).toEqual(['dropped-a.png']);
    expect(store.getState().imageError).toBe('"notes.txt" is not an image.');
    const dropped = store.getState().dropped[0]!;
    store.getState().removeImage(dropped.id);
    expect(store.getState().dropped).toEqual([]);
    expect(closed(dropped.bitmap)).toBe(true);
  });

  it('turns a locked gallery into what to do, and turns the option back off', async () => {
    const f = fakes();
    f.images.readGallery = () => Promise.reject(new GalleryError('locked', 'locked'));
    const store = createExploreStore(f.services);
    await store.getState().setUseGalleryFaces(true);
    expect(store.getState()).toMatchObject({ galleryStatus: 'error', useGalleryFaces: false });
    expect(store.getState().imageError).toMatch(/unlock it with your passphrase on the People page/);
  });

  it('says so when the gallery has no thumbnails', async () => {
    const f = fakes();
    f.images.readGallery = async () => [];
    const store = createExploreStore(f.services);
    await store.getState().setUseGalleryFaces(true);
    expect(store.getState().imageNotice).toMatch(/no face thumbnails yet/);
  });
});

describe('explore store: top patches', () => {
  it('ranks the whole set on the current layer, counts the run and closes the result it replaces', async () => {
    const { store, jobs } = await readyStore();
    await store.getState().addImages([new File([''], 'd.png')]);
    await store.getState().setUseGalleryFaces(true);
    await store.getState().computePatches();
    const request = vi.mocked(jobs.runTopPatches).mock.calls[0]![0];
    expect(request.layer.name).toBe('conv3_1');
    expect(request.channels).toBeNull();
    expect(request.feedSize).toBe(224);
    expect(request.images.map((i) => i.name)).toEqual(['s1', 's2', 'g1', 'dropped-d.png']);
    const first = store.getState().patches!;
    expect(store.getState()).toMatchObject({ patchStatus: 'done', patchRuns: 1, patchError: null });

    store.getState().setPatchOptions({ channelMode: 'chosen', channelText: '5, 7–8', feedSize: 64 });
    await store.getState().computePatches();
    expect(vi.mocked(jobs.runTopPatches).mock.calls[1]![0]).toMatchObject({ channels: [5, 7, 8], feedSize: 64 });
    expect(closed(first.units[0]!.patches[0]!.bitmap)).toBe(true);
    expect(store.getState().patchRuns).toBe(2);
  });

  it('refuses channel numbers the layer lacks without running, and an empty set', async () => {
    const { store, jobs } = await readyStore();
    store.getState().setPatchOptions({ channelMode: 'chosen', channelText: '40' });
    await store.getState().computePatches();
    expect(store.getState()).toMatchObject({ patchStatus: 'error', patchRuns: 1 });
    expect(store.getState().patchError).toMatch(/channels 0 to 31/);
    await store.getState().setUseSamples(false);
    store.getState().setPatchOptions({ channelMode: 'auto' });
    await store.getState().computePatches();
    expect(store.getState().patchError).toMatch(/image set is empty/);
    expect(jobs.runTopPatches).not.toHaveBeenCalled();
  });

  it('reports a run stopped before any image as stopped, and a failure as its sentence', async () => {
    const { store, jobs } = await readyStore();
    vi.mocked(jobs.runTopPatches).mockResolvedValueOnce(null);
    await store.getState().computePatches();
    expect(store.getState().patchStatus).toBe('stopped');
    vi.mocked(jobs.runTopPatches).mockRejectedValueOnce(new Error('Out of GPU memory.'));
    await store.getState().computePatches();
    expect(store.getState()).toMatchObject({ patchStatus: 'error', patchError: 'Out of GPU memory.', patchRuns: 2 });
  });

  it('passes the stop button to the run and ignores other actions while it runs', async () => {
    const { store, jobs } = await readyStore();
    let signal: AbortSignal | undefined;
    let finish = () => {};
    vi.mocked(jobs.runTopPatches).mockImplementationOnce(async (r, run) => {
      signal = run?.signal;
      run?.onProgress?.(1, 2);
      await new Promise<void>((resolve) => (finish = resolve));
      return patchResult(r.layer.name, [0], true);
    });
    const running = store.getState().computePatches();
    await vi.waitFor(() => expect(signal).toBeDefined());
    expect(store.getState()).toMatchObject({ patchStatus: 'running', patchProgress: { done: 1, total: 2 } });
    store.getState().setLayer('conv1_1');
    expect(store.getState().layer).toBe('conv3_1');
    store.getState().stopPatches();
    expect(signal!.aborted).toBe(true);
    finish();
    await running;
    expect(store.getState().patchStatus).toBe('stopped');
  });
});

describe('explore store: feature visualisation', () => {
  it('shows why it cannot run without starting it', async () => {
    const { store, jobs } = await readyStore();
    vi.mocked(jobs.featureVisProblem).mockReturnValueOnce('It needs the wasm backend gone.');
    await store.getState().startFeatureVis();
    expect(store.getState()).toMatchObject({ visStatus: 'error', visError: 'It needs the wasm backend gone.' });
    expect(jobs.runFeatureVis).not.toHaveBeenCalled();
  });

  it('plots every iteration and keeps only the newest picture open', async () => {
    const { store, jobs } = await readyStore();
    store.getState().setVisSettings({ channel: 3, iterations: 2 });
    const previews: (ImageBitmap | null)[] = [];
    store.subscribe((s) => previews.push(s.visPreview));
    await store.getState().startFeatureVis();
    expect(vi.mocked(jobs.runFeatureVis).mock.calls[0]![0].settings).toMatchObject({ channel: 3, iterations: 2 });
    const s = store.getState();
    expect(s.visStatus).toBe('done');
    expect(s.visRows.map((r) => r[0])).toEqual([1, 2]);
    const preview = previews.find((p) => p && p !== s.visPreview);
    expect(closed(preview)).toBe(true);
    expect(closed(s.visPreview)).toBe(false);
  });

  it('wraps a failure in a sentence', async () => {
    const { store, jobs } = await readyStore();
    vi.mocked(jobs.runFeatureVis).mockRejectedValueOnce(new Error('no gradient for op X'));
    await store.getState().startFeatureVis();
    expect(store.getState().visError).toBe('Feature visualisation failed: no gradient for op X');
  });
});

describe('explore store: activation maps', () => {
  it('draws a chosen image, on the patches’ units when asked, and closes the pictures it drops', async () => {
    const { store, jobs } = await readyStore();
    await store.getState().chooseLiveSource({ kind: 'image', id: 's2' });
    const call = vi.mocked(jobs.runActivationPicture).mock.calls[0]!;
    expect(call[1]).toBe(store.getState().samples[1]!.bitmap);
    expect(call[0].channels).toHaveLength(16);
    const first = store.getState().live!;

    await store.getState().computePatches();
    store.getState().setLiveOptions({ liveUnits: true });
    await vi.waitFor(() => expect(store.getState().live?.channels).toEqual([3, 1, 2]));
    expect(closed(first.bitmap)).toBe(true);

    const last = store.getState().live!;
    await store.getState().chooseLiveSource(null);
    expect(store.getState().live).toBeNull();
    expect(closed(last.bitmap)).toBe(true);
  });

  it('runs the camera loop until stopped, on the current layer', async () => {
    const { store, jobs, camera } = await readyStore();
    store.getState().startCameraActivations({} as HTMLVideoElement);
    expect(jobs.startCameraActivations).toHaveBeenCalledTimes(1);
    expect(store.getState()).toMatchObject({ liveRunning: true, liveSource: { kind: 'camera' } });
    store.getState().setLayer('conv1_1');
    const request = camera.request!()!;
    expect(request.layer.name).toBe('conv1_1');
    expect(request.channels).toEqual([0, 1, 2, 3]);
    camera.view(liveView(request));
    expect(store.getState().live?.layer).toBe('conv1_1');
    store.getState().stopLive();
    expect(camera.stop).toHaveBeenCalled();
    expect(store.getState().liveRunning).toBe(false);
  });
});
