// The gallery of enrolled people: enrollment from a photo or the camera, edits with undo,
// backup and restore, and the search index that Unlock and Identify match against.
import { create } from 'zustand';
import { GalleryError, openGallery, type DeletedIdentity, type Gallery, type IdentitySummary } from '../db';
import { studio } from '../db/studio';
import { EMBEDDERS } from '../ml/face/embedder-specs';
import type { FaceAnalysis } from '../ml/face/pipeline';
import type { Matcher, MatchingModel } from '../ml/face/matcher';
import { decodeImageFile } from '../ml/runtime/image-file';
import type { HeadRecord } from '../ml/siamese/head';
import type { PairClassifierRecord } from '../ml/siamese/pair-classifier';
import { faceThreshold, useFaces, type FrameInput } from './faces';
import { useRuntime } from './runtime';
import { useSettings, type ThresholdUse } from './settings';
import { errorMessage } from '../ml/core/errors';

/** The closest enrolled person and their score (on the cosine scale); `matched` when it reaches the threshold. */
export interface MatchResult {
  identityId: string | null;
  name: string | null;
  score: number;
  matched: boolean;
}

interface Undo {
  name: string;
  deleted: DeletedIdentity;
}

/** The gallery refuses shorter passphrases (db/crypto.ts); forms check it first to say so sooner. */
export const PASSPHRASE_MIN_LENGTH = 8;

/** 'off': stored in clear; 'locked': encrypted and the key is not in memory; 'unlocked': encrypted, key in memory. */
export type EncryptionState = 'off' | 'locked' | 'unlocked';

