/**
 * The gallery: identities, their templates (stored embeddings) and thumbnails, in IndexedDB.
 *
 * Rules every method follows:
 * - One logical change is one readwrite transaction, so it lands whole or not at all. A transaction
 *   may only wait on IndexedDB requests (it commits itself at the first other await), so encryption,
 *   Blob reads and validation happen before it opens, and the transaction only checks and writes.
 * - Every write transaction reads the meta `state` row first: it refuses to write if another tab
 *   turned encryption on/off (rows sealed with different keys must never mix), and bumps `revision`
 *   so bulk rewrites prepared outside a transaction can tell that nothing changed meanwhile.
 * - Calls on one Gallery run one at a time, in call order, so a write never interleaves with an
 *   encryption toggle or an import started in the same tab.
 * - Every failure is a GalleryError with a sentence a person can act on.
 */
import type { IDBPDatabase, IDBPTransaction } from 'idb';
import {
  BACKUP_MIME_TYPE,
  backupFileName,
  encodeBackup,
  isSealVerified,
  planImport,
  type BackupFile,
  type GalleryContent,
  type GalleryCounts,
  type ImportMode,
  type ImportPreview,
  type ImportReport,
  type SealOptions,
} from './backup';
import { openChanges, type ChangeChannelFactory, type GalleryChange, type GalleryChanges } from './changes';
import type { ExistingGallery } from './backup-plan';
import { Pacer, sortPaced, type ProgressListener } from './pacer';
import { defaultFactory, openDatabase } from './connection';
import { DEFAULT_PBKDF2_ITERATIONS, createEncryption, keyFromPassphrase, validatePassphrase } from './crypto';
import { newId as randomId } from './encoding';
import { asNotesRow, decodeNotes, encodeNotes, notesTextProblem, type PrivateNotes } from './private-notes';
import { GalleryError, MESSAGES, invalid, toGalleryError } from './errors';
import {
  decodeEmbeddingInto,
  decodeIdentity,
  decodeTemplate,
  decodeThumbnail,
  encodeIdentity,
  encodeTemplate,
  encodeThumbnail,
  type Identity,
  type Template,
  type Thumbnail,
} from './records';
import {
  DB_NAME,
  SCHEMA_VERSION,
  NOTES_KEY,
  STATE_KEY,
  asState,
  type NotesRow,
  type GallerySchema,
  type IdentityRow,
  type StateRow,
  type TemplateRow,
  type TemplateSource,
  type ThumbnailRow,
} from './schema';
import {
  embeddingProblem,
  imageTypeProblem,
  modelIdProblem,
  nameProblem,
  notesProblem,
  qualityProblem,
  sizeProblem,
  sourceProblem,
  thumbnailBytesProblem,
} from './validate';

export interface GalleryOptions {
  /** The IndexedDB to use; defaults to the page's `indexedDB`. Tests pass a fresh fake one. */
  factory?: IDBFactory;
  /** Database name; defaults to 'facet-gallery'. */
  name?: string;
  /** Clock in ms since the epoch (tests make it deterministic). */
  now?: () => number;
  /** Id generator; defaults to random UUIDs. */
  newId?: () => string;
  /** Called once if the gallery is closed from outside: another tab upgraded, or storage was cleared. */
  onClose?: (error: GalleryError) => void;
  /** The channel writes are announced on to other tabs (changes.ts `broadcastChanges`); none by default. */
  changes?: ChangeChannelFactory;
}

export interface NewTemplate {
  embedding: Float32Array | readonly number[];
  modelId: string;
  /** Capture quality from 0 (unusable) to 1 (ideal), as judged by the enrolment pipeline. */
  quality: number;
  source: TemplateSource;
}

export interface NewThumbnail {
  /** A small JPEG face crop; an untyped Blob is taken to be JPEG. */
  blob: Blob;
  width: number;
  height: number;
}

export interface IdentitySummary extends Identity {
  templateCount: number;
  /** Template count per model id, e.g. { facedescriptor: 3, faceres: 3 }. */
  templatesByModel: Record<string, number>;
  thumbnailCount: number;
}

export interface AddedTemplate {
  templateId: string;
  thumbnailId: string | null;
}

/** One face sample to store: its template and, optionally, the face crop it was made from. */
export interface NewSample {
  template: NewTemplate;
  thumbnail?: NewThumbnail | undefined;
}

/** Whom `enrol` adds samples to: an identity that exists, or a new one by this name. */
export type EnrolTarget = { identityId: string } | { name: string };

export interface Enrolled {
  /** The identity made by this call; null when the samples went to an existing one. */
  identity: Identity | null;
  identityId: string;
  added: AddedTemplate[];
}

/**
 * Most templates one person may hold per model. Webcam enrolment adds a handful at a time; the cap
 * keeps a runaway caller from filling the disk and slowing every 1:N search.
 */
export const MAX_TEMPLATES_PER_MODEL = 100;

/**
 * All templates of one model packed for a matrix product: row i of `matrix` (N×dim, row-major) is
 * template `ids[i]` of identity `identityIds[i]`.
 */
export interface PackedTemplates {
  modelId: string;
  ids: string[];
  identityIds: string[];
  matrix: Float32Array;
  /** 0 when the model has no templates. */
  dim: number;
}

/**
 * What `deleteIdentity` removed, held in memory (exactly as stored, so also while locked) until the
 * caller calls `discard()` — typically when its "Undo" toast times out — or `undo()`.
 */
