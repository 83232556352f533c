// The Explorer store's image set: the built-in samples, the gallery's face thumbnails and the
// user's own files, as actions of the one Explorer store (kept apart so each file holds one concern).
import { errorMessage } from '../ml/core/errors';
import type { ExploreServices } from './explore-store';
import type { ExploreState } from './explore-types';
import { galleryLockedMessage, isGalleryLocked } from './gallery-locked';

type ImageActions = Pick<
  ExploreState,
  'loadSamples' | 'setUseSamples' | 'setUseGalleryFaces' | 'addImages' | 'removeImage' | 'clearDropped'
>;

export function createImageActions(
  services: ExploreServices,
  ctx: { get(): ExploreState; set(patch: Partial<ExploreState>): void; busy(): boolean },
): ImageActions {
  const { get, set, busy } = ctx;
  let samplesLoading: Promise<void> | null = null;
  return {
    loadSamples() {
      if (get().samplesStatus === 'ready') return Promise.resolve();
      // One load for every caller: the page asks on mount and a run may ask again before it ends.
      samplesLoading ??= (async () => {
        set({ samplesStatus: 'loading' });
        try {
          set({ samples: await services.images.loadSamples(), samplesStatus: 'ready' });
        } catch (e) {
          set({ samplesStatus: 'error', imageError: errorMessage(e) });
        } finally {
          samplesLoading = null;
        }
      })();
      return samplesLoading;
    },

    async setUseSamples(on) {
      if (busy()) return;
      set({ useSamples: on });
      if (on) await get().loadSamples();
    },

    async setUseGalleryFaces(on) {
      if (busy()) return;
      set({ useGalleryFaces: on, imageError: null });
      if (!on || get().galleryStatus === 'loading') return;
      set({ galleryStatus: 'loading' });
      try {
        const images = await services.images.readGallery();
        get().galleryImages.forEach((i) => i.bitmap.close());
        set({
          galleryImages: images,
          galleryStatus: 'ready',
          imageNotice: images.length === 0 ? 'The gallery has no face thumbnails yet: enrol people first.' : null,
        });
      } catch (e) {
        set({
          galleryStatus: 'error',
          useGalleryFaces: false,
          imageError: isGalleryLocked(e)
            ? galleryLockedMessage('use its face thumbnails')
            : `The gallery’s face thumbnails could not be read: ${errorMessage(e)}`,
        });
      }
    },

    async addImages(files) {
      if (busy()) return;
      set({ imageError: null, imageNotice: null });
      const { added, problems, notices } = await services.images.importFiles(files);
      set({
        dropped: [...get().dropped, ...added],
        imageError: problems.length ? problems.join(' ') : null,
        imageNotice: notices.length ? notices.join(' ') : null,
      });
    },

    removeImage(id) {
      if (busy()) return;
      const image = get().dropped.find((i) => i.id === id);
      const source = get().liveSource;
      if (source?.kind === 'image' && source.id === id) void get().chooseLiveSource(null);
      image?.bitmap.close();
      set({ dropped: get().dropped.filter((i) => i.id !== id) });
    },

    clearDropped() {
      if (busy()) return;
      const source = get().liveSource;
      if (source?.kind === 'image' && get().dropped.some((i) => i.id === source.id)) void get().chooseLiveSource(null);
      get().dropped.forEach((i) => i.bitmap.close());
      set({ dropped: [] });
    },
  };
}
