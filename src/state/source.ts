import { create } from 'zustand';
import { decodeImageFile, type DecodedImage } from '../ml/runtime/image-file';
import { errorMessage } from '../ml/core/errors';

/** The still image a page works on when the camera is not used (chosen or dropped). */
interface SourceState {
  image: DecodedImage | null;
  notice: string | null;
  error: string | null;
  busy: boolean;
  openImage(file: File): Promise<DecodedImage | null>;
  clear(): void;
}

/** The image store over `decode` (src/ml/runtime/image-file.ts); tests pass a fake. */
export function createImageSourceStore(decode: (file: File) => Promise<DecodedImage>) {
  return create<SourceState>()((set, get) => ({
    image: null,
    notice: null,
    error: null,
    busy: false,

    async openImage(file) {
      set({ busy: true, error: null, notice: null });
      try {
        const image = await decode(file);
        get().image?.bitmap.close();
        set({ image, notice: image.notice, busy: false });
        return image;
      } catch (e) {
        // The previous image stays: a bad file must not lose what the user already had.
        set({ error: errorMessage(e), busy: false });
        return null;
      }
    },

    clear() {
      get().image?.bitmap.close();
      set({ image: null, notice: null, error: null });
    },
  }));
}

export const useImageSource = createImageSourceStore(decodeImageFile);
