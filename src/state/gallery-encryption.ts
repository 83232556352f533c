// The gallery's passphrase: encrypting it, unlocking and locking it in this tab, and decrypting it
// for good. Every step ends by re-reading the gallery, since its names appear or vanish.
//
// Guesses are not free: each wrong passphrase in a row doubles the wait before the next may be
// tried (1 s, 2 s, 4 s … up to a minute), counted in IndexedDB so that a reload or another tab does
// not reset it (attempt-guard.ts). This slows guesses typed into the app; it cannot slow someone who
// copies the stored check value and guesses offline — only a long passphrase does (docs/security.md).
import { GalleryError, type Gallery } from '../db';
import { errorMessage } from '../ml/core/errors';
import { PASSPHRASE_MAX_WAIT_MS, wrongPassphrase } from './attempt-guard';
import type { GalleryContext, GalleryState } from './gallery-store';

type EncryptionActions = Pick<GalleryState, 'enableEncryption' | 'unlockGallery' | 'lockGallery' | 'disableEncryption'>;

const seconds = (ms: number) => Math.ceil(ms / 1000);

/** What follows "wrong passphrase": how long to wait, and why. */
export function passphraseWaitSentence(waitMs: number): string {
  return (
    `Wait ${seconds(waitMs)} s before the next try: each wrong passphrase in a row doubles the wait, ` +
    `up to ${PASSPHRASE_MAX_WAIT_MS / 1000} s.`
  );
}

export function createEncryptionSlice(ctx: GalleryContext): EncryptionActions {
  const { set, get } = ctx;
  const guard = ctx.services.passphraseGuard;

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

  /**
   * `encryptionTask` for an action that checks a passphrase against the stored one: refused while
   * an earlier wrong passphrase's wait runs (in any tab), a wrong one counted, a right one clearing the count.
   */
  async function passphraseTask(busy: string, action: (g: Gallery) => Promise<string>): Promise<boolean> {
    if (guard) {
      // Another tab may have counted a wrong passphrase since this one last heard.
      await guard.getState().refresh();
      const wait = guard.getState().waitMs(PASSPHRASE_MAX_WAIT_MS);
      if (wait > 0) {
        set({ error: `Too soon after a wrong passphrase. ${passphraseWaitSentence(wait)}`, notice: null });
        return false;
      }
    }
    return encryptionTask(busy, async (g) => {
      try {
        const notice = await action(g);
        await guard?.getState().succeed();
        return notice;
      } catch (e) {
        if (!guard || !(e instanceof GalleryError) || e.kind !== 'wrong-passphrase') throw e;
        await guard.getState().fail(wrongPassphrase);
        const wait = guard.getState().waitMs(PASSPHRASE_MAX_WAIT_MS);
        throw new GalleryError('wrong-passphrase', `${e.message} ${passphraseWaitSentence(wait)}`, { cause: e });
      }
    });
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
      passphraseTask('Deriving the key…', async (g) => {
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
      passphraseTask('Deriving the key… then decrypting the gallery.', async (g) => {
        await g.disableEncryption(passphrase);
        return 'Encryption is off: the gallery is stored in clear on this device again.';
      }),
  };
}
