// "The gallery is locked", said one way: how a failure is recognised as that, and the sentence a
// person reads, wherever the app finds its templates or names sealed.
import { GalleryError } from '../db';

/** Whether `e` is the gallery refusing because it is encrypted and its key is not in this tab. */
export function isGalleryLocked(e: unknown): e is GalleryError {
  return e instanceof GalleryError && e.kind === 'locked';
}

/** The one sentence for a locked gallery, ending in what unlocking it is for ("match faces"). */
export function galleryLockedMessage(purpose: string): string {
  return `The gallery is locked: unlock it with your passphrase on the People page to ${purpose}.`;
}

/** The error a store throws when it needs the gallery's key and has none. */
export function galleryLockedError(purpose: string, cause?: unknown): GalleryError {
  return new GalleryError('locked', galleryLockedMessage(purpose), cause === undefined ? undefined : { cause });
}
