import { GalleryError } from '../db';
import { describe, expect, it, vi } from 'vitest';
import type { ImageSetReader, SetImage } from '../ml/explore/image-set';
import type { ActivationRequest, ExploreJobs, TopPatchRequest } from '../ml/explore/jobs';
import type { FigureRequest, SaliencyRequest } from '../ml/explore/layer-figure';
import type { FigureResult, LiveView, PatchResult, SaliencyView } from '../ml/explore/views';
import type { ExploreLayer, ExploreNetwork, ExploreNetworkId, NetworkLoader } from '../ml/explore/networks';
import type { ConvNetwork } from '../ml/nets/network';
import { createExploreStore, type ExploreServices } from './explore-store';

// The store is driven here with fake services: no tfjs work runs, so these tests are about what
// the store decides (when to call, what it keeps, which bitmaps it closes) and nothing else.

interface FakeBitmap {
  width: number;
  height: number;
  closed: boolean;
  close(): void;
}

function bitmap(): ImageBitmap & FakeBitmap {
  const b = { width: 8, height: 8, closed: false, close: () => (b.closed = true) };
  return b as unknown as ImageBitmap & FakeBitmap;
}

const closed = (b: ImageBitmap | null | undefined) => (b as unknown as FakeBitmap | null)?.closed;

const rf = { size: 10, jump: 2, start: 0 } as ExploreLayer['rf'];
const layer = (name: string, channels = 16, differentiable = true, size = rf.size): ExploreLayer => ({
  name,
  kind: 'conv',
  channels,
  rf: { ...rf, size },
  differentiable,
});

function figureResult(r: FigureRequest): FigureResult {
  return {
    network: 'net',
    fedSide: 224,
    layers: r.layers.map((l) => ({
      layer: l.name,
      rf: l.rf,
      patchSide: 8,
      units: [
        { channel: 5, mean: 1, patches: [{ bitmap: bitmap(), value: 2, imageName: 'a', row: 1, col: 2, source: 1 }] },
      ],
    })),
    images: r.images.length,
    fromCache: false,
    ms: 1,
    partial: false,
  };
}

function saliencyView(r: SaliencyRequest): SaliencyView {
  return {
    ...r,
    layer: r.layer.name,
    rf: r.layer.rf,
    value: 1,
    patch: bitmap(),
    map: bitmap(),
    overlay: bitmap(),
    inside: 1,
    ms: 1,
  };
}

function setImage(id: string, origin: SetImage['origin'] = 'sample'): SetImage {
  return { id, name: id, origin, bitmap: bitmap(), descriptor: { name: id, size: 1 } };
}

function patchResult(layerName: string, channels: number[], partial = false): PatchResult {
  return {
    network: 'net',
    layer: layerName,
    rf,
    fedSide: 64,
    patchSide: 10,
    units: channels.map((channel) => ({
      channel,
      mean: 1,
      patches: [{ bitmap: bitmap(), value: 2, imageName: 'a', row: 0, col: 0 }],
    })),
    images: 2,
    fromCache: false,
    ms: 1,
    partial,
  };
}

function liveView(request: ActivationRequest): LiveView {
  const layout = { rows: 1, columns: 1, tileHeight: 4, tileWidth: 4, gap: 1, height: 4, width: 4 };
  return { bitmap: bitmap(), layout, channels: request.channels, ms: 1, layer: request.layer.name };
}

function fakes() {
  const handles: (ExploreNetwork & { closed: boolean })[] = [];
  const networks: NetworkLoader = {
    async run(id: ExploreNetworkId, onProgress) {
      onProgress?.(0.5);
      const handle = {
        id,
        label: `net ${id}`,
        layers: [
          layer('conv1_1', 4, true, 3),
          layer('conv2_1'),
          layer('conv3_1', 32, true, 24),
          layer('conv4_1', 32, true, 60),
          layer('conv5_1', 32, true, 120),
          layer('conv5_2', 32, true, 150),
          layer('head', 8, false, 200),
        ],
        inputSize: id === 'faceres' ? 224 : null,
        net: {} as ConvNetwork,
        closed: false,
        close: () => (handle.closed = true),
      };
      handles.push(handle);
      return handle;
    },
    close: () => {},
  };
  const images: ImageSetReader = {
    loadSamples: vi.fn(async () => [setImage('s1'), setImage('s2')]),
    readGallery: vi.fn(async () => [setImage('g1', 'gallery')]),
    importFiles: vi.fn(async (files: readonly File[]) => ({
      added: files.filter((f) => f.name.endsWith('.png')).map((f) => setImage(`dropped-${f.name}`, 'dropped')),
      problems: files.filter((f) => !f.name.endsWith('.png')).map((f) => `"${f.name}" is not an image.`),
      notices: [],
    })),
  };
  const camera = { stop: vi.fn(), request: null as (() => ActivationRequest | null) | null, view: (_: LiveView) => {} };
  const jobs: ExploreJobs = {
    runTopPatches: vi.fn(async (r: TopPatchRequest) => patchResult(r.layer.name, r.channels ?? [3, 1, 2])),
    featureVisProblem: vi.fn(() => null),
    runFeatureVis: vi.fn(async (_r, run) => {
      run.onIteration?.([1, 0.5, 0.1, 3]);
      run.onPreview?.(bitmap());
      run.onIteration?.([2, 0.7, 0.1, 3]);
      return { bitmap: bitmap(), stoppedBy: 'done' as const };
    }),
    runActivationPicture: vi.fn(async (r: ActivationRequest) => liveView(r)),
    runLayerFigure: vi.fn(async (r: FigureRequest) => figureResult(r)),
    runSaliency: vi.fn(async (r: SaliencyRequest) => saliencyView(r)),
    startCameraActivations: vi.fn((_video, request, on) => {
      camera.request = request;
      camera.view = on.view;
      return camera;
    }),
    close: () => {},
  };
  const services: ExploreServices = { networks, jobs, images };
  return { services, handles, jobs, images, camera };
}

async function readyStore() {
  const f = fakes();
  const store = createExploreStore(f.services);
  await store.getState().chooseNetwork('vgg19-random');
  await store.getState().loadSamples();
  return { ...f, store };
}

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
