// Test-only: fake services for the Explorer store's tests (no tfjs work runs), shared by
// explore.test.ts and explore-figure.test.ts.
import { vi } from 'vitest';
import type { ImageSetReader, SetImage } from '../ml/explore/image-set';
import type { ActivationRequest, ExploreJobs, TopPatchRequest } from '../ml/explore/jobs';
import type { FigureRequest, SaliencyRequest } from '../ml/explore/layer-figure';
import type { FigureResult, LiveView, PatchResult, SaliencyView } from '../ml/explore/views';
import type { ExploreLayer, ExploreNetwork, ExploreNetworkId, NetworkLoader } from '../ml/explore/networks';
import type { ConvNetwork } from '../ml/nets/network';
import { createExploreStore, type ExploreServices } from './explore-store';

interface FakeBitmap {
  width: number;
  height: number;
  closed: boolean;
  close(): void;
}

export function bitmap(): ImageBitmap & FakeBitmap {
  const b = { width: 8, height: 8, closed: false, close: () => (b.closed = true) };
  return b as unknown as ImageBitmap & FakeBitmap;
}

export const closed = (b: ImageBitmap | null | undefined) => (b as unknown as FakeBitmap | null)?.closed;

export const rf = { size: 10, jump: 2, start: 0 } as ExploreLayer['rf'];
export const layer = (name: string, channels = 16, differentiable = true, size = rf.size): ExploreLayer => ({
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

export function setImage(id: string, origin: SetImage['origin'] = 'sample'): SetImage {
  return { id, name: id, origin, bitmap: bitmap(), descriptor: { name: id, size: 1 } };
}

export function patchResult(layerName: string, channels: number[], partial = false): PatchResult {
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

export function liveView(request: ActivationRequest): LiveView {
  const layout = { rows: 1, columns: 1, tileHeight: 4, tileWidth: 4, gap: 1, height: 4, width: 4 };
  return { bitmap: bitmap(), layout, channels: request.channels, ms: 1, layer: request.layer.name };
}

export function fakes() {
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

export async function readyStore() {
  const f = fakes();
  const store = createExploreStore(f.services);
  await store.getState().chooseNetwork('vgg19-random');
  await store.getState().loadSamples();
  return { ...f, store };
}
