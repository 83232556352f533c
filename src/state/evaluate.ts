// Evaluate: run the face pipeline over a labelled folder (one subfolder per identity) and
// measure verification (ROC, EER, TAR at FAR 1e-3) and identification (rank-1).
import { create } from 'zustand';
import { evaluateEmbeddings, type FaceEvaluation, type LabelledEmbedding } from '../ml/face/evaluate';
import { decodeImageFile } from '../ml/runtime/image-file';
import { useFaces } from './faces';
import { useRuntime } from './runtime';
import { useSettings } from './settings';

export interface EvaluationReport extends FaceEvaluation {
  images: number;
  faces_found: number;
  /** Images in which no face was found, or that could not be read, with the reason. */
  skipped: { file: string; reason: string }[];
  model: string;
  backend: string;
  ms_per_image: number;
}

interface EvaluateState {
  running: boolean;
  progress: { done: number; total: number } | null;
  report: EvaluationReport | null;
  error: string | null;
  run(files: File[]): Promise<EvaluationReport | null>;
  adoptThreshold(): void;
}

/** The identity of a file: the folder it sits in (`set/alice/1.jpg` → `alice`). */
export function labelOf(file: File): string | null {
  const path = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2]! : null;
}

const IMAGE_NAME = /\.(jpe?g|png|webp|gif|bmp)$/i;

export const useEvaluate = create<EvaluateState>()((set, get) => ({
  running: false,
  progress: null,
  report: null,
  error: null,

  async run(files) {
    const images = files.filter((f) => IMAGE_NAME.test(f.name));
    const labelled = images.map((f) => ({ file: f, label: labelOf(f) })).filter((x) => x.label);
    if (labelled.length === 0) {
      set({ error: 'No labelled images found. Choose a folder with one subfolder of images per person.' });
      return null;
    }
    set({ running: true, error: null, report: null, progress: { done: 0, total: labelled.length } });
    const samples: LabelledEmbedding[] = [];
    const skipped: { file: string; reason: string }[] = [];
    const t0 = performance.now();
    let modelId = useFaces.getState().embedderId as string;
    try {
      for (const [i, { file, label }] of labelled.entries()) {
        const name = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
        try {
          const image = await decodeImageFile(file);
          try {
            const { faces } = await useFaces.getState().analyse(image.bitmap);
            const face = [...faces].sort((a, b) => b.detection.box.height - a.detection.box.height)[0];
            if (face) {
              samples.push({ label: label!, embedding: face.embedding });
              modelId = face.modelId;
            } else skipped.push({ file: name, reason: 'no face found' });
          } finally {
            image.bitmap.close();
          }
        } catch (e) {
          skipped.push({ file: name, reason: e instanceof Error ? e.message : String(e) });
        }
        set({ progress: { done: i + 1, total: labelled.length } });
      }
      const report: EvaluationReport = {
        ...evaluateEmbeddings(samples),
        images: labelled.length,
        faces_found: samples.length,
        skipped,
        model: modelId,
        backend: useRuntime.getState().info?.name ?? 'unknown',
        ms_per_image: Math.round((performance.now() - t0) / labelled.length),
      };
      set({ report });
      return report;
    } catch (e) {
      set({ error: e instanceof Error ? e.message : String(e) });
      return null;
    } finally {
      set({ running: false });
    }
  },

  adoptThreshold() {
    const report = get().report;
    if (report) useSettings.getState().setFace({ faceThreshold: Math.round(report.threshold_at_eer * 1000) / 1000 });
  },
}));
