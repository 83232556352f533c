// The Style Studio's store with the app's own services behind it: the style session on the running
// tfjs backend (loss networks from the app's origin, ResNet-50 through the model manifest), image
// files decoded in the browser, the built-in samples, camera stills and the studio database. The
// store itself is in style-store.ts; tests build theirs with fakes through createStyleStore.
import { studio } from '../db/studio';
import { decodeImageFile } from '../ml/runtime/image-file';
import { fetchSampleManifest, findSample, loadSampleFile } from '../ml/runtime/samples';
import { createAppStyleSession } from '../ml/style/worker-session';
import { registry } from './models';
import { useRuntime } from './runtime';
import { createStyleStore } from './style-store';
import type { StyleServices } from './style-types';

export * from './style-store';
export * from './style-types';

const baseUrl = import.meta.env.BASE_URL;

/** The page's backend once the runtime has started (the Style worker starts the same one). */
function pageBackend(): Promise<string | null> {
  return new Promise((resolve) => {
    const settled = (s: ReturnType<typeof useRuntime.getState>) => {
      if (s.status === 'ready') resolve(s.info?.name ?? null);
      else if (s.status === 'error') resolve(null);
      else return false;
      return true;
    };
    if (settled(useRuntime.getState())) return;
    const stop = useRuntime.subscribe((s) => settled(s) && stop());
  });
}

export const styleServices: StyleServices = {
  // The run happens in a background worker on the page's backend (or on the page when it cannot).
  session: createAppStyleSession({ baseUrl, manifest: () => registry.getManifest(), pageBackend }),
  decodeImage: (file) => decodeImageFile(file),
  async sampleFiles(styleId) {
    const entries = await fetchSampleManifest(baseUrl);
    const load = (id: string) => loadSampleFile(findSample(entries, id), baseUrl);
    const [content, style] = await Promise.all([load('portrait'), load(styleId)]);
    return { content, style };
  },
  snapshot: (video) => createImageBitmap(video),
  works: {
    list: async () => (await studio()).listWorks(),
    save: async (work) => (await studio()).saveWork(work),
    delete: async (id) => (await studio()).deleteWork(id),
  },
  newId: () => crypto.randomUUID(),
  objectUrl: { create: (blob) => URL.createObjectURL(blob), revoke: (url) => URL.revokeObjectURL(url) },
  now: () => Date.now(),
  storage: () => localStorage,
};

export const useStyle = createStyleStore(styleServices);
