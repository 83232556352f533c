// The People gallery's store: opening the gallery, the list shown, and edits with undo. Enrolment
// (gallery-enrol.ts), matching (gallery-match.ts), backups (gallery-backup.ts) and the passphrase
// (gallery-encryption.ts) are slices of it. Everything outside the store comes in as
// `GalleryServices`, so a test drives it with fake-indexeddb and a fake face engine, and no tfjs;
// the app's services are wired in gallery.ts.
import { create, type StoreApi } from 'zustand';
import type { BackupProgress, DeletedIdentity, Gallery, IdentitySummary } from '../db';
import { errorMessage } from '../ml/core/errors';
import type { EmbedderId } from '../ml/face/embedder-specs';
import type { FaceAnalyser, ThumbnailDecoder } from '../ml/face/enrolment';
import type { Matcher, MatcherOptions, MatchingModel, PackedTemplates } from '../ml/face/matcher';
import type { DecodedImage } from '../ml/runtime/image-file';
import { createBackupSlice, type RestoreState } from './gallery-backup';
import { createEncryptionSlice } from './gallery-encryption';
import { createEnrolSlice } from './gallery-enrol';
import type { EnrolPrompt } from './gallery-enrol-prompt';
import { isGalleryLocked } from './gallery-locked';
import { createMatchSlice } from './gallery-match';
import type { AttemptGuard } from './attempt-guard';
import type { ThresholdUse } from './settings';

/** The closest enrolled person and their score (on the cosine scale); `matched` when it reaches the threshold. */
export interface MatchResult {
  identityId: string | null;
  name: string | null;
  score: number;
  matched: boolean;
}

export interface Undo {
  name: string;
  deleted: DeletedIdentity;
}

/** The gallery refuses shorter passphrases (db/crypto.ts); forms check it first to say so sooner. */
export const PASSPHRASE_MIN_LENGTH = 8;

/** 'off': stored in clear; 'locked': encrypted and the key is not in memory; 'unlocked': encrypted, key in memory. */
export type EncryptionState = 'off' | 'locked' | 'unlocked';

export interface GalleryState {
  status: 'closed' | 'opening' | 'ready' | 'error';
  error: string | null;
  identities: IdentitySummary[];
  /**
   * One object URL per identity for its newest thumbnail: for the first people in the list and those
   * a list asked for with `showThumbnails`, not for all of them (100,000 would take minutes).
   */
  thumbs: Record<string, string>;
  busy: string | null;
  notice: string | null;
  undo: Undo | null;
  encryption: EncryptionState;
  /** How many people a locked gallery holds (their names stay sealed until it is unlocked). */
  lockedCount: number;
  open(): Promise<Gallery | null>;
  refresh(): Promise<void>;
  /**
   * Enrolls `name` from a photo. Without a name yet the photo is kept (`photoAwaitingName`) rather
   * than dropped, and `enrollAwaitingPhoto` goes on with it once the name is typed.
   */
  enrollFromFile(name: string, file: File): Promise<boolean>;
  /** The file name of a photo chosen before a name was typed, kept for `enrollAwaitingPhoto`. */
  photoAwaitingName: string | null;
  enrollAwaitingPhoto(name: string): Promise<boolean>;
  forgetAwaitingPhoto(): void;
  /** Adds a template (and thumbnail) from one more photo of an enrolled person. */
  addPhoto(identityId: string, file: File): Promise<boolean>;
  enrollFromCamera(name: string, video: HTMLVideoElement, frames?: number): Promise<boolean>;
  /**
   * A question enrolment waits on (which face; enroll a look-alike anyway?); the enrol actions
   * above resolve false while it is open, and the answer's action resolves true once stored.
   */
  enrolPrompt: EnrolPrompt | null;
  /** Answers 'choose-face' with the face at `index` of the prompt's faces. */
  chooseEnrolFace(index: number): Promise<boolean>;
  /** Answers 'lookalike': enroll anyway. */
  confirmEnrol(): Promise<boolean>;
  /** Ends the open question without storing anything. */
  cancelEnrol(): void;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  undoRemove(): Promise<void>;
  /** Loads the thumbnails of these people (the rows a list shows), if not loaded yet. */
  showThumbnails(ids: readonly string[]): Promise<void>;
  /** Progress of a backup being saved or restored. */
  backupProgress: BackupProgress | null;
  /** A restore waiting for its password or for the person to confirm its preview. */
  restore: RestoreState | null;
  /** Sealed with `password` (the gallery passphrase when it is encrypted); no password, no seal. */
  exportBackup(password?: string): Promise<{ blob: Blob; fileName: string } | null>;
  /** Reads the file, then asks for its password or shows its preview (`restore`), or restores it at once. */
  importBackup(file: File, mode: 'merge' | 'replace'): Promise<void>;
  checkRestorePassword(password: string): Promise<void>;
  /** Shows the preview without checking the seal (the password is not at hand). */
  previewRestore(): Promise<void>;
  confirmRestore(): Promise<boolean>;
  cancelRestore(): void;
  /**
   * Best identity for a probe; `use` picks the threshold (Unlock's, or Identify's looser one).
   * Throws a GalleryError of kind 'locked' while the gallery is encrypted and locked.
   */
  match(embedding: Float32Array, modelId: string, identityId?: string | null, use?: ThresholdUse): Promise<MatchResult>;
  /** Each resolves true on success; failures are shown through `error`. */
  enableEncryption(passphrase: string): Promise<boolean>;
  unlockGallery(passphrase: string): Promise<boolean>;
  lockGallery(): Promise<void>;
  disableEncryption(passphrase: string): Promise<boolean>;
  /** Add templates of the active model made from an identity's stored thumbnails. */
  reembed(identityId: string): Promise<boolean>;
  /** `reembed` for everyone who has no template of the active model. */
  reembedAll(): Promise<boolean>;
  clearMessages(): void;
}

