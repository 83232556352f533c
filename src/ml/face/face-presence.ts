// A quick "is there a face in this frame?" stage on BlazeFace's raw outputs: the highest
// anchor score, without box decoding. The full detector (anchors, boxes, NMS) builds on the
// same model. BlazeFace takes a 256×256 RGB image scaled to [-1, 1].
import * as tf from '@tensorflow/tfjs';

export const BLAZEFACE_SIZE = 256;

export interface FacePresence {
  /** Highest face probability over all anchors (sigmoid of the best logit). */
  maxScore: number;
  /** Number of anchors scored; 896 for this model. */
  anchors: number;
  /** False when any score came back NaN or infinite: a broken backend or model. */
  finite: boolean;
}

/** `frame` is [H, W, 3] float32 in 0..1; it is not disposed. */
export async function facePresence(model: tf.GraphModel, frame: tf.Tensor3D): Promise<FacePresence> {
  const scores = tf.tidy(() => {
    const input = tf.image.resizeBilinear(frame, [BLAZEFACE_SIZE, BLAZEFACE_SIZE]).mul(2).sub(1).expandDims(0);
    const outputs = model.execute(input) as tf.Tensor[];
    // Score outputs are the [1, n, 1] tensors; the others hold the box regressors.
    const logits = outputs.filter((t) => t.shape[2] === 1).map((t) => t.reshape([-1]));
    return tf.sigmoid(tf.concat(logits));
  });
  const values = (await scores.data()) as Float32Array;
  scores.dispose();
  let maxScore = 0;
  let finite = true;
  for (const v of values) {
    if (!Number.isFinite(v)) finite = false;
    else if (v > maxScore) maxScore = v;
  }
  return { maxScore, anchors: values.length, finite };
}
