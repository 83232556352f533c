// The gallery of enrolled people: enrollment from a photo or the camera, edits with undo,
// backup and restore, and the search index that Unlock and Identify match against.
import { create } from 'zustand';
import { GalleryError, openGallery, type DeletedIdentity, type Gallery, type IdentitySummary } from '../db';
import type { FaceAnalysis } from '../ml/face/pipeline';
import { createSearcher, identify, type Searcher } from '../ml/face/search';
import { decodeImageFile } from '../ml/runtime/image-file';
import { faceThreshold, useFaces, type FrameInput } from './faces';
import { useRuntime } from './runtime';

export interface Thumb {
  identityId: string;
  url: string;
}

export interface MatchResult {
  identityId: string | null;
  name: string | null;
  score: number;
}

interface Undo {
  name: string;
  deleted: DeletedIdentity;
}

interface GalleryState {
  status: 'closed' | 'opening' | 'ready' | 'error';
  error: string | null;
  identities: IdentitySummary[];
  /** One object URL per identity, for its newest thumbnail. */
  thumbs: Record<string, string>;
  busy: string | null;
  notice: string | null;
  undo: Undo | null;
  open(): Promise<Gallery | null>;
  refresh(): Promise<void>;
  enrollFromFile(name: string, file: File): Promise<boolean>;
  enrollFromCamera(name: string, video: HTMLVideoElement, frames?: number): Promise<boolean>;
  rename(id: string, name: string): Promise<void>;
  remove(id: string): Promise<void>;
  undoRemove(): Promise<void>;
  exportBackup(): Promise<{ blob: Blob; fileName: string } | null>;
  importBackup(file: File, mode: 'merge' | 'replace'): Promise<boolean>;
  match(embedding: Float32Array, modelId: string, identityId?: string | null): Promise<MatchResult>;
  clearMessages(): void;
}

let gallery: Promise<Gallery> | null = null;
let index: { modelId: string; revision: number; searcher: Searcher; identityIds: string[] } | null = null;
let revision = 0;

function message(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

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

export const useGallery = create<GalleryState>()((set, get) => ({
  status: 'closed',
  error: null,
  identities: [],
  thumbs: {},
  busy: null,
  notice: null,
  undo: null,

  async open() {
    gallery ??= openGallery();
    if (get().status === 'closed') set({ status: 'opening' });
    try {
      const g = await gallery;
      if (get().status !== 'ready') {
        set({ status: 'ready', error: null });
        await get().refresh();
      }
      return g;
    } catch (e) {
      gallery = null;
      set({ status: 'error', error: message(e) });
      return null;
    }
  },

  async refresh() {
    const g = await gallery;
    if (!g) return;
    const identities = await g.listIdentities();
    const old = get().thumbs;
    const thumbs: Record<string, string> = {};
    for (const identity of identities) {
      const list = await g.thumbnails(identity.id).catch(() => []);
      const newest = list.at(-1);
      if (newest) thumbs[identity.id] = URL.createObjectURL(newest.blob);
    }
    Object.values(old).forEach((url) => URL.revokeObjectURL(url));
    revision++;
    set({ identities, thumbs });
  },

  async enrollFromFile(name, file) {
    const g = await get().open();
    if (!g) return false;
    set({ busy: `Enrolling ${name}…`, error: null, notice: null });
    try {
      const image = await decodeImageFile(file);
      try {
        const { faces, thumbnails } = await useFaces.getState().analyseWithThumbnails(image.bitmap);
        const face = pickEnrollmentFace(faces, `"${image.name}"`);
        const identity = await g.addIdentity(name);
        const i = faces.indexOf(face);
        await g.addTemplate(
          identity.id,
          { embedding: face.embedding, modelId: face.modelId, quality: face.quality.score, source: 'photo' },
          { blob: thumbnails[i]!, width: 160, height: 160 },
        );
        const extra = faces.length > 1 ? ` ${faces.length} faces were found; the largest was used.` : '';
        set({ notice: `${name} is enrolled from one photo.${extra}${image.notice ? ` ${image.notice}` : ''}` });
      } finally {
        image.bitmap.close();
      }
      await get().refresh();
      return true;
    } catch (e) {
      set({ error: message(e) });
      return false;
    } finally {
      set({ busy: null });
    }
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
      set({ error: message(e) });
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
      set({ error: message(e) });
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
      set({ error: message(e) });
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
      set({ undo: null, error: message(e) });
    }
  },

  async exportBackup() {
    const g = await get().open();
    if (!g) return null;
    try {
      const { bytes, fileName, mimeType } = await g.exportBackup({ app: 'Facet' });
      return { blob: new Blob([bytes as Uint8Array<ArrayBuffer>], { type: mimeType }), fileName };
    } catch (e) {
      set({ error: message(e) });
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
      const reason = e instanceof GalleryError ? e.message : `The backup could not be read: ${message(e)}`;
      set({ error: `${reason} Nothing was changed.` });
      return false;
    } finally {
      set({ busy: null });
    }
  },

  async match(embedding, modelId, identityId) {
    const g = await get().open();
    if (!g) return { identityId: null, name: null, score: 0 };
    if (!index || index.modelId !== modelId || index.revision !== revision) {
      index?.searcher.dispose();
      const packed = await g.templatesForModel(modelId);
      const ids = [...new Set(packed.identityIds)];
      const identities = packed.identityIds.map((id) => ids.indexOf(id));
      const backend = useRuntime.getState().info?.name ?? 'cpu';
      index = {
        modelId,
        revision,
        identityIds: ids,
        searcher: createSearcher(
          { vectors: packed.matrix, dim: packed.dim || embedding.length, identities },
          { backend },
        ),
      };
    }
    if (index.searcher.size === 0) return { identityId: null, name: null, score: 0 };
    const [hits] = await index.searcher.search(embedding, Math.min(50, index.searcher.size));
    const threshold = faceThreshold();
    let candidates = hits ?? [];
    if (identityId) candidates = candidates.filter((h) => index!.identityIds[h.identityIndex ?? -1] === identityId);
    const result = identify(candidates, threshold);
    const best = candidates[0];
    const bestId = best ? (index.identityIds[best.identityIndex ?? -1] ?? null) : null;
    const name = (id: string | null) => get().identities.find((i) => i.id === id)?.name ?? null;
    if (result.status === 'match') {
      const id = index.identityIds[result.identityIndex] ?? null;
      return { identityId: id, name: name(id), score: result.score };
    }
    return { identityId: bestId, name: name(bestId), score: best?.score ?? 0 };
  },

  clearMessages() {
    set({ error: null, notice: null });
  },
}));