/** What the gallery store needs from the rest of the app. */
export interface GalleryServices {
  openGallery(): Promise<Gallery>;
  /** The active embedder and its engine (which loads tfjs on first use, not before). */
  embedderId(): EmbedderId;
  engine: FaceAnalyser;
  /** Set after an update changed the default embedder, until the gallery has re-embedded once. */
  upgradePending(): boolean;
  clearUpgrade(): void;
  decodeImage(file: File): Promise<DecodedImage>;
  decodeThumbnail: ThumbnailDecoder;
  /** The matcher (src/ml/face/matcher.ts), loaded with tfjs only when something is matched. */
  createMatcher(templates: PackedTemplates, options: MatcherOptions): Promise<Matcher>;
  /** The Lab model adopted for matching (settings), and its loader. */
  adoptedModelId(): string | null;
  loadAdoptedModel(id: string): Promise<MatchingModel>;
  /** The threshold in force for the active embedder. */
  threshold(use: ThresholdUse): number;
  /** The running tfjs backend's name, which decides where the matcher searches. */
  backend(): string;
  /** Object URLs for thumbnails; the browser's unless a test gives its own. */
  objectUrls?: { create(blob: Blob): string; revoke(url: string): void };
  /** Wrong passphrases in a row and the wait they earn, shared by tabs (attempt-guard.ts); absent: no waits. */
  passphraseGuard?: AttemptGuard;
  /** How long the camera enrolment looks for faces, and its clock; real time unless a test says. */
  camera?: { timeoutMs?: number; now?(): number; pause?(): Promise<void> };
}

/** What the slices share: the store, its services and the few steps more than one of them takes. */
export interface GalleryContext {
  services: GalleryServices;
  /** Object URLs for thumbnails (the browser's, or a test's). */
  urls: { create(blob: Blob): string; revoke(url: string): void };
  set: StoreApi<GalleryState>['setState'];
  get(): GalleryState;
  /** Bumped on every refresh, so the matcher knows when the templates may have changed. */
  revision(): number;
  /** Drops the matcher: it holds decrypted templates, which must not outlive a lock. */
  dropIndex(): void;
  /** Re-reads the gallery after an action, whatever its outcome, and ends the busy state. */
  refreshAfter(): Promise<void>;
  /** Brings the shown state (e.g. 'locked') up to date without waiting; its failures are not the caller's. */
  refreshInBackground(): void;
  upgradeAfterModelChange(): Promise<void>;
}

function encryptionOf(g: Gallery): EncryptionState {
  if (!g.isEncrypted()) return 'off';
  return g.isLocked() ? 'locked' : 'unlocked';
}

/** Thumbnails loaded with the list, before any row asks: the first page of a list. */
export const THUMBNAILS_UP_FRONT = 50;

const browserUrls = {
  create: (blob: Blob) => URL.createObjectURL(blob),
  revoke: (url: string) => URL.revokeObjectURL(url),
};

