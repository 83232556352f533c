// What the Lab's cards share: words, colours, number formats and the hooks that read the store
// narrowly, so that a card renders again only when what it shows has changed.
import { useShallow } from 'zustand/react/shallow';
import type { LabMethod } from '../../../ml/siamese/compare';
import { useFaces } from '../../../state/faces';
import { prepareLabData, useLab, type LabData, type LabSource, type SplitSettings } from '../../../state/lab';

export { modelName } from '../../../state/lab';

export const METHOD_LABEL: Record<LabMethod, string> = {
  cosine: 'No model (plain cosine)',
  head: 'Triplet head',
  'pair-classifier': 'Pair classifier',
};
export const METHOD_COLOUR: Record<LabMethod, string> = {
  cosine: '#8d99ae',
  head: '#6d5dfc',
  'pair-classifier': '#e76f51',
};
export const GENUINE = '#2a9d8f';
export const IMPOSTOR = '#e76f51';

export { percent as pct } from '../../../state/lab';
export { plural } from '../../format';

export function countIdentities(samples: readonly { label: string }[] | undefined): number {
  return new Set(samples?.map((s) => s.label)).size;
}

/** A run is under way (running or paused): the knobs are locked. */
export const useBusy = () => useLab((s) => s.status === 'running' || s.status === 'paused');

// Several cards show the same data; they share one computation of it rather than split it each.
let last: {
  gallery: LabSource | null;
  folder: LabSource | null;
  split: SplitSettings;
  embedderId: string;
  data: LabData;
} | null = null;

function labData(gallery: LabSource | null, folder: LabSource | null, split: SplitSettings, embedderId: string) {
  if (
    last &&
    last.gallery === gallery &&
    last.folder === folder &&
    last.embedderId === embedderId &&
    last.split.useGallery === split.useGallery &&
    last.split.useFolder === split.useFolder &&
    last.split.testFraction === split.testFraction &&
    last.split.splitSeed === split.splitSeed
  ) {
    return last.data;
  }
  last = { gallery, folder, split, embedderId, data: prepareLabData(gallery, folder, split, embedderId) };
  return last.data;
}

/** The data the chosen sources give for the active embedder, as the store will train on it. */
export function useLabData(): LabData {
  const gallery = useLab((s) => s.gallery.source);
  const folder = useLab((s) => s.folder);
  const split = useLab(
    useShallow((s) => ({
      useGallery: s.settings.useGallery,
      useFolder: s.settings.useFolder,
      testFraction: s.settings.testFraction,
      splitSeed: s.settings.splitSeed,
    })),
  );
  const embedderId = useFaces((s) => s.embedderId);
  return labData(gallery, folder, split, embedderId);
}
