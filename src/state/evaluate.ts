// Evaluate: run the face pipeline over a labelled folder (one subfolder per identity) and
// measure verification (ROC, EER, TAR at FAR 1e-3) and identification (rank-1), and keep what
// the "verification versus recognition" panel needs to recount 1:N rates at any threshold.
import { create } from 'zustand';
import {
  equalErrorRate,
  evaluateEmbeddings,
  gallerySizes,
  openSetTrials,
  pairScores,
  type FaceEvaluation,
  type LabelledEmbedding,
  type OpenSetTrials,
} from '../ml/face/evaluate';
import { calibrateThreshold, ratesAt, type Calibration } from '../ml/face/calibration';
import { clampThreshold, EMBEDDERS, isEmbedderId, type EmbedderId } from '../ml/face/embedder-specs';
import { multiTemplateEvaluation, oneShotEvaluation, type OneShotResult } from '../ml/face/one-shot';
import { decodeImageFile } from '../ml/runtime/image-file';
import { thresholdFor, useFaces } from './faces';
import { useRuntime } from './runtime';
import { useSettings, type ThresholdUse } from './settings';
import { errorMessage } from '../ml/core/errors';

/**
 * The operating points thresholds are calibrated for: Unlock lets at most 1 stranger in 1,000
 * through (at the set's resolution); Identify, which names people rather than opening anything,
 * 1 in 100.
 */
export const TARGET_FAR: Record<ThresholdUse, number> = { unlock: 1e-3, identify: 1e-2 };

export interface EvaluationReport extends FaceEvaluation {
  /** The Unlock threshold in force for the model (the user's, or its calibrated default). */
  threshold: number;
  frr_at_threshold: number;
  far_at_threshold: number;
  /** Thresholds calibrated on this set for each use's TARGET_FAR (calibration.ts), with their counts. */
  calibration: Record<ThresholdUse, Calibration> | null;
  /** Enrol from one photo, probe with the others (one-shot.ts), at `threshold`. */
  one_shot: OneShotResult | null;
  /** Two templates per identity, scores combined by max or mean: EER and rank-1 of each. */
  multi_template: { fusion: 'max' | 'mean'; probes: number; eer: number; rank1: number }[] | null;
  images: number;
  faces_found: number;
  /** Images in which no face was found, or that could not be read, with the reason. */
  skipped: { file: string; reason: string }[];
  model: string;
  backend: string;
  ms_per_image: number;
}

/**
 * Threshold-free data behind the 1:N panel, kept out of the report so the report stays plain
 * JSON (automation returns it) and the page can recount as the threshold slider moves.
 */
export interface RecognitionData {
  /** Every impostor pair's score: FMR₁ at any threshold. */
  impostor: Float32Array;
  /** 1:N searches over galleries of 1, 2, 4, … identities − 1 other people. */
  trials: OpenSetTrials;
}

/** Random galleries per probe identity and size; the seed makes a folder's points repeatable. */
export const OPEN_SET_DRAWS = 10;
export const OPEN_SET_SEED = 1;

interface EvaluateState {
  running: boolean;
  progress: { done: number; total: number } | null;
  report: EvaluationReport | null;
  recognition: RecognitionData | null;
  error: string | null;
  run(files: File[]): Promise<EvaluationReport | null>;
  /** Sets the report's calibrated threshold for one use of the report's model. */
  adoptThreshold(use: ThresholdUse): void;
}

/**
 * What "adopt" sets for a use, rounded up to 3 decimals so it never accepts more than measured,
 * and raised to the lowest threshold the model allows for that use (embedder-specs.ts).
 */
export function adoptableThreshold(report: EvaluationReport, use: ThresholdUse): number | null {
  const t = report.calibration?.[use].threshold;
  if (t == null) return null;
  const rounded = Math.ceil(t * 1000) / 1000;
  return isEmbedderId(report.model) ? clampThreshold(report.model, use, rounded) : rounded;
}

/** Figures that need more of the set than it may have (two people with two photos…) are null. */
function attempt<T>(f: () => T): T | null {
  try {
    return f();
  } catch {
    return null;
  }
}

/** The identity of a file: the folder it sits in (`set/alice/1.jpg` → `alice`). */
export function labelOf(file: File): string | null {
  const path = (file as File & { webkitRelativePath?: string }).webkitRelativePath || file.name;
  const parts = path.split('/').filter(Boolean);
  return parts.length >= 2 ? parts[parts.length - 2]! : null;
}

const IMAGE_NAME = /\.(jpe?g|png|webp|gif|bmp)$/i;

