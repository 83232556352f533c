// Identify: 1:N recognition of every face in a photo or camera frame against the gallery.
import { create } from 'zustand';
import type { Box } from '../ml/face/decode';
import { decodeImageFile, type DecodedImage } from '../ml/runtime/image-file';
import { faceThreshold, useFaces, type FrameInput } from './faces';
import { useGallery, type MatchResult } from './gallery';
import type { FaceAnalysis } from '../ml/face/pipeline';
import { errorMessage } from '../ml/core/errors';

export interface IdentifiedFace {
  box: Box;
  name: string | null;
  identityId: string | null;
  /** The best score against the gallery; for an unknown face, whom it came from is not kept (a stranger is not told whom they resemble). */
  score: number;
}

/** What Identify needs from the rest of the app; tests pass fakes. */
export interface IdentifyServices {
  /** `found`: how many faces the detector found, more than `faces` when the face cap left some out. */
  analyse(source: FrameInput): Promise<{ faces: FaceAnalysis[]; found?: number; ms: number }>;
  match(embedding: Float32Array, modelId: string): Promise<MatchResult>;
  openGallery(): Promise<unknown>;
  threshold(): number;
  decode(file: File): Promise<DecodedImage>;
  /** A still copy of a camera frame, to show under the names. */
  snapshot(source: FrameInput): Promise<ImageBitmap>;
}

export interface IdentifyState {
  image: DecodedImage | null;
  faces: IdentifiedFace[] | null;
  /** How many faces the photo holds; more than `faces.length` when only the first were compared. */
  found: number | null;
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

export function createIdentifyStore(services: IdentifyServices) {
  let liveId = 0;
  return create<IdentifyState>()((set, get) => {
    function clearResult() {
      const old = get().image;
      set({ image: null, faces: null, found: null, ms: null });
      old?.bitmap.close();
    }

    async function run(source: FrameInput) {
      const { faces, found, ms } = await services.analyse(source);
      const threshold = services.threshold();
      const identified: IdentifiedFace[] = [];
      for (const face of faces) {
        const m = await services.match(face.embedding, face.modelId);
        const known = m.matched;
        identified.push({
          box: face.detection.box,
          name: known ? m.name : null,
          identityId: known ? m.identityId : null,
          score: m.score,
        });
      }
      set({ faces: identified, found: Math.max(found ?? 0, identified.length), threshold, ms });
    }

    return {
      image: null,
      faces: null,
      found: null,
      threshold: 0,
      busy: false,
      error: null,
      notice: null,
      ms: null,

      async identifyFile(file) {
        set({ busy: true, error: null, notice: null });
        try {
          await services.openGallery();
          let image: DecodedImage;
          try {
            image = await services.decode(file);
          } catch (e) {
            // The previous photo's names must not stand beside the refusal as if they were this file's.
            clearResult();
            throw e;
          }
          get().image?.bitmap.close();
          set({ image, faces: null, found: null, notice: image.notice });
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
          await services.openGallery();
          get().image?.bitmap.close();
          const bitmap = await services.snapshot(source);
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
            found: null,
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
}

export const useIdentify = createIdentifyStore({
  analyse: (source) => useFaces.getState().analyse(source),
  match: (embedding, modelId) => useGallery.getState().match(embedding, modelId, null, 'identify'),
  openGallery: () => useGallery.getState().open(),
  threshold: () => faceThreshold('identify'),
  decode: decodeImageFile,
  snapshot: (source) => createImageBitmap(source),
});
