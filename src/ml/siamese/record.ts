// What a trained Lab model looks like at rest: a plain object of numbers and Float32Arrays that
// IndexedDB's structured clone stores as is, and that a backup can write out. Weights are kept
// as flat row-major arrays next to their shapes, in an order fixed per kind.
import type * as tf from '@tensorflow/tfjs';

export const LAB_RECORD_VERSION = 1;

/** Figures measured when the model was trained, e.g. held-out EER before and after. */
export type LabMetrics = Record<string, number>;

export interface LabModelRecord {
  version: typeof LAB_RECORD_VERSION;
  /** The embedder the model was trained on; it means nothing on another model's embeddings. */
  modelId: string;
  inputDim: number;
  outputDim: number;
  weights: Float32Array[];
  shapes: number[][];
  /** Milliseconds since the epoch. */
  createdAt: number;
  metrics?: LabMetrics;
}

/** Reads variables back (async: no synchronous reads on WebGPU) as copies the record owns. */
export async function readWeights(
  variables: readonly tf.Variable[],
): Promise<Pick<LabModelRecord, 'weights' | 'shapes'>> {
  const weights = await Promise.all(variables.map(async (v) => (await v.data()).slice() as Float32Array));
  return { weights, shapes: variables.map((v) => v.shape.slice()) };
}

/**
 * Checks a stored record's weights against the shapes its kind needs, so a damaged or foreign
 * record fails here with a sentence instead of as a shape error deep inside a matMul.
 */
export function checkWeights(record: LabModelRecord, expected: readonly (readonly number[])[], what: string): void {
  if (record.version !== LAB_RECORD_VERSION) {
    throw new RangeError(`This ${what} was saved by another version of the Lab (${record.version}); train it again.`);
  }
  if (!Array.isArray(record.weights) || record.weights.length !== expected.length) {
    throw new RangeError(`This ${what} has ${record.weights?.length ?? 0} weight arrays, not ${expected.length}.`);
  }
  expected.forEach((shape, i) => {
    const w = record.weights[i];
    const size = shape.reduce((a, b) => a * b, 1);
    const stored = record.shapes?.[i];
    if (!(w instanceof Float32Array) || w.length !== size || !stored || stored.join('x') !== shape.join('x')) {
      throw new RangeError(
        `Weight ${i} of this ${what} does not have the shape ${shape.join('×')}; the record is damaged.`,
      );
    }
    for (let k = 0; k < w.length; k++) {
      if (!Number.isFinite(w[k] as number)) {
        throw new RangeError(`Weight ${i} of this ${what} holds a value that is not a finite number.`);
      }
    }
  });
}

/** Validates the dimension fields common to every record. */
export function checkDims(record: LabModelRecord, what: string): void {
  for (const key of ['inputDim', 'outputDim'] as const) {
    const v = record[key];
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`This ${what} has an invalid ${key} (${v}).`);
  }
  if (typeof record.modelId !== 'string' || record.modelId === '') {
    throw new RangeError(`This ${what} does not say which embedder it was trained on.`);
  }
}