export interface EmbeddedFolder {
  /** The largest face of each image that had one, labelled by its subfolder. */
  samples: LabelledEmbedding[];
  /** Labelled images found (each one was tried). */
  images: number;
  /** Images in which no face was found, or that could not be read, with the reason. */
  skipped: { file: string; reason: string }[];
  /** The embedder that made the embeddings. */
  modelId: string;
}

/**
 * Runs the face pipeline over a labelled folder (one subfolder per identity) and keeps the
 * largest face's embedding per image. Also what the Siamese Lab imports to train on.
 */
export async function embedLabelledFolder(
  files: File[],
  onProgress?: (done: number, total: number) => void,
): Promise<EmbeddedFolder> {
  const labelled = files
    .filter((f) => IMAGE_NAME.test(f.name))
    .map((f) => ({ file: f, label: labelOf(f) }))
    .filter((x) => x.label);
  const samples: LabelledEmbedding[] = [];
  const skipped: { file: string; reason: string }[] = [];
  let modelId = useFaces.getState().embedderId as string;
  onProgress?.(0, labelled.length);
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
      skipped.push({ file: name, reason: errorMessage(e) });
    }
    onProgress?.(i + 1, labelled.length);
  }
  return { samples, images: labelled.length, skipped, modelId };
}

/** What Evaluate needs from the rest of the app; tests pass fakes. */
export interface EvaluateServices {
  embedFolder(files: File[], onProgress: (done: number, total: number) => void): Promise<EmbeddedFolder>;
  /** The Unlock threshold in force for a shipped model. */
  threshold(modelId: EmbedderId): number;
  backend(): string;
  adopt(modelId: string, use: ThresholdUse, value: number): void;
}

/** The Evaluate store over `services`: one labelled folder in, one report of plain figures out. */
export function createEvaluateStore(services: EvaluateServices) {
  return create<EvaluateState>()((set, get) => ({
    running: false,
    progress: null,
    report: null,
    recognition: null,
    error: null,

    async run(files) {
      if (!files.some((f) => IMAGE_NAME.test(f.name) && labelOf(f))) {
        set({ error: 'No labelled images found. Choose a folder with one subfolder of images per person.' });
        return null;
      }
      set({ running: true, error: null, report: null, recognition: null, progress: null });
      const t0 = performance.now();
      try {
        const { samples, images, skipped, modelId } = await services.embedFolder(files, (done, total) =>
          set({ progress: { done, total } }),
        );
        const evaluation = evaluateEmbeddings(samples);
        const scores = pairScores(samples);
        const threshold = EMBEDDERS[modelId as EmbedderId]
          ? services.threshold(modelId as EmbedderId)
          : evaluation.threshold_at_eer;
        const rates = ratesAt(scores.genuine, scores.impostor, threshold);
        const report: EvaluationReport = {
          ...evaluation,
          threshold,
          frr_at_threshold: rates.frr,
          far_at_threshold: rates.far,
          calibration: attempt(() => ({
            unlock: calibrateThreshold(scores.genuine, scores.impostor, TARGET_FAR.unlock),
            identify: calibrateThreshold(scores.genuine, scores.impostor, TARGET_FAR.identify),
          })),
          one_shot: attempt(() => oneShotEvaluation(samples, threshold)),
          multi_template: attempt(() =>
            (['max', 'mean'] as const).map((fusion) => {
              const r = multiTemplateEvaluation(samples, 2, fusion);
              return { fusion, probes: r.probes, eer: equalErrorRate(r.genuine, r.impostor).eer, rank1: r.rank1 };
            }),
          ),
          images,
          faces_found: samples.length,
          skipped,
          model: modelId,
          backend: services.backend(),
          ms_per_image: Math.round((performance.now() - t0) / images),
        };
        const recognition: RecognitionData = {
          impostor: scores.impostor,
          trials: openSetTrials(samples, gallerySizes(report.identities - 1), OPEN_SET_DRAWS, OPEN_SET_SEED),
        };
        set({ report, recognition });
        return report;
      } catch (e) {
        set({ error: errorMessage(e) });
        return null;
      } finally {
        set({ running: false });
      }
    },

    adoptThreshold(use) {
      const report = get().report;
      if (!report || !EMBEDDERS[report.model as EmbedderId]) return;
      const value = adoptableThreshold(report, use);
      if (value != null) services.adopt(report.model, use, value);
    },
  }));
}

export const useEvaluate = createEvaluateStore({
  embedFolder: embedLabelledFolder,
  threshold: (modelId) => thresholdFor(modelId, 'unlock'),
  backend: () => useRuntime.getState().info?.name ?? 'unknown',
  adopt: (modelId, use, value) => useSettings.getState().setThreshold(modelId, use, value),
});