export interface DeletedIdentity {
  readonly identityId: string;
  readonly templateCount: number;
  readonly thumbnailCount: number;
  /** True until undone or discarded. */
  readonly undoable: boolean;
  /** Put back the identity, its templates and thumbnails, with their ids, in one transaction. */
  undo(): Promise<void>;
  /** End the undo window and let go of the deleted data. */
  discard(): void;
}

export interface ExportedBackup {
  bytes: Uint8Array<ArrayBuffer>;
  fileName: string;
  mimeType: string;
}

/** What `planImport` decided; pass it to `applyImport` to write it. */
export interface ImportPlan {
  readonly mode: ImportMode;
  readonly preview: ImportPreview;
  /** What the write will report. */
  readonly report: ImportReport;
  /** The file's seal was checked with its password and is valid. */
  readonly sealValid: boolean;
  /** A person must see the preview and confirm before `applyImport` writes it. */
  readonly needsConfirmation: boolean;
  /** @internal The gallery the plan was made against, and what it writes. */
  readonly revision: number;
  readonly encryptionId: string | null;
  readonly toWrite: GalleryContent;
}

const BACKUP_PASSPHRASE_WRONG =
  "That is not this gallery's passphrase. An encrypted gallery's backup is sealed with its passphrase; nothing was saved.";

type StoreName = 'identities' | 'templates' | 'thumbnails' | 'meta';
const ALL_STORES: StoreName[] = ['identities', 'templates', 'thumbnails', 'meta'];
type ReadTx = IDBPTransaction<GallerySchema, StoreName[], 'readonly'>;
type WriteTx = IDBPTransaction<GallerySchema, StoreName[], 'readwrite'>;

interface WriteExpectation {
  /** Refuse unless the stored revision is still this one. */
  revision?: number;
  /** Refuse unless the stored encryption id is this one (default: what this Gallery believes). */
  encryptionId?: string | null;
  conflictMessage?: string;
}

interface StoredRows {
  identities: IdentityRow[];
  templates: TemplateRow[];
  thumbnails: ThumbnailRow[];
  notes: NotesRow | null;
  revision: number;
}

const CHANGED_ELSEWHERE = 'The gallery was changed in another tab while this was running; try again.';
const ENCRYPTION_CHANGED =
  'Encryption of the gallery was turned on, off or changed in another tab; unlock it again if asked, then try again.';

/** One collator for every sort by name: `localeCompare` builds one per call, seconds for 100,000 names. */
const byName = new Intl.Collator();

function notFound(what: 'identity' | 'template', id: string): GalleryError {
  return new GalleryError('not-found', `There is no ${what} with id ${id} in the gallery; it may have been deleted.`);
}

function orThrow(problem: string | null): void {
  if (problem !== null) throw invalid(problem);
}

export class Gallery {
  private state: StateRow;
  private key: CryptoKey | null = null;
  private closedError: GalleryError | null = null;
  private queue: Promise<unknown> = Promise.resolve();

  /** Use `openGallery()`. */
  constructor(
    private readonly db: IDBPDatabase<GallerySchema>,
    state: StateRow,
    private readonly now: () => number,
    private readonly newId: () => string,
    private readonly changes: GalleryChanges | null = null,
  ) {
    this.state = state;
  }

  /**
   * Calls `listener` after each write committed by another Gallery on this database (another
   * tab), when a change channel was given; returns the unsubscribe.
   */
  onChangeElsewhere(listener: (change: GalleryChange) => void): () => void {
    return this.changes?.listen(listener) ?? (() => undefined);
  }

  /** @internal Called by the connection when it is closed from outside. */
  markClosed(error: GalleryError): void {
    this.closedError ??= error;
    this.key = null;
    this.changes?.close();
  }

  close(): void {
    if (this.closedError === null) this.db.close();
    this.markClosed(new GalleryError('closed', MESSAGES.closed));
  }

  // --- identities ---------------------------------------------------------------------------------

  addIdentity(name: string, notes = ''): Promise<Identity> {
    return this.run(async () => {
      orThrow(nameProblem(name));
      orThrow(notesProblem(notes));
      const key = this.keyForWriting();
      const created = this.now();
      const identity: Identity = { id: this.newId(), name: name.trim(), notes, created, updated: created };
      const row = await encodeIdentity(key, identity);
      await this.write(async (tx) => {
        await tx.objectStore('identities').add(row);
      });
      return identity;
    });
  }

  rename(id: string, name: string): Promise<Identity> {
    return this.run(async () => {
      orThrow(nameProblem(name));
      return this.updateIdentity(id, (identity) => ({ ...identity, name: name.trim() }));
    });
  }

  setNotes(id: string, notes: string): Promise<Identity> {
    return this.run(async () => {
      orThrow(notesProblem(notes));
      return this.updateIdentity(id, (identity) => ({ ...identity, notes }));
    });
  }

  getIdentity(id: string): Promise<IdentitySummary | undefined> {
    return this.run(async () => {
      const found = await this.read(async (tx) => {
        const row = await tx.objectStore('identities').get(id);
        if (row === undefined) return undefined;
        // [id] sorts before every [id, modelId], and [id, []] after them (arrays sort after strings).
        const range = IDBKeyRange.bound([id], [id, []]);
        const counts = await countTemplates(tx, range);
        const thumbnails = await tx.objectStore('thumbnails').index('identityId').count(id);
        return { row, byModel: counts.get(id), thumbnails };
      });
      if (found === undefined) return undefined;
      return summarize(await decodeIdentity(this.key, found.row), found.byModel, found.thumbnails);
    });
  }

