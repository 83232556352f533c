// Identify: 1:N recognition of every face in a photo or camera frame against the gallery.
import { create } from 'zustand';
import type { Box } from '../ml/face/decode';
import { decodeImageFile, type DecodedImage } from '../ml/runtime/image-file';
import { faceThreshold, useFaces, type FrameInput } from './faces';
import { useGallery } from './gallery';
import { errorMessage } from '../ml/core/errors';

export interface IdentifiedFace {
  box: Box;
  name: string | null;
  identityId: string | null;
  score: number;
  /** The closest identity even when below the threshold, for the score display only. */
  closest: string | null;
}

interface IdentifyState {
  image: DecodedImage | null;
  faces: IdentifiedFace[] | null;
  threshold: number;
  busy: boolean;
  error: string | null;
  notice: string | null;
  ms: number | null;
  identifyFile(file: File): Promise<void>;
  identifyFrame(source: FrameInput): Promise<void>;
  /** Identifies camera frames one after another until stopped. */
  live: boolean;
  startLive(video: HTMLVideoElement): void;
  stopLive(): void;
}

let liveId = 0;

export const useIdentify = create<IdentifyState>()((set, get) => {
  async function run(source: FrameInput) {
    const { faces, ms } = await useFaces.getState().analyse(source);
    const gallery = useGallery.getState();
    const threshold = faceThreshold('identify');
    const identified: IdentifiedFace[] = [];
    for (const face of faces) {
      const m = await gallery.match(face.embedding, face.modelId, null, 'identify');
      const known = m.matched;
      identified.push({
        box: face.detection.box,
        name: known ? m.name : null,
        identityId: known ? m.identityId : null,
        score: m.score,
        closest: m.name,
      });
    }
    set({ faces: identified, threshold, ms });
  }

  return {
    image: null,
    faces: null,
    threshold: 0,
    busy: false,
    error: null,
    notice: null,
    ms: null,

    async identifyFile(file) {
      set({ busy: true, error: null, notice: null });
      try {
        await useGallery.getState().open();
        const image = await decodeImageFile(file);
        get().image?.bitmap.close();
        set({ image, faces: null, notice: image.notice });
        await run(image.bitmap);
      } catch (e) {
        set({ error: errorMessage(e) });
      } finally {
        set({ busy: false });
      }
    },

    live: false,

    startLive(video) {
      const id = ++liveId;
      set({ live: true });
      void (async () => {
        while (liveId === id) {
          await get().identifyFrame(video);
          if (get().error) break;
          await new Promise((r) => setTimeout(r, 100));
        }
        if (liveId === id) set({ live: false });
      })();
    },

    stopLive() {
      liveId++;
      set({ live: false });
    },

    async identifyFrame(source) {
      set({ busy: true, error: null, notice: null });
      try {
        await useGallery.getState().open();
        get().image?.bitmap.close();
        const bitmap = await createImageBitmap(source);
        set({
          image: {
            bitmap,
            name: 'Camera frame',
            width: bitmap.width,
            height: bitmap.height,
            originalWidth: bitmap.width,
            originalHeight: bitmap.height,
            notice: null,
          },
          faces: null,
        });
        await run(bitmap);
      } catch (e) {
        set({ error: errorMessage(e) });
      } finally {
        set({ busy: false });
      }
    },
  };
});
