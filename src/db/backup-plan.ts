/**
 * What importing a backup would do to the gallery, decided before anything is written: the records
 * to write, the report, and a preview a person can read — who is added, whose record or face
 * templates change, who is removed — with names, counts and a thumbnail where there is one.
 *
 * - "replace": the gallery becomes the backup. A person in both (same id) whose name, notes,
 *   templates or thumbnails differ is a change; people only in the gallery are removed.
 * - "merge": nothing local is overwritten. A record whose id is free is added as is; one whose id
 *   is taken by the same content is skipped (importing the same backup twice changes nothing); one
 *   whose id is taken by different content gets a new id, and records pointing at it follow. New
 *   templates or thumbnails for a person already in the gallery are a change to that person — the
 *   way a forged backup would give someone a second face — so they are listed too.
 */
import { GalleryError } from './errors';
import { bytesEqual, float32ToBytesLE } from './encoding';
import type { Pacer } from './pacer';
import type { Identity, Template, Thumbnail } from './records';

export type ImportMode = 'merge' | 'replace';

export interface GalleryCounts {
  identities: number;
  templates: number;
  thumbnails: number;
}

export interface GalleryContent {
  identities: Identity[];
  templates: Template[];
  thumbnails: Thumbnail[];
}

export interface ImportReport {
  mode: ImportMode;
  /** Records written (including re-id'd ones). */
  added: GalleryCounts;
  /** Records already in the gallery with the same id and the same content. */
  skipped: GalleryCounts;
  /** Records whose id was taken by different content, written under a new id. */
  reIded: GalleryCounts;
}

/** One person as the preview shows them. */
export interface PersonSummary {
  id: string;
  name: string;
  templates: number;
  thumbnails: number;
  /** Their newest thumbnail, for the first entries of each list (null past them, or when they have none). */
  thumbnail: Blob | null;
}

/** A person who is in the gallery and whom the import would change. */
export interface PersonChange {
  id: string;
  before: PersonSummary;
  after: PersonSummary;
  renamed: boolean;
  notesChanged: boolean;
  templatesAdded: number;
  templatesRemoved: number;
  /** Same template id, different face data (or model, quality…): the face itself is swapped. */
  templatesReplaced: number;
  thumbnailsAdded: number;
  thumbnailsRemoved: number;
  thumbnailsReplaced: number;
}

export interface ImportPreview {
  mode: ImportMode;
  add: PersonSummary[];
  change: PersonChange[];
  remove: PersonSummary[];
  /** People in both whom the import leaves exactly as they are. */
  unchanged: number;
  before: GalleryCounts;
  after: GalleryCounts;
}

/** The limits on what one import may bring; above them the import is refused, saying which. */
export const IMPORT_LIMITS = {
  identities: 200_000,
  templatesPerIdentity: 100,
  thumbnailsPerIdentity: 100,
} as const;

/** Only the first entries of each preview list carry a thumbnail (decoding 100,000 would be slow). */
export const PREVIEW_THUMBNAILS = 100;

/** What the planner needs to know of the gallery: every identity, and the clear fields of every row. */
export interface ExistingGallery {
  identities: ReadonlyMap<string, Identity>;
  templates: ReadonlyMap<string, { identityId: string; modelId: string; dim: number }>;
  thumbnails: ReadonlyMap<string, { identityId: string; created: number }>;
  /** Decode one stored record (only called for ids the backup also holds, and for preview thumbnails). */
  template(id: string): Promise<Template>;
  thumbnail(id: string): Promise<Thumbnail>;
}

export interface ImportPlanResult {
  toWrite: GalleryContent;
  report: ImportReport;
  preview: ImportPreview;
}

export function zeroCounts(): GalleryCounts {
  return { identities: 0, templates: 0, thumbnails: 0 };
}

const countsOf = (c: { identities: unknown[]; templates: unknown[]; thumbnails: unknown[] }): GalleryCounts => ({
  identities: c.identities.length,
  templates: c.templates.length,
  thumbnails: c.thumbnails.length,
});

const sameIdentity = (a: Identity, b: Identity) => a.name === b.name && a.notes === b.notes && a.created === b.created;

export const sameTemplate = (a: Template, b: Template) =>
  a.identityId === b.identityId &&
  a.modelId === b.modelId &&
  a.dim === b.dim &&
  a.quality === b.quality &&
  a.source === b.source &&
  a.created === b.created &&
  bytesEqual(float32ToBytesLE(a.embedding), float32ToBytesLE(b.embedding));