  /** Every identity with its template counts, sorted by name. */
  listIdentities(): Promise<IdentitySummary[]> {
    return this.run(async () => {
      const { rows, byIdentity, thumbnails } = await this.read(async (tx) => {
        const rows = await getAllInBatches(tx.objectStore('identities'));
        const byIdentity = await countTemplates(tx, null);
        const thumbnails = new Map<string, number>();
        let cursor = await tx.objectStore('thumbnails').index('identityId').openKeyCursor();
        while (cursor) {
          thumbnails.set(cursor.key, (thumbnails.get(cursor.key) ?? 0) + 1);
          cursor = await cursor.continue();
        }
        return { rows, byIdentity, thumbnails };
      });
      // In slices: for 100,000 people, decoding and sorting in one go held the page for 0.3 s.
      const pacer = new Pacer();
      const summaries: IdentitySummary[] = [];
      for (let at = 0; at < rows.length; at += WRITE_BATCH) {
        const decoded = await Promise.all(rows.slice(at, at + WRITE_BATCH).map((r) => decodeIdentity(this.key, r)));
        for (const identity of decoded) {
          summaries.push(summarize(identity, byIdentity.get(identity.id), thumbnails.get(identity.id) ?? 0));
        }
        if (pacer.due()) await pacer.yield();
      }
      return sortPaced(
        summaries,
        (a, b) => byName.compare(a.name, b.name) || a.created - b.created || (a.id < b.id ? -1 : 1),
        pacer,
      );
    });
  }

  /**
   * Delete an identity with all its templates and thumbnails, in one transaction. The returned
   * object can put everything back until the caller discards it.
   */
  deleteIdentity(id: string): Promise<DeletedIdentity> {
    return this.run(async () => {
      const removed = await this.write(async (tx, next) => {
        const identities = tx.objectStore('identities');
        const templates = tx.objectStore('templates');
        const thumbnails = tx.objectStore('thumbnails');
        const identity = await identities.get(id);
        if (identity === undefined) throw notFound('identity', id);
        const templateRows = await templates.index('identityId').getAll(id);
        const thumbnailRows = await thumbnails.index('identityId').getAll(id);
        await requests(
          () => identities.delete(id),
          templateRows.map((t) => () => templates.delete(t.id)),
          thumbnailRows.map((t) => () => thumbnails.delete(t.id)),
        );
        return {
          identity,
          templates: templateRows,
          thumbnails: thumbnailRows,
          encryptionId: next.encryption?.id ?? null,
        };
      });
      return this.undoable(removed);
    });
  }

  // --- templates ----------------------------------------------------------------------------------

  /**
   * Store a template (and optionally its thumbnail) for an identity. The identity's `updated`, the
   * template and the thumbnail are written in one transaction: all of them or none.
   */
  async addTemplate(identityId: string, input: NewTemplate, thumbnail?: NewThumbnail): Promise<AddedTemplate> {
    const { added } = await this.enrol({ identityId }, [{ template: input, thumbnail }]);
    return added[0]!;
  }

  /**
   * Store several samples of one face, for an existing identity or for a new one made here, in one
   * transaction: the identity, every template and every thumbnail, or nothing (a webcam enrolment
   * that hits a full disk on its third frame leaves no person with two templates behind).
   */
  enrol(target: EnrolTarget, samples: readonly NewSample[]): Promise<Enrolled> {
    // Copied now, not when the call's turn comes: the caller may reuse its buffers for the next frame.
    const given = samples.map(({ template, thumbnail }) => {
      const e = template.embedding;
      const embedding = e instanceof Float32Array || Array.isArray(e) ? Float32Array.from(e) : null;
      return { template: { ...template }, embedding, thumbnail };
    });
    return this.run(async () => {
      if (given.length === 0) throw invalid('There is nothing to enroll: no face samples were given.');
      const isNew = 'name' in target;
      if (isNew) orThrow(nameProblem(target.name));
      const key = this.keyForWriting();
      const created = this.now();
      const identity: Identity | null = isNew
        ? { id: this.newId(), name: target.name.trim(), notes: '', created, updated: created }
        : null;
      const identityId = identity?.id ?? (target as { identityId: string }).identityId;
      const identityRow = identity === null ? null : await encodeIdentity(key, identity);
      const rows: { record: Template; templateRow: TemplateRow; thumbnailRow: ThumbnailRow | null }[] = [];
      for (const { template, embedding, thumbnail } of given) {
        orThrow(modelIdProblem(template.modelId));
        orThrow(qualityProblem(template.quality));
        orThrow(sourceProblem(template.source));
        if (embedding === null) throw invalid('The embedding must be a Float32Array or an array of numbers.');
        orThrow(embeddingProblem(embedding));
        const record: Template = {
          id: this.newId(),
          identityId,
          modelId: template.modelId,
          dim: embedding.length,
          quality: template.quality,
          source: template.source,
          created,
          embedding,
        };
        const thumbnailRow =
          thumbnail === undefined ? null : await encodeThumbnail(key, this.newThumbnail(record, thumbnail));
        rows.push({ record, templateRow: await encodeTemplate(key, record), thumbnailRow });
      }

      await this.write(async (tx) => {
        const identities = tx.objectStore('identities');
        const templates = tx.objectStore('templates');
        const existing = identityRow === null ? await identities.get(identityId) : undefined;
        if (identityRow === null && existing === undefined) throw notFound('identity', identityId);
        const mine =
          identityRow === null ? await countTemplates(tx, IDBKeyRange.bound([identityId], [identityId, []])) : null;
        const adding = new Map<string, number>();
        for (const { record } of rows) {
          adding.set(record.modelId, (adding.get(record.modelId) ?? 0) + 1);
          const sameModel = await templates.index('modelId').get(record.modelId);
          const dim = sameModel?.dim ?? rows.find((r) => r.record.modelId === record.modelId)!.record.dim;
          if (dim !== record.dim) {
            throw invalid(
              `The embedding has ${record.dim} values, but this gallery's templates for model ${record.modelId} ` +
                `have ${dim}; it was probably made by a different model. Nothing was saved.`,
            );
          }
        }
        for (const [modelId, n] of adding) {
          const held = mine?.get(identityId)?.get(modelId) ?? 0;
          if (held + n > MAX_TEMPLATES_PER_MODEL) {
            throw invalid(
              `This person already has ${held} face samples for this model, and one person can have at most ` +
                `${MAX_TEMPLATES_PER_MODEL}. Delete some of their older photos under People, then try again. ` +
                'Nothing was saved.',
            );
          }
        }
        await requests(
          () =>
            identityRow !== null
              ? identities.add(identityRow)
              : identities.put({ ...existing!, updated: this.after(existing!.updated) }),
          rows.map(
            ({ templateRow }) =>
              () =>
                templates.add(templateRow),
          ),
          rows.map(
            ({ thumbnailRow }) =>
              () =>
                thumbnailRow === null ? undefined : tx.objectStore('thumbnails').add(thumbnailRow),
          ),
        );
      });
      return {
        identity,
        identityId,
        added: rows.map(({ record, thumbnailRow }) => ({
          templateId: record.id,
          thumbnailId: thumbnailRow?.id ?? null,
        })),
      };
    });
  }

