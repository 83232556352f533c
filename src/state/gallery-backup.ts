// Backups of the gallery: one file out, and one file in, merged or replacing, all or nothing.
import { GalleryError } from '../db';
import { errorMessage } from '../ml/core/errors';
import type { GalleryContext, GalleryState } from './gallery-store';

export function createBackupSlice({ set, get }: GalleryContext): Pick<GalleryState, 'exportBackup' | 'importBackup'> {
  return {
    async exportBackup() {
      const g = await get().open();
      if (!g) return null;
      try {
        const { bytes, fileName, mimeType } = await g.exportBackup({ app: 'Facet' });
        return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType }), fileName };
      } catch (e) {
        set({ error: errorMessage(e) });
        return null;
      }
    },

    async importBackup(file, mode) {
      const g = await get().open();
      if (!g) return false;
      set({ busy: 'Restoring the backup…', error: null, notice: null });
      try {
        const report = await g.importBackup(file, { mode });
        const { identities, templates } = report.added;
        set({
          notice: `Backup restored (${mode}): ${identities} people and ${templates} templates added${
            report.skipped.identities ? `, ${report.skipped.identities} already present` : ''
          }.`,
        });
        await get().refresh();
        return true;
      } catch (e) {
        const reason = e instanceof GalleryError ? e.message : `The backup could not be read: ${errorMessage(e)}`;
        set({ error: `${reason} Nothing was changed.` });
        return false;
      } finally {
        set({ busy: null });
      }
    },
  };
}
