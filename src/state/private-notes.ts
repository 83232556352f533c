// The private notes a Face Unlock (or the passcode) opens. They live in the gallery database
// (db/private-notes.ts): sealed with the gallery key while encryption is on, so with a locked gallery
// they cannot be read until the gallery is unlocked with its passphrase, whatever unlocked the page.
// Each save is one transaction; a save over another tab's newer notes is refused, not merged.
import { create } from 'zustand';
import type { Gallery } from '../db';
import { errorMessage } from '../ml/core/errors';
import { galleryLockedMessage, isGalleryLocked } from './gallery-locked';
import { useGallery } from './gallery';

export interface NotesServices {
  gallery(): Promise<Gallery | null>;
}

export interface NotesState {
  status: 'idle' | 'loading' | 'ready' | 'locked' | 'error';
  /** The text as last read or saved. */
  text: string;
  /** The version the next save must still find (null: no notes saved yet). */
  updated: number | null;
  /** Whether they are stored sealed with the gallery key. */
  encrypted: boolean;
  busy: boolean;
  error: string | null;
  notice: string | null;
  load(): Promise<void>;
  save(text: string): Promise<boolean>;
  /** Drops the text from memory (on "Lock again"). */
  forget(): void;
}

const LOCKED = galleryLockedMessage('read and save these notes, which are encrypted with it');

export function createNotesStore(services: NotesServices) {
  return create<NotesState>()((set, get) => ({
    status: 'idle',
    text: '',
    updated: null,
    encrypted: false,
    busy: false,
    error: null,
    notice: null,

    async load() {
      set({ status: 'loading', error: null, notice: null });
      try {
        const g = await services.gallery();
        if (!g) throw new Error('The notes cannot be opened: the gallery database could not be opened.');
        const notes = await g.readPrivateNotes();
        set({
          status: 'ready',
          text: notes?.text ?? '',
          updated: notes?.updated ?? null,
          encrypted: g.isEncrypted(),
        });
      } catch (e) {
        if (isGalleryLocked(e)) set({ status: 'locked', text: '', updated: null, encrypted: true, error: LOCKED });
        else set({ status: 'error', error: errorMessage(e) });
      }
    },

    async save(text) {
      if (get().status !== 'ready') return false;
      set({ busy: true, error: null, notice: null });
      try {
        const g = await services.gallery();
        if (!g) throw new Error('The notes cannot be saved: the gallery database could not be opened.');
        const saved = await g.savePrivateNotes(text, get().updated);
        const encrypted = g.isEncrypted();
        set({
          text: saved.text,
          updated: saved.updated,
          encrypted,
          notice: encrypted ? 'Saved, encrypted with the gallery key.' : 'Saved on this device.',
        });
        return true;
      } catch (e) {
        set({ error: isGalleryLocked(e) ? LOCKED : `${errorMessage(e)}` });
        return false;
      } finally {
        set({ busy: false });
      }
    },

    forget() {
      set({ status: 'idle', text: '', updated: null, error: null, notice: null });
    },
  }));
}

export const useNotes = createNotesStore({ gallery: () => useGallery.getState().open() });