  /** Delete one template and the thumbnails taken with it. */
  deleteTemplate(id: string): Promise<void> {
    return this.run(async () => {
      await this.write(async (tx) => {
        const templates = tx.objectStore('templates');
        const thumbnails = tx.objectStore('thumbnails');
        const identities = tx.objectStore('identities');
        const template = await templates.get(id);
        if (template === undefined) throw notFound('template', id);
        const identity = await identities.get(template.identityId);
        const siblings = await thumbnails.index('identityId').getAll(template.identityId);
        await requests(
          () => templates.delete(id),
          siblings.filter((t) => t.templateId === id).map((t) => () => thumbnails.delete(t.id)),
          () =>
            identity === undefined ? undefined : identities.put({ ...identity, updated: this.after(identity.updated) }),
        );
      });
    });
  }

  /**
   * All templates of a model as one N×dim matrix, for a GPU matrix product against probes. Rows are
   * copied straight from storage into the matrix; no per-template object is built.
   */
  templatesForModel(modelId: string): Promise<PackedTemplates> {
    return this.run(async () => {
      orThrow(modelIdProblem(modelId));
      const rows = await this.read((tx) => tx.objectStore('templates').index('modelId').getAll(modelId));
      const n = rows.length;
      const dim = rows[0]?.dim ?? 0;
      const ids = new Array<string>(n);
      const identityIds = new Array<string>(n);
      let sealed = 0;
      for (let i = 0; i < n; i++) {
        const row = rows[i]!;
        if (row.dim !== dim) throw new GalleryError('corrupt', `Templates of model ${modelId} disagree on dimension.`);
        ids[i] = row.id;
        identityIds[i] = row.identityId;
        if ('sealed' in row) sealed++;
      }
      if (sealed > 0 && this.key === null) throw new GalleryError('locked', MESSAGES.locked);
      const matrix = new Float32Array(n * dim);
      if (sealed === 0) {
        for (let i = 0; i < n; i++) {
          const row = rows[i] as TemplateRow & { embedding: Float32Array };
          if (row.embedding.length !== dim) throw new GalleryError('corrupt', `Template ${row.id} is damaged.`);
          matrix.set(row.embedding, i * dim);
        }
      } else {
        await Promise.all(rows.map((row, i) => decodeEmbeddingInto(this.key, row, matrix, i * dim)));
      }
      return { modelId, ids, identityIds, matrix, dim };
    });
  }

  /** The thumbnails of one identity, oldest first. */
  thumbnails(identityId: string): Promise<Thumbnail[]> {
    return this.run(async () => {
      const rows = await this.read((tx) => tx.objectStore('thumbnails').index('identityId').getAll(identityId));
      const thumbnails = await Promise.all(rows.map((row) => decodeThumbnail(this.key, row)));
      return thumbnails.sort((a, b) => a.created - b.created);
    });
  }

  /**
   * The newest thumbnail of each of these identities that has one, in one read: what a list shows
   * for the rows on screen (asking for each row in turn took minutes for 100,000 people).
   */
  newestThumbnails(identityIds: readonly string[]): Promise<Map<string, Thumbnail>> {
    return this.run(async () => {
      const rows = await this.read((tx) => {
        const index = tx.objectStore('thumbnails').index('identityId');
        return Promise.all(identityIds.map((id) => index.getAll(id)));
      });
      const out = new Map<string, Thumbnail>();
      for (const [i, list] of rows.entries()) {
        const newest = list.reduce<ThumbnailRow | null>((a, r) => (a === null || r.created >= a.created ? r : a), null);
        if (newest !== null) out.set(identityIds[i]!, await decodeThumbnail(this.key, newest));
      }
      return out;
    });
  }