async function sameThumbnail(a: Thumbnail, b: Thumbnail): Promise<boolean> {
  return (
    a.identityId === b.identityId &&
    a.templateId === b.templateId &&
    a.width === b.width &&
    a.height === b.height &&
    a.created === b.created &&
    a.blob.type === b.blob.type &&
    a.blob.size === b.blob.size &&
    bytesEqual(new Uint8Array(await a.blob.arrayBuffer()), new Uint8Array(await b.blob.arrayBuffer()))
  );
}

function refuse(message: string): GalleryError {
  return new GalleryError('bad-backup', message);
}

/** A sentence if `templates` disagree with the gallery's dimension for some model, else null. */
export function dimensionConflict(
  templates: readonly Template[],
  galleryDims: ReadonlyMap<string, number>,
): string | null {
  for (const t of templates) {
    const dim = galleryDims.get(t.modelId);
    if (dim !== undefined && dim !== t.dim) {
      return (
        `The backup's templates for model ${t.modelId} have ${t.dim} values, but this gallery's have ${dim}. ` +
        'Import it with "replace", or into an empty gallery.'
      );
    }
  }
  return null;
}

/** Group ids by owner: owner id → ids. */
function groupBy<T>(records: Iterable<[string, T]>, owner: (r: T) => string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [id, r] of records) {
    const key = owner(r);
    let list = out.get(key);
    if (list === undefined) out.set(key, (list = []));
    list.push(id);
  }
  return out;
}

/** Decide what an import writes and what it changes; refuses (bad-backup) what must not be written. */
export async function planImport(
  incoming: GalleryContent,
  existing: ExistingGallery,
  mode: ImportMode,
  newId: () => string,
  pacer: Pacer,
): Promise<ImportPlanResult> {
  const result = mode === 'merge' ? await planMerge(incoming, existing, newId, pacer) : await planReplace(incoming);
  await checkLimitsAfter(result.toWrite, existing, mode);
  const preview = await describe(result.toWrite, existing, mode, pacer);
  return { ...result, preview };
}

async function planReplace(incoming: GalleryContent): Promise<Omit<ImportPlanResult, 'preview'>> {
  return {
    toWrite: incoming,
    report: { mode: 'replace', added: countsOf(incoming), skipped: zeroCounts(), reIded: zeroCounts() },
  };
}

async function planMerge(
  incoming: GalleryContent,
  existing: ExistingGallery,
  newId: () => string,
  pacer: Pacer,
): Promise<Omit<ImportPlanResult, 'preview'>> {
  const report: ImportReport = { mode: 'merge', added: zeroCounts(), skipped: zeroCounts(), reIded: zeroCounts() };
  const toWrite: GalleryContent = { identities: [], templates: [], thumbnails: [] };

  const identityIds = new Map<string, string>();
  for (const identity of incoming.identities) {
    const local = existing.identities.get(identity.id);
    if (local === undefined) {
      toWrite.identities.push(identity);
      identityIds.set(identity.id, identity.id);
    } else if (sameIdentity(local, identity)) {
      report.skipped.identities++;
      identityIds.set(identity.id, identity.id);
    } else {
      const id = newId();
      toWrite.identities.push({ ...identity, id });
      identityIds.set(identity.id, id);
      report.reIded.identities++;
    }
    if (pacer.due()) await pacer.yield();
  }

  const templateIds = new Map<string, string>();
  for (const template of incoming.templates) {
    const t = { ...template, identityId: identityIds.get(template.identityId) ?? template.identityId };
    if (!existing.templates.has(t.id)) {
      toWrite.templates.push(t);
      templateIds.set(t.id, t.id);
    } else if (sameTemplate(await existing.template(t.id), t)) {
      report.skipped.templates++;
      templateIds.set(t.id, t.id);
    } else {
      const id = newId();
      toWrite.templates.push({ ...t, id });
      templateIds.set(t.id, id);
      report.reIded.templates++;
    }
    if (pacer.due()) await pacer.yield();
  }

  for (const thumbnail of incoming.thumbnails) {
    const t: Thumbnail = {
      ...thumbnail,
      identityId: identityIds.get(thumbnail.identityId) ?? thumbnail.identityId,
      ...(thumbnail.templateId !== undefined
        ? { templateId: templateIds.get(thumbnail.templateId) ?? thumbnail.templateId }
        : {}),
    };
    if (!existing.thumbnails.has(t.id)) {
      toWrite.thumbnails.push(t);
    } else if (await sameThumbnail(await existing.thumbnail(t.id), t)) {
      report.skipped.thumbnails++;
    } else {
      toWrite.thumbnails.push({ ...t, id: newId() });
      report.reIded.thumbnails++;
    }
    if (pacer.due()) await pacer.yield();
  }

  report.added = countsOf(toWrite);
  const dims = new Map<string, number>();
  for (const t of existing.templates.values()) dims.set(t.modelId, t.dim);
  const conflict = dimensionConflict(toWrite.templates, dims);
  if (conflict !== null) throw refuse(conflict);
  return { toWrite, report };
}

