// Which ImageNet classes a unit of ResNet-50's last layer most supports: the last block's channels
// are averaged over the picture and weighed by the classifier (a Dense layer, one row of weights
// per channel), so the largest weights of a channel's row name the classes its firing argues for.
// A hint, not an explanation: every class sums 2,048 such votes.
import * as tf from '@tensorflow/tfjs';

/** Names as the label list writes them ("great_white_shark") in plain words. */
export const labelText = (label: string) => label.replace(/_/g, ' ');

/**
 * Hints for `layer`'s channels from the model's last Dense layer, when that layer has one weight
 * row per channel of `layer` (`channels`) and one column per label; undefined otherwise.
 */
export function classifierHints(
  model: Pick<tf.LayersModel, 'layers'>,
  labels: readonly string[],
  layer: string,
  channels: number,
  perUnit = 3,
): (layer: string, channels: readonly number[]) => Promise<string[][] | undefined> {
  const dense = [...model.layers].reverse().find((l) => l.getClassName() === 'Dense');
  const kernel = dense?.getWeights()[0];
  const fits = !!kernel && kernel.rank === 2 && kernel.shape[0] === channels && kernel.shape[1] === labels.length;
  return async (asked, wanted) => {
    if (!fits || !kernel || asked !== layer || wanted.length === 0) return undefined;
    // The kernel belongs to the model: only what is made from it here is disposed.
    const top = tf.tidy(
      () => tf.topk(tf.gather(kernel as tf.Tensor2D, tf.tensor1d([...wanted], 'int32')), perUnit).indices,
    );
    const indices = await top.data().finally(() => top.dispose());
    return wanted.map((_, u) =>
      Array.from(indices.slice(u * perUnit, (u + 1) * perUnit), (i) => labelText(labels[i] ?? `class ${i}`)),
    );
  };
}

/** The label list as an array in class order, from an object keyed "0" … "999". */
export function labelsFromJson(json: Record<string, string>): string[] {
  const out: string[] = [];
  for (const [k, v] of Object.entries(json)) out[Number(k)] = v;
  return out;
}