  count(): Promise<GalleryCounts> {
    return this.run(() =>
      this.read(async (tx) => ({
        identities: await tx.objectStore('identities').count(),
        templates: await tx.objectStore('templates').count(),
        thumbnails: await tx.objectStore('thumbnails').count(),
      })),
    );
  }

  // --- backup -------------------------------------------------------------------------------------

  /**
   * The whole gallery as one backup file (plaintext; see backup.ts). Needs an unlocked gallery. With
   * a password the file is sealed: an encrypted gallery's backup takes its passphrase (checked here),
   * a plain gallery's a backup password of at least 8 characters.
   */
  exportBackup(
    opts: { app?: string; password?: string; iterations?: number; onProgress?: ProgressListener } = {},
  ): Promise<ExportedBackup> {
    return this.run(async () => {
      let seal: SealOptions | undefined;
      if (opts.password !== undefined) {
        const iterations = opts.iterations ?? DEFAULT_PBKDF2_ITERATIONS;
        if (this.state.encryption !== null) {
          this.keyForWriting();
          await keyFromPassphrase(opts.password, this.state.encryption).catch((err: unknown) => {
            if (err instanceof GalleryError && err.kind === 'wrong-passphrase') {
              throw new GalleryError('wrong-passphrase', BACKUP_PASSPHRASE_WRONG, { cause: err });
            }
            throw err;
          });
          seal = { password: opts.password, keySource: 'gallery-passphrase', iterations };
        } else {
          validatePassphrase(opts.password);
          seal = { password: opts.password, keySource: 'backup-password', iterations };
        }
      }
      const content = await this.decodeAll(await this.readAllRows());
      const created = new Date(this.now());
      const bytes = await encodeBackup(content, {
        app: opts.app ?? 'Facet',
        created,
        ...(seal !== undefined ? { seal } : {}),
        ...(opts.onProgress !== undefined ? { onProgress: opts.onProgress } : {}),
      });
      return { bytes, fileName: backupFileName(created), mimeType: BACKUP_MIME_TYPE };
    });
  }

  /**
   * Work out what importing a read backup (backup.ts `readBackup`) would do, writing nothing:
   * 'replace' makes the gallery the backup, 'merge' keeps what is there (backup-plan.ts). The plan
   * says whether a person must confirm it first: always unless the seal was checked valid, and
   * always when someone already in the gallery would be changed or removed.
   */
  planImport(file: BackupFile, mode: ImportMode, opts: { onProgress?: ProgressListener } = {}): Promise<ImportPlan> {
    return this.run(async () => {
      if (mode !== 'merge' && mode !== 'replace') throw invalid(`Unknown import mode ${String(mode)}.`);
      this.keyForWriting();
      const pacer = new Pacer();
      const rows = await this.readAllRows();
      opts.onProgress?.({ stage: 'checking', done: 0, total: rows.identities.length });
      const key = this.key;
      const identities = new Map<string, Identity>();
      for (const row of rows.identities) {
        identities.set(row.id, await decodeIdentity(key, row));
        if (pacer.due()) await pacer.yield();
      }
      const templateRows = new Map(rows.templates.map((r) => [r.id, r] as const));
      const thumbnailRows = new Map(rows.thumbnails.map((r) => [r.id, r] as const));
      const existing: ExistingGallery = {
        identities,
        templates: templateRows,
        thumbnails: thumbnailRows,
        template: (id) => decodeTemplate(key, templateRows.get(id)!),
        thumbnail: (id) => decodeThumbnail(key, thumbnailRows.get(id)!),
      };
      const result = await planImport(file.content, existing, mode, this.newId, pacer);
      const sealValid = isSealVerified(file);
      return {
        mode,
        preview: result.preview,
        report: result.report,
        sealValid,
        needsConfirmation: !sealValid || result.preview.change.length > 0 || result.preview.remove.length > 0,
        revision: rows.revision,
        encryptionId: this.state.encryption?.id ?? null,
        toWrite: result.toWrite,
      };
    });
  }

  /**
   * Write a plan from `planImport`, in one transaction: all of it or nothing. Refuses if the plan
   * needs a confirmation it did not get, or if the gallery changed since it was made (the preview
   * the person confirmed would no longer be true).
   */
  applyImport(
    plan: ImportPlan,
    opts: { confirmed?: boolean; onProgress?: ProgressListener } = {},
  ): Promise<ImportReport> {
    return this.run(async () => {
      if (plan.needsConfirmation && opts.confirmed !== true) {
        throw invalid(
          'This backup is not known to be authentic, or it changes people already here: confirm its preview first.',
        );
      }
      const key = this.keyForWriting();
      const rows = await this.encodeAll(key, plan.toWrite);
      const total = rows.identities.length + rows.templates.length + rows.thumbnails.length;
      let done = 0;
      opts.onProgress?.({ stage: 'writing', done, total });
      await this.write(
        async (tx) => {
          const identities = tx.objectStore('identities');
          const templates = tx.objectStore('templates');
          const thumbnails = tx.objectStore('thumbnails');
          if (plan.mode === 'replace') {
            await requests(
              () => identities.clear(),
              () => templates.clear(),
              () => thumbnails.clear(),
            );
          }
          // In batches, so the page can paint between them; the transaction stays open because it
          // only ever waits on its own requests.
          const batches: Issue[] = [
            ...rows.identities.map((r) => () => identities.add(r)),
            ...rows.templates.map((r) => () => templates.add(r)),
            ...rows.thumbnails.map((r) => () => thumbnails.add(r)),
          ];
          for (let at = 0; at < batches.length; at += WRITE_BATCH) {
            await requests(batches.slice(at, at + WRITE_BATCH));
            done = Math.min(total, at + WRITE_BATCH);
            opts.onProgress?.({ stage: 'writing', done, total });
          }
        },
        {
          revision: plan.revision,
          encryptionId: plan.encryptionId,
          conflictMessage: `${CHANGED_ELSEWHERE} Nothing was imported.`,
        },
      );
      return plan.report;
    });
  }