const people = (n: number) => `${n.toLocaleString('en')} ${n === 1 ? 'person' : 'people'}`;

/** The gallery after the import must stay within the limits too (a merge adds to what is there). */
async function checkLimitsAfter(toWrite: GalleryContent, existing: ExistingGallery, mode: ImportMode): Promise<void> {
  if (mode === 'replace') return; // the backup alone was checked when it was read
  const total = existing.identities.size + toWrite.identities.length;
  if (total > IMPORT_LIMITS.identities) {
    throw refuse(
      `After this import the gallery would hold ${people(total)}; Facet keeps at most ${people(IMPORT_LIMITS.identities)}. ` +
        'Import with "replace", or delete people first.',
    );
  }
  const perIdentity = (kind: 'templates' | 'thumbnails', added: readonly { identityId: string }[]) => {
    const stored = groupBy<{ identityId: string }>(existing[kind].entries(), (r) => r.identityId);
    const counts = new Map<string, number>();
    for (const r of added)
      counts.set(r.identityId, (counts.get(r.identityId) ?? stored.get(r.identityId)?.length ?? 0) + 1);
    const limit = kind === 'templates' ? IMPORT_LIMITS.templatesPerIdentity : IMPORT_LIMITS.thumbnailsPerIdentity;
    for (const [identityId, n] of counts) {
      if (n > limit) {
        const name = existing.identities.get(identityId)?.name ?? identityId;
        throw refuse(
          `After this import ${name} would have ${n} ${kind}; Facet keeps at most ${limit} ${kind} per person.`,
        );
      }
    }
  };
  perIdentity('templates', toWrite.templates);
  perIdentity('thumbnails', toWrite.thumbnails);
}

interface Side {
  templates: Map<string, string[]>;
  thumbnails: Map<string, string[]>;
}

