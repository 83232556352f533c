// FaceMesh: 468 3-D landmarks per face from a face box given by any detector. Every face of a
// frame is cropped, run and read back in one batch with a single `await data()`.
//
// Measured on the 22 faces of the six sample photos (boxes from BlazeFace, face-api's SSD, and
// the bounding box of face-api's 68 landmarks; error = mean distance of eye corners and mouth
// corners to face-api's 68-point estimate, over the outer-eye-corner distance):
// - Input range 0..1. The model barely cares about the range for the landmarks themselves
//   (error 0.069 at 0..1, 0.069 at −1..1), but at −1..1 it is less stable when the crop moves
//   (mean landmark spread over ±5 % crop shifts 0.021 vs 0.018 of the eye distance) and it
//   calls non-faces faces: on 30 background crops the face flag peaked at 0.95 with −1..1 and
//   at 0.02 with 0..1. Every range with negative inputs behaved like −1..1.
// - Crop: a square of 1.6 × the box's longer side around the box centre. On BlazeFace boxes
//   (square, brow to chin) the error is lowest at 1.6 (0.081; 0.083 at 1.5, 0.085 at 1.7,
//   0.093 at 1.3, 0.099 at 2.0); on tight 68-landmark boxes it is flat from 1.6 to 1.8 (0.067–
//   0.071). Boxes that include the forehead (face-api's SSD: ~1.3× taller) want ~1.3 instead:
//   set `enlarge`. Shifting the crop centre up or down by 10 % of the box made it worse, and a
//   second pass re-cropped around the first pass's mesh did not help (0.070 vs 0.069).
// - Confidence: the face-flag output already ends in a Sigmoid inside the graph (node
//   activation_1/Sigmoid), and its values span 0.002..1.0, so it is used as the probability
//   as it is; another sigmoid would squeeze it into 0.5..0.73.
// - Tilt: FaceMesh follows a face turned in the image plane only part of the way. face-a
//   rotated by 10°, 20°, 30°, 45° read as 9°, 15°, 19°, 10° of roll, with the five points 1, 4,
//   6 and 41 px off (eye distance 75 px; at 45° the face flag still said 0.99). Turning the crop
//   by the known angle brings them to 0.1 px, so a box may carry a `roll` hint — the detector's
//   eye-line angle (`rollFromEyes`) is good enough.
import * as tf from '@tensorflow/tfjs';
import {
  eyeOpenness,
  faceQuality,
  fivePoints,
  headPose,
  MESH_POINT_COUNT,
  type Box,
  type EyeOpenness,
  type FaceQualityResult,
  type HeadPose,
  type Point,
} from './face-geometry';

export const FACEMESH_SIZE = 192;
/** Crop side over the box's longer side; measured best for BlazeFace boxes (see above). */
export const DEFAULT_ENLARGE = 1.6;
/** Side of the centre patch of the 192 crop whose Laplacian variance is `sharpness`. */
export const SHARPNESS_PATCH = 96;

const MESH_VALUES = MESH_POINT_COUNT * 3;
/** Floats per face in the landmark read-back: the mesh, the face flag, the sharpness. */
export const LANDMARK_ROW_VALUES = MESH_VALUES + 2;

/** What `LandmarkModel.prepare` leaves on the device and what `decode` needs to finish. */
export interface PreparedLandmarks {
  packed: tf.Tensor2D;
  boxes: FaceBox[];
  crops: FaceCrop[];
  width: number;
  height: number;
}

/** A face box with, optionally, the face's in-plane angle. */
export interface FaceBox extends Box {
  /**
   * Degrees, in HeadPose.roll's convention (positive = clockwise on screen), e.g. from a
   * detector's eye keypoints with `rollFromEyes`. The crop is turned by this angle so the model
   * sees the face upright; FaceMesh follows a tilted face only part of the way (see above).
   * Omitted or 0: the crop is axis-aligned.
   */
  roll?: number;
}

/** The square the model saw: `width`×`height` at (x, y), turned by `roll` degrees about its centre. */
export interface FaceCrop extends Box {
  roll: number;
}

export interface FaceLandmarks {
  /** The box the face was given with. */
  box: FaceBox;
  crop: FaceCrop;
  /** 468 × (x, y, z) in image pixels; z is scaled like x and grows away from the camera. */
  points: Float32Array;
  /** Face-flag probability, 0..1: low when the crop holds no face. */
  confidence: number;
  /** ArcFace order: image-left eye, image-right eye, nose tip, image-left / image-right mouth corner. */
  fivePoints: Point[];
  pose: HeadPose;
  eyes: EyeOpenness;
  /** Variance of the Laplacian over the face centre (see face-geometry `sharpness`). */
  sharpness: number;
  quality: FaceQualityResult;
}