  // --- encryption ---------------------------------------------------------------------------------

  isEncrypted(): boolean {
    return this.state.encryption !== null;
  }

  isLocked(): boolean {
    return this.state.encryption !== null && this.key === null;
  }

  /**
   * Encrypt names, notes, embeddings and thumbnails under a key derived from `passphrase`; all rows
   * are rewritten in one transaction. The gallery stays unlocked afterwards.
   */
  enableEncryption(passphrase: string, opts: { iterations?: number } = {}): Promise<void> {
    return this.run(async () => {
      if (this.state.encryption !== null) throw invalid('The gallery is already encrypted.');
      const { params, key } = await createEncryption(passphrase, opts.iterations ?? DEFAULT_PBKDF2_ITERATIONS);
      const rows = await this.readAllRows();
      const encrypted = await this.encodeAll(key, await this.decodeAll(rows));
      const notes = await this.recodeNotes(rows.notes, key);
      await this.write(
        async (tx, next) => {
          await putAll(tx, encrypted);
          if (notes) await tx.objectStore('meta').put(notes);
          next.encryption = params;
        },
        { revision: rows.revision, encryptionId: null, conflictMessage: `${CHANGED_ELSEWHERE} Nothing was encrypted.` },
      );
      this.key = key;
    });
  }

  /** Check the passphrase and keep the key in memory. A wrong passphrase changes nothing. */
  unlock(passphrase: string): Promise<void> {
    return this.run(async () => {
      const state = await this.read(async () => this.state);
      if (state.encryption === null) throw invalid('The gallery is not encrypted; there is nothing to unlock.');
      this.key = await keyFromPassphrase(passphrase, state.encryption);
    });
  }

  /** Forget the key; reads of encrypted data then fail with 'locked' until `unlock`. */
  lock(): void {
    this.key = null;
  }

  /** Check the passphrase, then rewrite every row in clear in one transaction. */
  disableEncryption(passphrase: string): Promise<void> {
    return this.run(async () => {
      const state = await this.read(async () => this.state);
      if (state.encryption === null) throw invalid('The gallery is not encrypted.');
      const key = await keyFromPassphrase(passphrase, state.encryption);
      this.key = key;
      const rows = await this.readAllRows();
      const plain = await this.encodeAll(null, await this.decodeAll(rows));
      const notes = await this.recodeNotes(rows.notes, null);
      await this.write(
        async (tx, next) => {
          await putAll(tx, plain);
          if (notes) await tx.objectStore('meta').put(notes);
          next.encryption = null;
        },
        {
          revision: rows.revision,
          encryptionId: state.encryption.id,
          conflictMessage: `${CHANGED_ELSEWHERE} Encryption is still on.`,
        },
      );
      this.key = null;
    });
  }

  // --- private notes ------------------------------------------------------------------------------

  /** The private notes (null: none saved yet); 'locked' while an encrypted gallery is locked. */
  readPrivateNotes(): Promise<PrivateNotes | null> {
    return this.run(async () => {
      const row = asNotesRow(await this.read((tx) => tx.objectStore('meta').get(NOTES_KEY)));
      return row === null ? null : decodeNotes(this.key, row);
    });
  }

  /**
   * Replace the private notes in one transaction, sealed when the gallery is encrypted. `expected` is
   * the `updated` of the notes this save started from (null: none): if another tab saved since, nothing
   * is written and a 'conflict' says so.
   */
  savePrivateNotes(text: string, expected: number | null): Promise<PrivateNotes> {
    return this.run(async () => {
      orThrow(notesTextProblem(text));
      const key = this.keyForWriting();
      const current = asNotesRow(await this.read((tx) => tx.objectStore('meta').get(NOTES_KEY)));
      const notes: PrivateNotes = { text, updated: this.after(current?.updated ?? 0) };
      const row = await encodeNotes(key, notes);
      await this.write(async (tx) => {
        const stored = asNotesRow(await tx.objectStore('meta').get(NOTES_KEY));
        if ((stored?.updated ?? null) !== expected) {
          throw new GalleryError(
            'conflict',
            'The notes were changed in another tab since you opened them; nothing was saved. Copy your text, reload the notes and save again.',
          );
        }
        await tx.objectStore('meta').put(row);
      });
      return notes;
    });
  }

  // --- plumbing -----------------------------------------------------------------------------------

  /** Run calls one at a time, in order; map every failure to a GalleryError. */
  private run<T>(task: () => Promise<T>): Promise<T> {
    const result = this.queue.then(() => {
      if (this.closedError !== null) throw this.closedError;
      return task();
    });
    this.queue = result.catch(() => undefined);
    return result.catch((err: unknown) => {
      throw toGalleryError(err);
    });
  }

  private keyForWriting(): CryptoKey | null {
    if (this.state.encryption === null) return null;
    if (this.key === null) throw new GalleryError('locked', MESSAGES.locked);
    return this.key;
  }

