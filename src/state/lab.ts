// The Siamese Lab's store with the app's own services behind it: the lab session on the running
// tfjs backend, the gallery's templates, folder import through the face pipeline, the studio
// database for saved models, and the settings store for the model Unlock and Identify adopt
// (`match` in gallery.ts reads it back). The store itself is in lab-store.ts.
import { galleryLockedMessage, isGalleryLocked } from './gallery-locked';
import { studio } from '../db/studio';
import { errorMessage } from '../ml/core/errors';
import { createLabSession } from '../ml/siamese/lab-session';
import { labelledFromPackedTemplates } from '../ml/siamese/split';
import { embedLabelledFolder } from './evaluate';
import { useFaces } from './faces';
import { useGallery } from './gallery';
import { createLabStore, type LabServices } from './lab-store';
import { useSettings } from './settings';

export * from './lab-data';
export * from './lab-store';
export * from './lab-verdict';

async function galleryTemplates(modelId: string) {
  try {
    const g = await useGallery.getState().open();
    if (!g) throw new Error(useGallery.getState().error ?? 'The gallery could not be opened.');
    return labelledFromPackedTemplates(await g.templatesForModel(modelId));
  } catch (e) {
    if (isGalleryLocked(e)) throw new Error(galleryLockedMessage('train on it'), { cause: e });
    throw new Error(`The gallery could not be read: ${errorMessage(e)}`, { cause: e });
  }
}

export const labServices: LabServices = {
  createSession: createLabSession,
  embedderId: () => useFaces.getState().embedderId,
  galleryTemplates,
  embedFolder: embedLabelledFolder,
  models: {
    list: async () => (await studio()).listModels(),
    save: async (model) => (await studio()).saveModel(model),
    delete: async (id) => (await studio()).deleteModel(id),
  },
  adoptedModelId: () => useSettings.getState().adoptedLabModelId,
  setAdoptedModelId: (id) => useSettings.setState({ adoptedLabModelId: id }),
  newId: () => crypto.randomUUID(),
  storage: () => localStorage,
};

export const useLab = createLabStore(labServices);