export interface LandmarkOptions {
  /** Crop side over the box's longer side. */
  enlarge?: number;
}

/** The square crop around a box's centre, `enlarge` times its longer side, turned by the box's roll. */
export function squareCrop(box: FaceBox, enlarge: number): FaceCrop {
  const side = enlarge * Math.max(box.width, box.height);
  return {
    x: box.x + box.width / 2 - side / 2,
    y: box.y + box.height / 2 - side / 2,
    width: side,
    height: side,
    roll: box.roll ?? 0,
  };
}

/**
 * Where model-input pixel (u, v) of an n×n crop lies in the image: the crop's n pixels tile its
 * square evenly about the centre, turned by the crop's roll. Both sides use pixel-index
 * coordinates, as cropAndResize and tf.image.transform sample them. Returns the affine map as
 * x = a0·u + a1·v + a2, y = b0·u + b1·v + b2 — tf.image.transform's row layout.
 */
export function cropToImage(crop: FaceCrop, n: number): [number, number, number, number, number, number] {
  const k = crop.width / n;
  const c = (n - 1) / 2;
  const cx = crop.x + crop.width / 2;
  const cy = crop.y + crop.height / 2;
  const cos = Math.cos((crop.roll * Math.PI) / 180) * k;
  const sin = Math.sin((crop.roll * Math.PI) / 180) * k;
  return [cos, -sin, cx - c * (cos - sin), sin, cos, cy - c * (sin + cos)];
}

/**
 * Variance of the 4-neighbour Laplacian over the centre SHARPNESS_PATCH² of each crop in a
 * [N, S, S, 3] batch, on grey = mean of RGB, ×255²: the tfjs twin of face-geometry `sharpness`.
 * Returns [N].
 */
export function laplacianVariance(batch: tf.Tensor4D, patch = SHARPNESS_PATCH): tf.Tensor1D {
  return tf.tidy(() => {
    const [n, h, w] = batch.shape;
    const top = Math.floor((h - patch) / 2);
    const left = Math.floor((w - patch) / 2);
    const gray = batch.slice([0, top, left, 0], [n, patch, patch, 3]).mean(3, true) as tf.Tensor4D;
    const kernel = tf.tensor4d([0, 1, 0, 1, -4, 1, 0, 1, 0], [3, 3, 1, 1]);
    const lap = tf.conv2d(gray, kernel, 1, 'valid');
    const { variance } = tf.moments(lap, [1, 2, 3]);
    return variance.mul(255 * 255) as tf.Tensor1D;
  });
}

/**
 * The model's input batch [N, n, n, 3]. Upright crops are one cropAndResize call for all faces.
 * When any crop is turned, each face is one tf.image.transform call on the [1, H, W, 3] image
 * (tfjs 4.22's cpu Transform fills only the first image of a batch, and tiling the frame N
 * times would cost N frames of memory), concatenated.
 */
export function cropBatch(image: tf.Tensor3D, crops: FaceCrop[], n: number): tf.Tensor4D {
  const [height, width] = image.shape;
  const frame = image.expandDims<tf.Tensor4D>(0);
  if (crops.every((c) => c.roll === 0)) {
    // cropAndResize's box corners are its first and last samples, as fractions of (size − 1).
    const boxes = crops.map((c) => {
      const [a0, , a2, , b1, b2] = cropToImage(c, n);
      return [
        b2 / (height - 1),
        a2 / (width - 1),
        (b1 * (n - 1) + b2) / (height - 1),
        (a0 * (n - 1) + a2) / (width - 1),
      ];
    });
    return tf.image.cropAndResize(
      frame,
      boxes,
      crops.map(() => 0),
      [n, n],
    );
  }
  const faces = crops.map((c) =>
    tf.image.transform(frame, tf.tensor2d([[...cropToImage(c, n), 0, 0]]), 'bilinear', 'constant', 0, [n, n]),
  );
  return faces.length === 1 ? faces[0]! : tf.concat(faces, 0);
}

export class LandmarkModel {
  private readonly enlarge: number;

  /** Takes ownership of `model` (FaceMesh, [N,192,192,3] in 0..1); `dispose()` releases it. */
  constructor(
    private readonly model: tf.GraphModel,
    options: LandmarkOptions = {},
  ) {
    this.enlarge = options.enlarge ?? DEFAULT_ENLARGE;
    if (!(this.enlarge > 0)) throw new RangeError(`enlarge must be positive, got ${this.enlarge}.`);
  }