export function createGalleryStore(services: GalleryServices) {
  const urls = services.objectUrls ?? browserUrls;
  return create<GalleryState>()((set, get) => {
    let gallery: Promise<Gallery> | null = null;
    let watched: Gallery | null = null;
    let revision = 0;
    /** The people whose thumbnails are shown (or were asked for); refresh reloads theirs. */
    const thumbsWanted = new Set<string>();
    const loadThumbs = async (g: Gallery, ids: string[]) => {
      const thumbs: Record<string, string> = {};
      const newest = await g.newestThumbnails(ids).catch(() => new Map<string, { blob: Blob }>());
      for (const [id, t] of newest) thumbs[id] = urls.create(t.blob);
      return thumbs;
    };

    const ctx: GalleryContext = {
      services,
      urls,
      set,
      get,
      revision: () => revision,
      dropIndex: () => matching.dropIndex(),
      async refreshAfter() {
        try {
          await get().refresh();
        } catch (e) {
          set({ error: errorMessage(e) });
        } finally {
          set({ busy: null });
        }
      },
      refreshInBackground() {
        get()
          .refresh()
          .catch(() => undefined);
      },
      upgradeAfterModelChange: () => enrol.upgradeAfterModelChange(),
    };
    const matching = createMatchSlice(ctx);
    const enrol = createEnrolSlice(ctx);

    return {
      status: 'closed',
      error: null,
      identities: [],
      thumbs: {},
      busy: null,
      notice: null,
      undo: null,
      encryption: 'off',
      lockedCount: 0,
      enrolPrompt: null,
      photoAwaitingName: null,
      backupProgress: null,
      restore: null,

      async open() {
        gallery ??= services.openGallery();
        if (get().status === 'closed') set({ status: 'opening' });
        try {
          const g = await gallery;
          if (watched !== g) {
            // Another tab's writes (enrolments, edits, imports, encryption) re-read the list here.
            watched = g;
            g.onChangeElsewhere(() => ctx.refreshInBackground());
          }
          if (get().status !== 'ready') {
            set({ status: 'ready', error: null });
            await get().refresh();
            void ctx.upgradeAfterModelChange();
          }
          return g;
        } catch (e) {
          gallery = null;
          set({ status: 'error', error: errorMessage(e) });
          return null;
        }
      },

      async refresh() {
        const g = await gallery;
        if (!g) return;
        let identities: IdentitySummary[];
        let lockedCount = 0;
        try {
          identities = await g.listIdentities();
        } catch (e) {
          // Names are sealed while the gallery is locked; counting needs no key.
          if (!isGalleryLocked(e)) throw e;
          identities = [];
          lockedCount = (await g.count()).identities;
        }
        const encryption = encryptionOf(g);
        if (encryption === 'locked') ctx.dropIndex();
        const present = new Set(identities.map((i) => i.id));
        for (const id of thumbsWanted) if (!present.has(id)) thumbsWanted.delete(id);
        for (const identity of identities.slice(0, THUMBNAILS_UP_FRONT)) thumbsWanted.add(identity.id);
        const thumbs = await loadThumbs(g, [...thumbsWanted]);
        Object.values(get().thumbs).forEach((url) => urls.revoke(url));
        revision++;
        set({ identities, thumbs, encryption, lockedCount });
      },

      async showThumbnails(ids) {
        const g = await gallery;
        const missing = ids.filter((id) => !thumbsWanted.has(id));
        if (!g || missing.length === 0) return;
        missing.forEach((id) => thumbsWanted.add(id));
        const loaded = await loadThumbs(g, missing);
        const current = get().thumbs;
        for (const id of Object.keys(loaded)) if (current[id]) urls.revoke(current[id]);
        set({ thumbs: { ...current, ...loaded } });
      },

      async rename(id, name) {
        const g = await get().open();
        if (!g) return;
        try {
          await g.rename(id, name);
          await get().refresh();
        } catch (e) {
          set({ error: errorMessage(e) });
        }
      },

      async remove(id) {
        const g = await get().open();
        if (!g) return;
        try {
          const name = get().identities.find((i) => i.id === id)?.name ?? 'Identity';
          get().undo?.deleted.discard();
          const deleted = await g.deleteIdentity(id);
          set({ undo: { name, deleted }, notice: null });
          await get().refresh();
        } catch (e) {
          set({ error: errorMessage(e) });
        }
      },

      async undoRemove() {
        const undo = get().undo;
        if (!undo) return;
        try {
          await undo.deleted.undo();
          set({ undo: null, notice: `${undo.name} is restored.` });
          await get().refresh();
        } catch (e) {
          set({ undo: null, error: errorMessage(e) });
        }
      },

      clearMessages() {
        set({ error: null, notice: null });
      },

      match: matching.match,
      ...enrol.actions,
      ...createBackupSlice(ctx),
      ...createEncryptionSlice(ctx),
    };
  });
}
