import { FACE_MODELS, useFaces } from '../../../state/faces';

/** The display name of the active embedding model. */
export function useActiveModel() {
  const id = useFaces((s) => s.embedderId);
  return { id, name: FACE_MODELS.find((m) => m.id === id)?.name ?? id };
}

export function download(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
