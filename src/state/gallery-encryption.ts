// The gallery's passphrase: encrypting it, unlocking and locking it in this tab, and decrypting it
// for good. Every step ends by re-reading the gallery, since its names appear or vanish.
import type { Gallery } from '../db';
import { errorMessage } from '../ml/core/errors';
import type { GalleryContext, GalleryState } from './gallery-store';

type EncryptionActions = Pick<GalleryState, 'enableEncryption' | 'unlockGallery' | 'lockGallery' | 'disableEncryption'>;

export function createEncryptionSlice(ctx: GalleryContext): EncryptionActions {
  const { set, get } = ctx;

  /** Runs a passphrase action with busy text, then says what happened and refreshes. */
  async function encryptionTask(busy: string, action: (g: Gallery) => Promise<string>): Promise<boolean> {
    const g = await get().open();
    if (!g) return false;
    set({ busy, error: null, notice: null });
    try {
      set({ notice: await action(g) });
      return true;
    } catch (e) {
      set({ error: errorMessage(e) });
      return false;
    } finally {
      await ctx.refreshAfter();
      // An upgrade that waited for the key can run now.
      void ctx.upgradeAfterModelChange();
    }
  }

  return {
    enableEncryption: (passphrase) =>
      encryptionTask('Deriving the key… then encrypting the gallery.', async (g) => {
        await g.enableEncryption(passphrase);
        return (
          'The gallery is encrypted. It stays unlocked in this tab until you lock it or reload the page; ' +
          'after that, unlock it with your passphrase.'
        );
      }),

    unlockGallery: (passphrase) =>
      encryptionTask('Deriving the key…', async (g) => {
        await g.unlock(passphrase);
        return 'The gallery is unlocked in this tab.';
      }),

    async lockGallery() {
      const g = await get().open();
      if (!g) return;
      g.lock();
      ctx.dropIndex();
      set({ error: null, notice: 'The gallery is locked. Unlock it with your passphrase to use it again.' });
      await ctx.refreshAfter();
    },

    disableEncryption: (passphrase) =>
      encryptionTask('Deriving the key… then decrypting the gallery.', async (g) => {
        await g.disableEncryption(passphrase);
        return 'Encryption is off: the gallery is stored in clear on this device again.';
      }),
  };
}
