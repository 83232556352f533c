// The People gallery's store as the app uses it, wired to the real services: the IndexedDB
// gallery, the active face engine, the matcher and the adopted Lab model (both loaded with tfjs
// only when something is matched), and the settings. The store itself is in gallery-store.ts.
import { broadcastChanges, openGallery } from '../db';
import { studio } from '../db/studio';
import type { MatchingModel } from '../ml/face/matcher';
import { decodeImageFile } from '../ml/runtime/image-file';
import type { HeadRecord } from '../ml/siamese/head';
import type { PairClassifierRecord } from '../ml/siamese/pair-classifier';
import { faceThreshold, useFaces } from './faces';
import { createGalleryStore } from './gallery-store';
import { useRuntime } from './runtime';
import { passphraseGuard } from './security';
import { useSettings } from './settings';

export {
  createGalleryStore,
  PASSPHRASE_MIN_LENGTH,
  type EncryptionState,
  type GalleryServices,
  type GalleryState,
  type MatchResult,
} from './gallery-store';
export type { EnrolPrompt } from './gallery-enrol-prompt';
export { galleryLockedMessage, isGalleryLocked } from './gallery-locked';
export { previewThumbKey, trustMessage, type RestoreState, type RestoreTrust } from './gallery-backup';
export type { PersonChange, PersonSummary } from '../db';

async function loadAdoptedModel(id: string): Promise<MatchingModel> {
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

export const useGallery = createGalleryStore({
  // Writes are announced to the app's other tabs, whose People lists then re-read.
  openGallery: () => openGallery({ changes: typeof BroadcastChannel === 'undefined' ? undefined : broadcastChanges }),
  embedderId: () => useFaces.getState().embedderId,
  engine: {
    analyse: (source, maxFaces, onFrame) => useFaces.getState().analyse(source, maxFaces, onFrame),
    analyseWithThumbnails: (source, maxFaces) => useFaces.getState().analyseWithThumbnails(source, maxFaces),
  },
  upgradePending: () => useFaces.getState().upgradePending,
  clearUpgrade: () => useFaces.getState().clearUpgrade(),
  decodeImage: (file) => decodeImageFile(file),
  decodeThumbnail: (blob) => createImageBitmap(blob),
  async createMatcher(templates, options) {
    // The matcher's search runs on tfjs: it loads with the first match, not with the page.
    const { createMatcher } = await import('../ml/face/matcher');
    return createMatcher(templates, options);
  },
  adoptedModelId: () => useSettings.getState().adoptedLabModelId,
  loadAdoptedModel,
  threshold: (use) => faceThreshold(use),
  backend: () => useRuntime.getState().info?.name ?? 'cpu',
  passphraseGuard,
});