  private adopt(state: StateRow): void {
    if ((state.encryption?.id ?? null) !== (this.state.encryption?.id ?? null)) this.key = null;
    this.state = state;
  }

  /** A timestamp strictly after `previous`, so `updated` also works as a per-record version. */
  private after(previous: number): number {
    return Math.max(this.now(), previous + 1);
  }

  private async read<T>(body: (tx: ReadTx) => Promise<T>): Promise<T> {
    const tx = this.db.transaction(ALL_STORES, 'readonly');
    try {
      this.adopt(asState(await tx.objectStore('meta').get(STATE_KEY)));
      const result = await body(tx);
      await tx.done;
      return result;
    } catch (err) {
      throw await settle(tx, err);
    }
  }

  private async write<T>(body: (tx: WriteTx, next: StateRow) => Promise<T>, expect: WriteExpectation = {}): Promise<T> {
    const tx = this.db.transaction(ALL_STORES, 'readwrite');
    try {
      const meta = tx.objectStore('meta');
      const state = asState(await meta.get(STATE_KEY));
      const expectedKey = expect.encryptionId !== undefined ? expect.encryptionId : (this.state.encryption?.id ?? null);
      if ((state.encryption?.id ?? null) !== expectedKey) {
        this.adopt(state);
        throw new GalleryError('conflict', expect.conflictMessage ?? ENCRYPTION_CHANGED);
      }
      if (expect.revision !== undefined && state.revision !== expect.revision) {
        throw new GalleryError('conflict', expect.conflictMessage ?? CHANGED_ELSEWHERE);
      }
      const next: StateRow = { ...state, schema: SCHEMA_VERSION, revision: state.revision + 1 };
      const result = await body(tx, next);
      await meta.put(next);
      await tx.done;
      this.adopt(next);
      this.changes?.announce(next.revision);
      return result;
    } catch (err) {
      throw await settle(tx, err);
    }
  }

  /** Read-modify-write of one identity; retried if the row changed between the read and the write. */
  private async updateIdentity(id: string, change: (identity: Identity) => Identity): Promise<Identity> {
    for (let attempt = 1; ; attempt++) {
      const row = await this.read((tx) => tx.objectStore('identities').get(id));
      if (row === undefined) throw notFound('identity', id);
      const key = this.keyForWriting();
      const updated: Identity = { ...change(await decodeIdentity(key, row)), updated: this.after(row.updated) };
      const newRow = await encodeIdentity(key, updated);
      const written = await this.write(async (tx) => {
        const identities = tx.objectStore('identities');
        const current = await identities.get(id);
        if (current === undefined) throw notFound('identity', id);
        if (current.updated !== row.updated) return false;
        await identities.put(newRow);
        return true;
      });
      if (written) return updated;
      if (attempt === 3) throw new GalleryError('conflict', CHANGED_ELSEWHERE);
    }
  }

  private newThumbnail(template: Template, input: NewThumbnail): Thumbnail {
    if (!(input.blob instanceof Blob)) throw invalid('The thumbnail must be a Blob.');
    const type = input.blob.type === '' ? 'image/jpeg' : input.blob.type;
    orThrow(imageTypeProblem(type));
    orThrow(thumbnailBytesProblem(input.blob.size));
    orThrow(sizeProblem(input.width, input.height));
    return {
      id: this.newId(),
      identityId: template.identityId,
      templateId: template.id,
      blob: input.blob.type === type ? input.blob : new Blob([input.blob], { type }),
      width: input.width,
      height: input.height,
      created: template.created,
    };
  }

  private undoable(removed: {
    identity: IdentityRow;
    templates: TemplateRow[];
    thumbnails: ThumbnailRow[];
    encryptionId: string | null;
  }): DeletedIdentity {
    let held: typeof removed | null = removed;
    let undone = false;
    return {
      identityId: removed.identity.id,
      templateCount: removed.templates.length,
      thumbnailCount: removed.thumbnails.length,
      get undoable() {
        return held !== null;
      },
      discard: () => {
        held = null;
      },
      undo: () =>
        this.run(async () => {
          const rows = held;
          if (rows === null) {
            throw invalid(undone ? 'This deletion was already undone.' : 'It is too late to undo this deletion.');
          }
          await this.write(
            async (tx) => {
              await requests(
                () => tx.objectStore('identities').add(rows.identity),
                rows.templates.map((r) => () => tx.objectStore('templates').add(r)),
                rows.thumbnails.map((r) => () => tx.objectStore('thumbnails').add(r)),
              );
            },
            {
              encryptionId: rows.encryptionId,
              conflictMessage: 'This deletion cannot be undone any more: the gallery was encrypted or decrypted since.',
            },
          );
          held = null;
          undone = true;
        }),
    };
  }

  /** Every row, read in batches so that no single read holds the page for long. */
  private async readAllRows(): Promise<StoredRows> {
    return this.read(async (tx) => ({
      identities: await getAllInBatches(tx.objectStore('identities')),
      templates: await getAllInBatches(tx.objectStore('templates')),
      thumbnails: await getAllInBatches(tx.objectStore('thumbnails')),
      notes: asNotesRow(await tx.objectStore('meta').get(NOTES_KEY)),
      revision: this.state.revision,
    }));
  }

  private async decodeAll(rows: StoredRows): Promise<GalleryContent> {
    const key = this.key;
    return {
      identities: await Promise.all(rows.identities.map((r) => decodeIdentity(key, r))),
      templates: await Promise.all(rows.templates.map((r) => decodeTemplate(key, r))),
      thumbnails: await Promise.all(rows.thumbnails.map((r) => decodeThumbnail(key, r))),
    };
  }