interface GalleryState {
  status: 'closed' | 'opening' | 'ready' | 'error';
  error: string | null;
  identities: IdentitySummary[];
  /** One object URL per identity, for its newest thumbnail. */
  thumbs: Record<string, string>;
  busy: string | null;
  notice: string | null;
  undo: Undo | null;
  encryption: EncryptionState;
  /** How many people a locked gallery holds (their names stay sealed until it is unlocked). */
  lockedCount: number;
  open(): Promise<Gallery | null>;
  refresh(): Promise<void>;
  enrollFromFile(name: string, file: File): Promise<boolean>;
  /** Adds a template (and thumbnail) from one more photo of an enrolled person. */
  addPhoto(identityId: string, file: File): Promise<boolean>;
  enrollFromCamera(name: string, video: HTMLVideoElement, frames?: number): Promise<boolean>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  undoRemove(): Promise<void>;
  exportBackup(): Promise<{ blob: Blob; fileName: string } | null>;
  importBackup(file: File, mode: 'merge' | 'replace'): Promise<boolean>;
  /** Throws a GalleryError of kind 'locked' while the gallery is encrypted and locked. */
  /** Best identity for a probe; `use` picks the threshold (Unlock's, or Identify's looser one). */
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

let gallery: Promise<Gallery> | null = null;
/** The matcher over the active model's templates, rebuilt when they or the adopted Lab model change. */
let index: { modelId: string; revision: number; labId: string | null; matcher: Matcher } | null = null;
let revision = 0;

let adopted: { id: string; model: Promise<MatchingModel> } | null = null;

async function loadAdopted(id: string): Promise<MatchingModel> {
  const stored = await (await studio()).getModel(id);
  const threshold = stored?.metrics?.threshold;
  if (!stored || typeof threshold !== 'number') {
    throw new Error('The Lab model chosen for matching is gone or has no threshold: roll back on the Lab page.');
  }
  const base = { id, modelId: stored.modelId, threshold };
  // The Lab's networks (and tfjs) load only when a Lab model is adopted.
  if (stored.kind === 'head') {
    const { EmbeddingHead } = await import('../ml/siamese/head');
    return { ...base, head: EmbeddingHead.fromRecord(stored.data as HeadRecord), classifier: null };
  }
  const { PairClassifier } = await import('../ml/siamese/pair-classifier');
  return { ...base, head: null, classifier: PairClassifier.fromRecord(stored.data as PairClassifierRecord) };
}

/** The adopted Lab model if it was trained on `modelId`'s embeddings; never applied to another model's. */
async function adoptedFor(modelId: string): Promise<MatchingModel | null> {
  const id = useSettings.getState().adoptedLabModelId;
  if (adopted?.id !== id) {
    void adopted?.model.then((m) => (m.head ?? m.classifier)?.dispose()).catch(() => undefined);
    adopted = id ? { id, model: loadAdopted(id) } : null;
  }
  if (!adopted) return null;
  const current = adopted;
  try {
    const model = await current.model;
    return model.modelId === modelId ? model : null;
  } catch (e) {
    if (adopted === current) adopted = null; // so that the next attempt reads the record again
    throw e;
  }
}

const LOCKED_FOR_MATCHING = 'The gallery is locked: unlock it with your passphrase on the People page, then try again.';

function isLockedError(e: unknown): e is GalleryError {
  return e instanceof GalleryError && e.kind === 'locked';
}

function encryptionOf(g: Gallery): EncryptionState {
  if (!g.isEncrypted()) return 'off';
  return g.isLocked() ? 'locked' : 'unlocked';
}

/** Drop the in-memory search index: it holds decrypted templates, which must not outlive a lock. */
function dropIndex(): void {
  index?.matcher.close();
  index = null;
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/**
 * Embed an identity's thumbnails (160×160 aligned face crops) with the active model and store the
 * results as new templates, without new thumbnails. A thumbnail with no face found is skipped.
 */
async function reembedIdentity(
  g: Gallery,
  identityId: string,
  progress: (done: number, total: number) => void,
): Promise<{ added: number; thumbnails: number }> {
  const modelId = useFaces.getState().embedderId;
  const thumbnails = await g.thumbnails(identityId);
  let added = 0;
  for (const [i, thumbnail] of thumbnails.entries()) {
    progress(i, thumbnails.length);
    const bitmap = await createImageBitmap(thumbnail.blob);
    try {
      const face = (await useFaces.getState().analyse(bitmap, 1)).faces[0];
      if (!face) continue;
      if (face.modelId !== modelId) {
        throw new Error('The face recognition model was changed while re-embedding; run it again.');
      }
      await g.addTemplate(identityId, {
        embedding: face.embedding,
        modelId: face.modelId,
        quality: face.quality.score,
        source: 'photo',
      });
      added++;
    } finally {
      bitmap.close();
    }
  }
  return { added, thumbnails: thumbnails.length };
}

const REENROLL = 'Delete and enroll them again with a photo or the camera.';

/** The face to enroll from a photo: the largest, if it is good enough. */
function pickEnrollmentFace(faces: FaceAnalysis[], label: string): FaceAnalysis {
  if (faces.length === 0)
    throw new Error(`No face was found in ${label}. Use a photo where the face is clear and frontal.`);
  const largest = [...faces].sort((a, b) => b.detection.box.height - a.detection.box.height)[0]!;
  if (largest.quality.score < 0.25) {
    throw new Error(
      `The face in ${label} is not good enough to enroll${largest.quality.reasons.length ? `: ${largest.quality.reasons.join(' ')}` : '.'}`,
    );
  }
  return largest;
}

/**
 * One photo → one template: decode, find the largest good face, then write the template (and
 * its thumbnail) for the identity that `target` returns — created only once the face is known
 * to be usable, so a bad photo never leaves an empty identity behind.
 */
async function addFromFile(
  file: File,
  busy: string,
  target: (g: Gallery) => Promise<string>,
  done: (extra: string) => string,
): Promise<boolean> {
  const store = useGallery;
  const g = await store.getState().open();
  if (!g) return false;
  store.setState({ busy, error: null, notice: null });
  try {
    const image = await decodeImageFile(file);
    try {
      const { faces, thumbnails } = await useFaces.getState().analyseWithThumbnails(image.bitmap);
      const face = pickEnrollmentFace(faces, `"${image.name}"`);
      const identityId = await target(g);
      await g.addTemplate(
        identityId,
        { embedding: face.embedding, modelId: face.modelId, quality: face.quality.score, source: 'photo' },
        { blob: thumbnails[faces.indexOf(face)]!, width: 160, height: 160 },
      );
      const extra = faces.length > 1 ? ` ${faces.length} faces were found; the largest was used.` : '';
      store.setState({ notice: done(`${extra}${image.notice ? ` ${image.notice}` : ''}`) });
    } finally {
      image.bitmap.close();
    }
    await store.getState().refresh();
    return true;
  } catch (e) {
    store.setState({ error: errorMessage(e) });
    return false;
  } finally {
    store.setState({ busy: null });
  }
}

export const useGallery = create<GalleryState>()((set, get) => ({
  status: 'closed',
  error: null,
  identities: [],
  thumbs: {},
  busy: null,
  notice: null,
  undo: null,
  encryption: 'off',
  lockedCount: 0,

  async open() {
    gallery ??= openGallery();
    if (get().status === 'closed') set({ status: 'opening' });
    try {
      const g = await gallery;
      if (get().status !== 'ready') {
        set({ status: 'ready', error: null });
        await get().refresh();
        void upgradeAfterModelChange();
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
      if (!isLockedError(e)) throw e;
      identities = [];
      lockedCount = (await g.count()).identities;
    }
    const encryption = encryptionOf(g);
    if (encryption === 'locked') dropIndex();
    const thumbs: Record<string, string> = {};
    for (const identity of identities) {
      const list = await g.thumbnails(identity.id).catch(() => []);
      const newest = list.at(-1);
      if (newest) thumbs[identity.id] = URL.createObjectURL(newest.blob);
    }
    Object.values(get().thumbs).forEach((url) => URL.revokeObjectURL(url));
    revision++;
    set({ identities, thumbs, encryption, lockedCount });
  },

  async enrollFromFile(name, file) {
    return addFromFile(
      file,
      `Enrolling ${name}…`,
      async (g) => (await g.addIdentity(name)).id,
      (extra) => `${name} is enrolled from one photo.${extra}`,
    );
  },

  async addPhoto(identityId, file) {
    const name = get().identities.find((i) => i.id === identityId)?.name ?? 'this person';
    return addFromFile(
      file,
      `Adding a photo of ${name}…`,
      async () => identityId,
      (extra) => `A photo was added to ${name}.${extra}`,
    );
  },

  async enrollFromCamera(name, video, frames = 3) {
    const g = await get().open();
    if (!g) return false;
    set({ busy: `Enrolling ${name}: look at the camera and turn your head a little…`, error: null, notice: null });
    try {
      // Keep frames whose embeddings differ from those kept so far, so the templates cover
      // some variation of pose and expression rather than one moment repeated.
      const kept: { face: FaceAnalysis; thumb: Blob }[] = [];
      const deadline = performance.now() + 20_000;
      while (kept.length < frames && performance.now() < deadline) {
        const { faces, thumbnails } = await useFaces.getState().analyseWithThumbnails(video as FrameInput, 1);
        const face = faces[0];
        if (face && face.quality.score >= 0.3) {
          const distinct = kept.every(({ face: k }) => {
            let dot = 0;
            for (let i = 0; i < k.embedding.length; i++) dot += k.embedding[i]! * face.embedding[i]!;
            return dot < 0.995;
          });
          if (distinct || kept.length === 0) kept.push({ face, thumb: thumbnails[0]! });
        }
        set({ busy: `Enrolling ${name}: ${kept.length} of ${frames} good frames…` });
        await new Promise((r) => setTimeout(r, 150));
      }
      if (kept.length === 0)
        throw new Error('No clear face was seen in 20 seconds. Face the camera in good light and try again.');
      const identity = await g.addIdentity(name);
      for (const { face, thumb } of kept) {
        await g.addTemplate(
          identity.id,
          { embedding: face.embedding, modelId: face.modelId, quality: face.quality.score, source: 'webcam' },
          { blob: thumb, width: 160, height: 160 },
        );
      }
      set({ notice: `${name} is enrolled from ${kept.length} camera frame${kept.length > 1 ? 's' : ''}.` });
      await get().refresh();
      return true;
    } catch (e) {
      set({ error: errorMessage(e) });
      return false;
    } finally {
      set({ busy: null });
    }
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

  async match(embedding, modelId, identityId, use = 'unlock') {
    const g = await get().open();
    if (!g) return { identityId: null, name: null, score: 0, matched: false };
    if (g.isLocked()) {
      dropIndex();
      if (get().encryption !== 'locked') refreshInBackground();
      throw new GalleryError('locked', LOCKED_FOR_MATCHING);
    }
    const lab = await adoptedFor(modelId);
    const labId = lab?.id ?? null;
    if (!index || index.modelId !== modelId || index.revision !== revision || index.labId !== labId) {
      dropIndex();
      let packed;
      try {
        packed = await g.templatesForModel(modelId);
      } catch (e) {
        // Encryption was turned on in another tab: this tab holds no key for it.
        if (!isLockedError(e)) throw e;
        refreshInBackground();
        throw new GalleryError('locked', LOCKED_FOR_MATCHING, { cause: e });
      }
      const { createMatcher } = await import('../ml/face/matcher');
      const matcher = await createMatcher(
        { identityIds: packed.identityIds, matrix: packed.matrix, dim: packed.dim || embedding.length },
        { backend: useRuntime.getState().info?.name ?? 'cpu', model: lab },
      );
      index = { modelId, revision, labId, matcher };
    }
    const threshold = faceThreshold(use);
    const decision = identityId
      ? await index.matcher.verify(embedding, identityId, threshold)
      : await index.matcher.identify(embedding, threshold);
    const id = decision.identityId ?? decision.closestId;
    const name = get().identities.find((i) => i.id === id)?.name ?? null;
    return { identityId: id, name, score: decision.score, matched: decision.identityId != null };
  },

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
    dropIndex();
    set({ error: null, notice: 'The gallery is locked. Unlock it with your passphrase to use it again.' });
    await refreshAfter();
  },

  disableEncryption: (passphrase) =>
    encryptionTask('Deriving the key… then decrypting the gallery.', async (g) => {
      await g.disableEncryption(passphrase);
      return 'Encryption is off: the gallery is stored in clear on this device again.';
    }),

  async reembed(identityId) {
    const g = await get().open();
    if (!g) return false;
    const identity = get().identities.find((i) => i.id === identityId);
    if (!identity) {
      set({ error: 'That person is no longer in the gallery.', notice: null });
      return false;
    }
    const model = EMBEDDERS[useFaces.getState().embedderId].name;
    set({ busy: `Re-embedding ${identity.name} with ${model}…`, error: null, notice: null });
    try {
      const { added, thumbnails } = await reembedIdentity(g, identityId, (done, total) =>
        set({ busy: `Re-embedding ${identity.name} with ${model}: thumbnail ${done + 1} of ${total}…` }),
      );
      if (added === 0) {
        throw new Error(
          thumbnails === 0
            ? `${identity.name} has no stored thumbnails to make a ${model} template from. ${REENROLL}`
            : `No face was found in ${identity.name}'s ${plural(thumbnails, 'thumbnail')}, so no ${model} ` +
                `template was made. ${REENROLL}`,
        );
      }
      set({ notice: `${identity.name} now has ${plural(added, `${model} template`)} made from their thumbnails.` });
      return true;
    } catch (e) {
      set({ error: errorMessage(e) });
      return false;
    } finally {
      await refreshAfter();
    }
  },

  async reembedAll() {
    const g = await get().open();
    if (!g) return false;
    const modelId = useFaces.getState().embedderId;
    const model = EMBEDDERS[modelId].name;
    const missing = get().identities.filter((i) => !i.templatesByModel[modelId]);
    if (missing.length === 0) {
      set({ error: null, notice: `Everyone already has a ${model} template.` });
      return true;
    }
    const everyone = plural(missing.length, 'person', 'people');
    set({ busy: `Re-embedding ${everyone} with ${model}…`, error: null, notice: null });
    let templates = 0;
    let people = 0;
    const noFace: string[] = [];
    const noThumbnails: string[] = [];
    const summary = () => `${plural(templates, `${model} template`)} added for ${plural(people, 'person', 'people')}.`;
    try {
      for (const [n, identity] of missing.entries()) {
        const { added, thumbnails } = await reembedIdentity(g, identity.id, (done, total) =>
          set({
            busy:
              `Re-embedding with ${model}: ${identity.name} (${n + 1} of ${missing.length}), ` +
              `thumbnail ${done + 1} of ${total}…`,
          }),
        );
        if (added > 0) {
          templates += added;
          people++;
        } else (thumbnails === 0 ? noThumbnails : noFace).push(identity.name);
      }
      if (noFace.length + noThumbnails.length > 0) {
        const problems = [
          noFace.length > 0 ? `no face was found in the thumbnails of ${noFace.join(', ')}` : null,
          noThumbnails.length > 0 ? `${noThumbnails.join(', ')} have no stored thumbnails` : null,
        ].filter(Boolean);
        set({
          error:
            `${people > 0 ? `${summary()} ` : ''}Some people still have no ${model} template: ` +
            `${problems.join('; ')}. ${REENROLL}`,
        });
        return false;
      }
      set({ notice: summary() });
      return true;
    } catch (e) {
      set({ error: `${errorMessage(e)}${people > 0 ? ` Before that, ${summary()}` : ''}` });
      return false;
    } finally {
      await refreshAfter();
    }
  },

  clearMessages() {
    set({ error: null, notice: null });
  },
}));

/** Bring the shown state (e.g. 'locked') up to date without waiting; its failures are not this caller's. */
/**
 * After an update that changed the default face model, people enrolled before have templates of
 * the old model only: re-embed them from their thumbnails once (with the usual progress), so
 * Unlock and Identify keep recognising them. A locked gallery waits until it is unlocked.
 */
async function upgradeAfterModelChange(): Promise<void> {
  const faces = useFaces.getState();
  const store = useGallery.getState();
  if (!faces.upgradePending || store.encryption === 'locked' || store.busy) return;
  const stale = store.identities.some((i) => !i.templatesByModel[faces.embedderId]);
  if (!stale || (await store.reembedAll())) faces.clearUpgrade();
}

function refreshInBackground(): void {
  useGallery
    .getState()
    .refresh()
    .catch(() => undefined);
}

/** Re-read the gallery after an action, whatever its outcome, and end the busy state. */
/** Runs a passphrase action with busy text, then says what happened and refreshes. */
async function encryptionTask(busy: string, action: (g: Gallery) => Promise<string>): Promise<boolean> {
  const g = await useGallery.getState().open();
  if (!g) return false;
  useGallery.setState({ busy, error: null, notice: null });
  try {
    useGallery.setState({ notice: await action(g) });
    return true;
  } catch (e) {
    useGallery.setState({ error: errorMessage(e) });
    return false;
  } finally {
    await refreshAfter();
    void upgradeAfterModelChange();
  }
}

async function refreshAfter(): Promise<void> {
  try {
    await useGallery.getState().refresh();
  } catch (e) {
    useGallery.setState({ error: errorMessage(e) });
  } finally {
    useGallery.setState({ busy: null });
  }
}
