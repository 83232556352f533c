// The gallery's matching: a matcher over the active model's templates, made on first use and
// kept until the templates, the model or the adopted Lab model change, so Unlock and Identify
// match each frame without reading IndexedDB again.
import type { Matcher, MatchingModel } from '../ml/face/matcher';
import { galleryLockedError, isGalleryLocked } from './gallery-locked';
import type { GalleryContext, GalleryState } from './gallery-store';

const LOCKED_PURPOSE = 'match faces';

export function createMatchSlice(ctx: GalleryContext): { match: GalleryState['match']; dropIndex(): void } {
  const { services, get } = ctx;
  let index: { modelId: string; revision: number; labId: string | null; matcher: Matcher } | null = null;
  let adopted: { id: string; model: Promise<MatchingModel> } | null = null;

  function dropIndex(): void {
    index?.matcher.close();
    index = null;
  }

  /** The adopted Lab model if it was trained on `modelId`'s embeddings; never applied to another model's. */
  async function adoptedFor(modelId: string): Promise<MatchingModel | null> {
    const id = services.adoptedModelId();
    if (adopted?.id !== id) {
      void adopted?.model.then((m) => (m.head ?? m.classifier)?.dispose()).catch(() => undefined);
      adopted = id ? { id, model: services.loadAdoptedModel(id) } : null;
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

  const match: GalleryState['match'] = async (embedding, modelId, identityId, use = 'unlock') => {
    const g = await get().open();
    if (!g) return { identityId: null, name: null, score: 0, matched: false };
    if (g.isLocked()) {
      dropIndex();
      if (get().encryption !== 'locked') ctx.refreshInBackground();
      throw galleryLockedError(LOCKED_PURPOSE);
    }
    const lab = await adoptedFor(modelId);
    const labId = lab?.id ?? null;
    const revision = ctx.revision();
    if (!index || index.modelId !== modelId || index.revision !== revision || index.labId !== labId) {
      dropIndex();
      let packed;
      try {
        packed = await g.templatesForModel(modelId);
      } catch (e) {
        // Encryption was turned on in another tab: this tab holds no key for it.
        if (!isGalleryLocked(e)) throw e;
        ctx.refreshInBackground();
        throw galleryLockedError(LOCKED_PURPOSE, e);
      }
      const matcher = await services.createMatcher(
        { identityIds: packed.identityIds, matrix: packed.matrix, dim: packed.dim || embedding.length },
        { backend: services.backend(), model: lab },
      );
      index = { modelId, revision, labId, matcher };
    }
    const threshold = services.threshold(use);
    const decision = identityId
      ? await index.matcher.verify(embedding, identityId, threshold)
      : await index.matcher.identify(embedding, threshold);
    const id = decision.identityId ?? decision.closestId;
    const name = get().identities.find((i) => i.id === id)?.name ?? null;
    return { identityId: id, name, score: decision.score, matched: decision.identityId != null };
  };

  return { match, dropIndex };
}