/** The preview: compare the gallery with what it will be after the write. */
async function describe(
  toWrite: GalleryContent,
  existing: ExistingGallery,
  mode: ImportMode,
  pacer: Pacer,
): Promise<ImportPreview> {
  // What each person has after the import, as maps of record id → record.
  const written = {
    templates: new Map(toWrite.templates.map((t) => [t.id, t] as const)),
    thumbnails: new Map(toWrite.thumbnails.map((t) => [t.id, t] as const)),
  };
  const gallerySide: Side = {
    templates: groupBy(existing.templates.entries(), (t) => t.identityId),
    thumbnails: groupBy(existing.thumbnails.entries(), (t) => t.identityId),
  };
  const writtenSide: Side = {
    templates: groupBy(written.templates.entries(), (t) => t.identityId),
    thumbnails: groupBy(written.thumbnails.entries(), (t) => t.identityId),
  };
  const newestWritten = newestBy(toWrite.thumbnails.map((t) => [t.id, t] as const));
  const newestStored = newestBy(existing.thumbnails.entries());

  const add: PersonSummary[] = [];
  const change: PersonChange[] = [];
  const remove: PersonSummary[] = [];
  let unchanged = 0;

  const summary = async (identity: Identity, side: Side, stored: boolean, withThumbnail: boolean) => {
    const thumbId = (stored ? newestStored : newestWritten).get(identity.id);
    let thumbnail: Blob | null = null;
    if (withThumbnail && thumbId !== undefined) {
      thumbnail = stored ? (await existing.thumbnail(thumbId)).blob : (written.thumbnails.get(thumbId)?.blob ?? null);
    }
    return {
      id: identity.id,
      name: identity.name,
      templates: side.templates.get(identity.id)?.length ?? 0,
      thumbnails: side.thumbnails.get(identity.id)?.length ?? 0,
      thumbnail,
    };
  };

  const writtenIdentities = new Map(toWrite.identities.map((i) => [i.id, i] as const));
  for (const identity of toWrite.identities) {
    if (mode === 'replace' && existing.identities.has(identity.id)) continue; // compared below
    add.push(await summary(identity, writtenSide, false, add.length < PREVIEW_THUMBNAILS));
    if (pacer.due()) await pacer.yield();
  }

  // Everyone in the gallery: changed, unchanged or (replace) removed. Merge never rewrites a stored identity.
  for (const [id, before] of existing.identities) {
    const next = mode === 'replace' ? writtenIdentities.get(id) : before;
    if (next === undefined) {
      remove.push(await summary(before, gallerySide, true, remove.length < PREVIEW_THUMBNAILS));
      if (pacer.due()) await pacer.yield();
      continue;
    }
    const t = await compareRecords(
      gallerySide.templates.get(id) ?? [],
      mode === 'replace' ? (writtenSide.templates.get(id) ?? []) : undefined,
      writtenSide.templates.get(id) ?? [],
      (rid) => existing.template(rid),
      (rid) => written.templates.get(rid)!,
      async (a, b) => sameTemplate(a, b),
    );
    const th = await compareRecords(
      gallerySide.thumbnails.get(id) ?? [],
      mode === 'replace' ? (writtenSide.thumbnails.get(id) ?? []) : undefined,
      writtenSide.thumbnails.get(id) ?? [],
      (rid) => existing.thumbnail(rid),
      (rid) => written.thumbnails.get(rid)!,
      sameThumbnail,
    );
    const renamed = next.name !== before.name;
    const notesChanged = next.notes !== before.notes;
    if (!renamed && !notesChanged && t.added + t.removed + t.replaced + th.added + th.removed + th.replaced === 0) {
      unchanged++;
    } else {
      const withThumbnail = change.length < PREVIEW_THUMBNAILS;
      const afterSide: Side =
        mode === 'replace'
          ? writtenSide
          : {
              templates: new Map([
                [id, [...(gallerySide.templates.get(id) ?? []), ...(writtenSide.templates.get(id) ?? [])]],
              ]),
              thumbnails: new Map([
                [id, [...(gallerySide.thumbnails.get(id) ?? []), ...(writtenSide.thumbnails.get(id) ?? [])]],
              ]),
            };
      const afterSummary = await summary(
        next,
        afterSide,
        mode === 'merge' && !writtenSide.thumbnails.has(id),
        withThumbnail,
      );
      change.push({
        id,
        before: await summary(before, gallerySide, true, withThumbnail),
        after: afterSummary,
        renamed,
        notesChanged,
        templatesAdded: t.added,
        templatesRemoved: t.removed,
        templatesReplaced: t.replaced,
        thumbnailsAdded: th.added,
        thumbnailsRemoved: th.removed,
        thumbnailsReplaced: th.replaced,
      });
    }
    if (pacer.due()) await pacer.yield();
  }

  const before: GalleryCounts = {
    identities: existing.identities.size,
    templates: existing.templates.size,
    thumbnails: existing.thumbnails.size,
  };
  const after =
    mode === 'replace'
      ? countsOf(toWrite)
      : {
          identities: before.identities + toWrite.identities.length,
          templates: before.templates + toWrite.templates.length,
          thumbnails: before.thumbnails + toWrite.thumbnails.length,
        };
  return { mode, add, change, remove, unchanged, before, after };
}

/** Newest record id per owner, by `created`. */
function newestBy(records: Iterable<readonly [string, { identityId: string; created: number }]>): Map<string, string> {
  const newest = new Map<string, { id: string; created: number }>();
  for (const [id, r] of records) {
    const current = newest.get(r.identityId);
    if (current === undefined || r.created >= current.created) newest.set(r.identityId, { id, created: r.created });
  }
  return new Map([...newest].map(([owner, v]) => [owner, v.id]));
}

/**
 * How one person's templates (or thumbnails) differ. In replace mode `replacing` lists the ids they
 * will have; in merge mode (`replacing` undefined) they keep theirs and gain `incoming`.
 */
async function compareRecords<T>(
  storedIds: readonly string[],
  replacing: readonly string[] | undefined,
  incoming: readonly string[],
  stored: (id: string) => Promise<T>,
  written: (id: string) => T,
  same: (a: T, b: T) => Promise<boolean>,
): Promise<{ added: number; removed: number; replaced: number }> {
  if (replacing === undefined) return { added: incoming.length, removed: 0, replaced: 0 };
  const before = new Set(storedIds);
  const after = new Set(replacing);
  let added = 0;
  let removed = 0;
  let replaced = 0;
  for (const id of after) {
    if (!before.has(id)) added++;
    else if (!(await same(await stored(id), written(id)))) replaced++;
  }
  for (const id of before) if (!after.has(id)) removed++;
  return { added, removed, replaced };
}