  /**
   * Landmarks for each box in `image` ([H, W, 3] float32 in 0..1, not disposed). Boxes may
   * reach past the image edges; the outside reads as black.
   */
  async estimate(image: tf.Tensor3D, boxes: FaceBox[]): Promise<FaceLandmarks[]> {
    if (boxes.length === 0) return [];
    const prepared = this.prepare(image, boxes);
    let values: Float32Array;
    try {
      values = (await prepared.packed.data()) as Float32Array;
    } finally {
      prepared.packed.dispose();
    }
    return this.decode(values, prepared);
  }

  /** The square FaceMesh is run on for `box`. */
  cropFor(box: FaceBox): FaceCrop {
    return squareCrop(box, this.enlarge);
  }

  /**
   * The device half of `estimate`: per box, LANDMARK_ROW_VALUES floats (mesh, face flag,
   * sharpness) in one [N, LANDMARK_ROW_VALUES] tensor the caller reads (alone or packed with
   * other outputs) and disposes. `boxes` must not be empty.
   */
  prepare(image: tf.Tensor3D, boxes: FaceBox[]): PreparedLandmarks {
    const [height, width] = image.shape;
    const crops = boxes.map((b) => this.cropFor(b));
    const batch = tf.tidy(() => cropBatch(image, crops, FACEMESH_SIZE));
    try {
      return this.prepareBatch(batch, boxes, crops, width, height);
    } finally {
      batch.dispose();
    }
  }

  /**
   * `prepare` on crops the caller cut already ([N, 192, 192, 3] in 0..1, one per box, as
   * `cropFor` frames them; not disposed), e.g. drawn straight from a video frame onto a canvas.
   */
  prepareBatch(
    batch: tf.Tensor4D,
    boxes: FaceBox[],
    crops: FaceCrop[],
    width: number,
    height: number,
  ): PreparedLandmarks {
    const packed = tf.tidy(() => {
      const outputs = this.model.execute(batch) as tf.Tensor[];
      // The loaded model reports no output shapes, so pick the outputs by what came back
      // rather than by the converter's node order (mesh 1404, face flag 1, contours 266).
      const mesh = outputs.find((t) => t.shape[1] === MESH_VALUES);
      const flag = outputs.find((t) => t.shape[1] === 1);
      if (!mesh || !flag) {
        throw new Error('This model has no 1404-value mesh and 1-value face-flag output; is it FaceMesh?');
      }
      const sharp = laplacianVariance(batch).reshape([boxes.length, 1]);
      // One tensor, one read: per face 1404 mesh values, the face flag, the sharpness.
      return tf.concat([mesh.reshape([boxes.length, MESH_VALUES]), flag.reshape([boxes.length, 1]), sharp], 1);
    }) as tf.Tensor2D;
    return { packed, boxes, crops, width, height };
  }

  /** The host half of `estimate`: the read values (LANDMARK_ROW_VALUES per box) → landmarks. */
  decode(values: Float32Array, { boxes, crops, width, height }: Omit<PreparedLandmarks, 'packed'>): FaceLandmarks[] {
    const n = FACEMESH_SIZE;
    const stride = LANDMARK_ROW_VALUES;
    return boxes.map((box, f) => {
      const crop = crops[f]!;
      const row = values.subarray(f * stride, (f + 1) * stride);
      const points = toImage(row.subarray(0, MESH_VALUES), crop, n);
      const pose = headPose(points);
      const sharpness = row[MESH_VALUES + 1]!;
      return {
        box,
        crop,
        points,
        confidence: row[MESH_VALUES]!,
        fivePoints: fivePoints(points),
        pose,
        eyes: eyeOpenness(points),
        sharpness,
        quality: faceQuality({ box, imageWidth: width, imageHeight: height, pose, sharpness }),
      };
    });
  }

  dispose(): void {
    this.model.dispose();
  }
}

/**
 * Model output → image pixels; z scales like x. FaceMesh's x and y are continuous coordinates
 * (pixel i spans i..i+1), not pixel indices: on the sample faces, a midline point's x in a crop
 * plus its x in the mirrored crop averaged 192.2 over 480 points and pairs (192 for continuous,
 * 191 for pixel-index coordinates), so half a pixel comes off before mapping.
 */
function toImage(mesh: Float32Array, crop: FaceCrop, n: number): Float32Array {
  const [a0, a1, a2, b0, b1, b2] = cropToImage(crop, n);
  const k = crop.width / n;
  const out = new Float32Array(MESH_VALUES);
  for (let i = 0; i < MESH_VALUES; i += 3) {
    const u = mesh[i]! - 0.5;
    const v = mesh[i + 1]! - 0.5;
    out[i] = a0 * u + a1 * v + a2;
    out[i + 1] = b0 * u + b1 * v + b2;
    out[i + 2] = mesh[i + 2]! * k;
  }
  return out;
}
