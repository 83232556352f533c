// Backups of the gallery: one sealed file out; one file in, checked, shown and confirmed, then
// merged or replacing, all or nothing.
//
// Restoring is a short conversation: read the file (progress) → if it is sealed, ask for its
// password → unless the seal is valid and the import only adds people, show a preview of who is
// added, changed and removed → write once the person confirms. Cancel at any step changes nothing.
import {
  GalleryError,
  checkBackupSeal,
  readBackup,
  type BackupFile,
  type BackupProgress,
  type Gallery,
  type ImportMode,
  type ImportPlan,
  type ImportPreview,
  type SealKeySource,
} from '../db';
import { errorMessage } from '../ml/core/errors';
import type { GalleryContext, GalleryState } from './gallery-store';

/** How far the preview can be trusted, in the words the preview uses (see `trustMessage`). */
export type RestoreTrust = 'valid' | 'unsealed' | 'old-version' | 'not-checked' | 'wrong-password' | 'changed';

export type RestoreState =
  | {
      step: 'password';
      fileName: string;
      mode: ImportMode;
      /** Which password the file asks for. */
      keySource: SealKeySource;
      /** Set after a wrong password. */
      problem: string | null;
    }
  | {
      step: 'preview';
      fileName: string;
      mode: ImportMode;
      trust: RestoreTrust;
      /** Why the seal could not be checked at all, when that is the reason for the preview. */
      sealProblem: string | null;
      preview: ImportPreview;
      /** Object URLs of the preview's thumbnails, by `previewThumbKey`. */
      thumbs: Record<string, string>;
    };

/** Where a preview thumbnail's URL is kept: a person added or removed, or one side of a change. */
export function previewThumbKey(side: 'add' | 'remove' | 'before' | 'after', id: string): string {
  return `${side}:${id}`;
}

export type BackupActions = Pick<
  GalleryState,
  'exportBackup' | 'importBackup' | 'checkRestorePassword' | 'previewRestore' | 'confirmRestore' | 'cancelRestore'
>;

export const WRONG_BACKUP_PASSWORD =
  'That password does not fit this backup. Type the password it was saved with; if you are sure it is right, the ' +
  'backup was changed after it was saved.';

const TRUST: Record<RestoreTrust, string> = {
  valid: 'The seal is intact: this is the backup exactly as it was saved.',
  unsealed: 'This backup has no seal, so Facet cannot tell whether anyone changed it after it was saved.',
  'old-version':
    'This backup was made by an older version of Facet, before backups were sealed, so Facet cannot tell whether ' +
    'anyone changed it after it was saved.',
  'not-checked': 'The password was not given, so Facet could not check whether anyone changed this backup.',
  'wrong-password':
    'The password did not fit, so Facet could not check whether anyone changed this backup after it was saved.',
  changed:
    'This backup was changed after it was saved: the password is right, but the contents are not the ones that ' +
    'were sealed. Someone may have added or swapped faces. Restore it only if you made the change yourself.',
};

/** The sentence the preview shows about the file's seal. */
export function trustMessage(trust: RestoreTrust): string {
  return TRUST[trust];
}

/** At most this often (ms) does progress reach the store, so the page re-renders little while it works. */
const PROGRESS_EVERY_MS = 100;