  /** The notes row sealed with `key` (null: in clear), for a rewrite of the whole gallery. */
  private async recodeNotes(row: NotesRow | null, key: CryptoKey | null): Promise<NotesRow | null> {
    return row === null ? null : encodeNotes(key, await decodeNotes(this.key, row));
  }

  private async encodeAll(key: CryptoKey | null, content: GalleryContent) {
    return {
      identities: await Promise.all(content.identities.map((r) => encodeIdentity(key, r))),
      templates: await Promise.all(content.templates.map((r) => encodeTemplate(key, r))),
      thumbnails: await Promise.all(content.thumbnails.map((r) => encodeThumbnail(key, r))),
    };
  }
}

/** Abort a failed transaction (if still running) and wait for it to end, then return the error to throw. */
async function settle(
  tx: IDBPTransaction<GallerySchema, StoreName[], IDBTransactionMode>,
  err: unknown,
): Promise<GalleryError> {
  try {
    tx.abort();
  } catch {
    // Already committed or aborted.
  }
  await tx.done.catch(() => undefined);
  return toGalleryError(err);
}

/**
 * Issue several requests on one transaction and wait for all of them. Requests are created lazily so
 * that one throwing synchronously (as a quota failure can) still leaves the earlier ones awaited:
 * otherwise the abort that follows would reject them with nobody listening.
 */
type Issue = () => Promise<unknown> | undefined;
async function requests(...groups: (Issue | Issue[])[]): Promise<void> {
  const pending: Promise<unknown>[] = [];
  try {
    // Groups are arrays rather than spread arguments: an import can hold more records than a call has room for.
    for (const group of groups) {
      for (const request of Array.isArray(group) ? group : [group]) {
        const p = request();
        if (p !== undefined) pending.push(p);
      }
    }
  } catch (err) {
    for (const p of pending) p.catch(() => undefined);
    throw err;
  }
  await Promise.all(pending);
}

/**
 * Records per request batch in an import's write (each batch is one await, so the page can paint
 * between: 2,000 adds held it for ~100 ms) and per batched read.
 */
const WRITE_BATCH = 500;
const READ_BATCH = 2000;

async function getAllInBatches<R extends { id: string }>(store: {
  getAll(query?: IDBKeyRange | null, count?: number): Promise<R[]>;
}): Promise<R[]> {
  const out: R[] = [];
  let range: IDBKeyRange | null = null;
  for (;;) {
    const batch = await store.getAll(range, READ_BATCH);
    for (const r of batch) out.push(r);
    if (batch.length < READ_BATCH) return out;
    range = IDBKeyRange.lowerBound(batch[batch.length - 1]!.id, true);
  }
}

async function putAll(
  tx: WriteTx,
  rows: { identities: IdentityRow[]; templates: TemplateRow[]; thumbnails: ThumbnailRow[] },
): Promise<void> {
  await requests(
    rows.identities.map((r) => () => tx.objectStore('identities').put(r)),
    rows.templates.map((r) => () => tx.objectStore('templates').put(r)),
    rows.thumbnails.map((r) => () => tx.objectStore('thumbnails').put(r)),
  );
}

/** Template counts per identity and model, from the compound index's keys only (no embeddings read). */
async function countTemplates(
  tx: ReadTx | WriteTx,
  range: IDBKeyRange | null,
): Promise<Map<string, Map<string, number>>> {
  const counts = new Map<string, Map<string, number>>();
  let cursor = await tx.objectStore('templates').index('identityModel').openKeyCursor(range);
  while (cursor) {
    const [identityId, modelId] = cursor.key;
    let perModel = counts.get(identityId);
    if (perModel === undefined) counts.set(identityId, (perModel = new Map()));
    perModel.set(modelId, (perModel.get(modelId) ?? 0) + 1);
    cursor = await cursor.continue();
  }
  return counts;
}

function summarize(identity: Identity, byModel: Map<string, number> | undefined, thumbnails: number): IdentitySummary {
  const templatesByModel: Record<string, number> = {};
  let templateCount = 0;
  for (const [modelId, n] of byModel ?? []) {
    templatesByModel[modelId] = n;
    templateCount += n;
  }
  return { ...identity, templateCount, templatesByModel, thumbnailCount: thumbnails };
}

/**
 * Open (creating or upgrading as needed) the gallery database. Fails with a GalleryError of kind
 * 'unavailable', 'blocked', 'newer' or 'upgrade-failed' when it cannot be used.
 */
export async function openGallery(opts: GalleryOptions = {}): Promise<Gallery> {
  let gallery: Gallery | null = null;
  const closedFromOutside = (error: GalleryError) => {
    gallery?.markClosed(error);
    opts.onClose?.(error);
  };
  const name = opts.name ?? DB_NAME;
  const db = await openDatabase(opts.factory ?? defaultFactory(), name, {
    onVersionChange: () => closedFromOutside(new GalleryError('blocked', MESSAGES.replaced)),
    onTerminated: () => closedFromOutside(new GalleryError('closed', MESSAGES.terminated)),
  });
  let state: StateRow;
  try {
    state = asState(await db.get('meta', STATE_KEY));
  } catch (err) {
    db.close();
    throw toGalleryError(err);
  }
  gallery = new Gallery(db, state, opts.now ?? Date.now, opts.newId ?? randomId, openChanges(opts.changes, name));
  return gallery;
}
