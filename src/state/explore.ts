// The Explorer store as the app uses it, wired to the real services: networks from the model
// registry and the style networks, images from the served samples and the gallery, jobs on the
// current tfjs backend. Tests build their own store with fakes through createExploreStore.
import { createExploreJobs } from '../ml/explore/jobs';
import { createImageSetReader } from '../ml/explore/image-set';
import { createNetworkLoader } from '../ml/explore/networks';
import { loadLossNetwork } from '../ml/style/networks';
import { createExploreStore } from './explore-store';
import { useGallery } from './gallery';
import { registry, useModels } from './models';

export { createExploreStore, type ExploreServices } from './explore-store';
export * from './explore-types';
export { EXPLORE_NETWORKS, type ExploreLayer, type ExploreNetworkId } from '../ml/explore/networks';
export type { ImageOrigin, SetImage } from '../ml/explore/image-set';
export {
  liveUnitAt,
  parseChannels,
  PATCHES_PER_UNIT,
  UNITS_SHOWN,
  type FeatureVisRow,
  type FeatureVisSettings,
  type LiveView,
  type PatchResult,
  type PatchView,
  type UnitPatches,
} from '../ml/explore/views';

const baseUrl = import.meta.env.BASE_URL;

export const useExplore = createExploreStore({
  networks: createNetworkLoader({
    // The registry owns the graph model (Face ID uses it too); the Explorer's wrapper does not dispose it.
    loadFaceModel: (id) => useModels.getState().load(id),
    loadLossNetwork,
    lossNetworkOptions: async () => ({ baseUrl, manifest: (await registry.getManifest()) ?? undefined }),
  }),
  jobs: createExploreJobs(),
  images: createImageSetReader({
    baseUrl,
    async openGallery() {
      const g = await useGallery.getState().open();
      if (!g) throw new Error(useGallery.getState().error ?? 'The gallery could not be opened.');
      return g;
    },
  }),
});