export function createBackupSlice(ctx: GalleryContext): BackupActions {
  const { set, get } = ctx;
  /** The file being restored and its plan: kept here, out of the store's state, until confirmed or cancelled. */
  let pending: { file: BackupFile; plan: ImportPlan | null } | null = null;

  /** Ends the restore conversation, letting go of the file and the preview's thumbnails. */
  function clearRestore() {
    pending = null;
    const restore = get().restore;
    if (restore?.step === 'preview') Object.values(restore.thumbs).forEach((url) => ctx.urls.revoke(url));
    if (restore !== null) set({ restore: null });
  }

  function thumbsOf(preview: ImportPreview): Record<string, string> {
    const thumbs: Record<string, string> = {};
    const add = (side: Parameters<typeof previewThumbKey>[0], p: { id: string; thumbnail: Blob | null }) => {
      if (p.thumbnail) thumbs[previewThumbKey(side, p.id)] = ctx.urls.create(p.thumbnail);
    };
    preview.add.forEach((p) => add('add', p));
    preview.remove.forEach((p) => add('remove', p));
    preview.change.forEach((c) => {
      add('before', c.before);
      add('after', c.after);
    });
    return thumbs;
  }

  function progress() {
    let last = 0;
    let stage = '';
    return (p: BackupProgress) => {
      const now = Date.now();
      if (p.stage === stage && p.done < p.total && now - last < PROGRESS_EVERY_MS) return;
      last = now;
      stage = p.stage;
      set({ backupProgress: p });
    };
  }

  function fail(e: unknown, prefix = 'The backup could not be read') {
    const reason = e instanceof GalleryError ? e.message : `${prefix}: ${errorMessage(e)}`;
    set({ error: `${reason} Nothing was changed.` });
  }

  async function task(busy: string, body: (g: Gallery) => Promise<void>): Promise<void> {
    const g = await get().open();
    if (!g) return;
    set({ busy, error: null, notice: null });
    try {
      await body(g);
    } catch (e) {
      clearRestore();
      fail(e);
    } finally {
      set({ busy: null, backupProgress: null });
    }
  }

  async function write(g: Gallery, plan: ImportPlan, confirmed: boolean): Promise<boolean> {
    const report = await g.applyImport(plan, { confirmed, onProgress: progress() });
    clearRestore();
    const { identities, templates } = report.added;
    set({
      notice: `Backup restored (${plan.mode}): ${identities.toLocaleString('en')} people and ${templates.toLocaleString('en')} templates added${
        report.skipped.identities ? `, ${report.skipped.identities.toLocaleString('en')} already present` : ''
      }.`,
    });
    // The write is done: a failed re-read is the list's problem, not the restore's.
    await get()
      .refresh()
      .catch((e: unknown) => set({ error: errorMessage(e) }));
    return true;
  }

  /** Plan against the gallery as it is now; write at once only when nothing needs a person's eyes. */
  async function planAndShow(g: Gallery, trust: RestoreTrust, mode: ImportMode, fileName: string) {
    if (!pending) return;
    set({ busy: 'Comparing the backup with the gallery…' });
    const plan = await g.planImport(pending.file, mode, { onProgress: progress() });
    pending.plan = plan;
    if (!plan.needsConfirmation) {
      set({ busy: 'Restoring the backup…' });
      await write(g, plan, false);
      return;
    }
    set({
      restore: {
        step: 'preview',
        fileName,
        mode,
        trust,
        sealProblem: pending.file.header.sealProblem,
        preview: plan.preview,
        thumbs: thumbsOf(plan.preview),
      },
    });
  }

  return {
    async exportBackup(password) {
      const g = await get().open();
      if (!g) return null;
      set({ busy: 'Saving the backup…', error: null, notice: null });
      try {
        const { bytes, fileName, mimeType } = await g.exportBackup({
          app: 'Facet',
          ...(password ? { password } : {}),
          onProgress: progress(),
        });
        set({
          notice: password
            ? 'The backup is saved and sealed with your password. Keep the file and the password apart.'
            : 'The backup is saved without a seal.',
        });
        return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType }), fileName };
      } catch (e) {
        set({ error: errorMessage(e) });
        return null;
      } finally {
        set({ busy: null, backupProgress: null });
      }
    },

    async importBackup(source, mode) {
      clearRestore();
      await task('Reading the backup…', async (g) => {
        const file = await readBackup(source, { onProgress: progress() });
        pending = { file, plan: null };
        const { header } = file;
        if (header.sealKey !== null) {
          set({ restore: { step: 'password', fileName: source.name, mode, keySource: header.sealKey, problem: null } });
          return;
        }
        await planAndShow(g, header.version < 2 ? 'old-version' : 'unsealed', mode, source.name);
      });
    },

    async checkRestorePassword(password) {
      const restore = get().restore;
      if (!pending || restore?.step !== 'password') return;
      const { fileName, mode } = restore;
      await task('Checking the password…', async (g) => {
        const result = await checkBackupSeal(pending!.file, password);
        if (result === 'wrong-password') {
          set({ restore: { ...restore, problem: WRONG_BACKUP_PASSWORD } });
          return;
        }
        await planAndShow(g, result, mode, fileName);
      });
    },

    async previewRestore() {
      const restore = get().restore;
      if (!pending || restore?.step !== 'password') return;
      const { fileName, mode } = restore;
      await task('Comparing the backup with the gallery…', (g) =>
        planAndShow(g, restore.problem ? 'wrong-password' : 'not-checked', mode, fileName),
      );
    },

    async confirmRestore() {
      const plan = pending?.plan;
      if (!plan || get().restore?.step !== 'preview') return false;
      let ok = false;
      await task('Restoring the backup…', async (g) => {
        ok = await write(g, plan, true);
      });
      return ok;
    },

    cancelRestore() {
      const wasOpen = get().restore !== null;
      clearRestore();
      if (wasOpen) set({ notice: 'The backup was not restored. Nothing was changed.', error: null });
    },
  };
}
