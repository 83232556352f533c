// What the 468-point face mesh says about a face, as pure functions (no tfjs): the five
// ArcFace alignment points, head pose, eye openness, and a quality score that says whether a
// face is worth enrolling or matching. Also the Laplacian-variance sharpness measure, so the
// definition lives in one place; landmarks.ts computes the same number on the backend.
//
// Conventions. `points` is the mesh as FaceMesh returns it, mapped to image pixels: 468 × (x, y,
// z), x to the right, y down, z away from the camera (the nose tip has the smallest z), with z
// in the same units as x. Coordinates are pixel-index coordinates like align.ts.
//
// "Left" and "right" below are IMAGE sides unless a name says "subject": the image-left eye is
// the eye with the smaller x in an upright face, which is anatomically the subject's right eye
// in an unmirrored photo. FaceMesh labels points by how the face looks, so in a mirrored
// (selfie) frame its indices still put the "image-left" eye on the image's left; the five points
// therefore come out in ArcFace template order either way.

export type Point = [number, number];

export interface Box {
  /** Left edge, image pixels. */
  x: number;
  /** Top edge, image pixels. */
  y: number;
  width: number;
  height: number;
}

export const MESH_POINT_COUNT = 468;

/**
 * Mesh indices, checked by drawing them on face-a.png and face-b.png (see landmarks.test.ts
 * for the checks that keep them honest). MediaPipe calls the image-left eye the "right eye".
 */
export const MESH_INDEX = {
  /** Image-left eye (subject's right): upper lid from outer to inner corner… */
  imageLeftEyeUpper: [33, 246, 161, 160, 159, 158, 157, 173, 133],
  /** …and lower lid, outer to inner. Both lids include the two corners. */
  imageLeftEyeLower: [33, 7, 163, 144, 145, 153, 154, 155, 133],
  /** Image-right eye (subject's left): upper lid, outer to inner corner. */
  imageRightEyeUpper: [263, 466, 388, 387, 386, 385, 384, 398, 362],
  imageRightEyeLower: [263, 249, 390, 373, 374, 380, 381, 382, 362],
  noseTip: 1,
  /** Mouth corners: image-left (subject's right) and image-right. */
  mouthLeft: 61,
  mouthRight: 291,
  /** Top of the forehead and bottom of the chin, on the face's midline. */
  forehead: 10,
  chin: 152,
} as const;

/**
 * Left-right mirror pairs (image-left point, image-right point) that barely move with
 * expression: the eye corners, the widest points of the face contour (234/454) and the contour
 * points above and below them. Their summed difference is the face's left-to-right axis in 3-D.
 * Checked on face-a: each pair's face-frame y and z agree within 1.5 px and x is mirrored.
 */
const SYMMETRIC_PAIRS: readonly (readonly [number, number])[] = [
  [33, 263],
  [133, 362],
  [234, 454],
  [93, 323],
  [127, 356],
];

/**
 * Upper/lower lid pairs for eye openness, image-left eye then image-right eye: three vertical
 * chords across the middle of the eye, and the corner-to-corner width.
 */
const EYE_CHORDS = {
  left: {
    lids: [
      [160, 144],
      [159, 145],
      [158, 153],
    ] as const,
    corners: [33, 133] as const,
  },
  right: {
    lids: [
      [387, 373],
      [386, 374],
      [385, 380],
    ] as const,
    corners: [263, 362] as const,
  },
};

function checkPoints(points: ArrayLike<number>): void {
  if (points.length !== MESH_POINT_COUNT * 3) {
    throw new RangeError(`Expected ${MESH_POINT_COUNT}×3 mesh values, got ${points.length}.`);
  }
}

type Vec3 = [number, number, number];

function at(points: ArrayLike<number>, i: number): Vec3 {
  return [points[i * 3]!, points[i * 3 + 1]!, points[i * 3 + 2]!];
}

function meanOf(points: ArrayLike<number>, indices: readonly number[]): Vec3 {
  const sum: Vec3 = [0, 0, 0];
  for (const i of indices) {
    sum[0] += points[i * 3]!;
    sum[1] += points[i * 3 + 1]!;
    sum[2] += points[i * 3 + 2]!;
  }
  return [sum[0] / indices.length, sum[1] / indices.length, sum[2] / indices.length];
}

const sub = (a: Vec3, b: Vec3): Vec3 => [a[0] - b[0], a[1] - b[1], a[2] - b[2]];
const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
const scale = (a: Vec3, k: number): Vec3 => [a[0] * k, a[1] * k, a[2] * k];
const norm = (a: Vec3) => Math.sqrt(dot(a, a));
const unit = (a: Vec3): Vec3 => scale(a, 1 / (norm(a) || 1));
const cross = (a: Vec3, b: Vec3): Vec3 => [
  a[1] * b[2] - a[2] * b[1],
  a[2] * b[0] - a[0] * b[2],
  a[0] * b[1] - a[1] * b[0],
];
const distance = (a: Vec3, b: Vec3) => norm(sub(a, b));
const DEG = 180 / Math.PI;

/** The eye contour (both lids, corners once) of each eye. */
const LEFT_EYE_RING = [...new Set([...MESH_INDEX.imageLeftEyeUpper, ...MESH_INDEX.imageLeftEyeLower])];
const RIGHT_EYE_RING = [...new Set([...MESH_INDEX.imageRightEyeUpper, ...MESH_INDEX.imageRightEyeLower])];

/**
 * The five ArcFace alignment points as image [x, y], in ARCFACE_TEMPLATE order:
 * [image-left eye, image-right eye, nose tip, image-left mouth corner, image-right mouth
 * corner]. An eye is the mean of its 16 lid-contour points (corners included), which sits on
 * the eye centre the template's eye points stand for; the nose tip is mesh point 1 and the
 * mouth corners are 61 and 291.
 */
export function fivePoints(points: ArrayLike<number>): Point[] {
  checkPoints(points);
  const xy = (v: Vec3): Point => [v[0], v[1]];
  return [
    xy(meanOf(points, LEFT_EYE_RING)),
    xy(meanOf(points, RIGHT_EYE_RING)),
    xy(at(points, MESH_INDEX.noseTip)),
    xy(at(points, MESH_INDEX.mouthLeft)),
    xy(at(points, MESH_INDEX.mouthRight)),
  ];
}

/**
 * The in-plane angle of the line from the image-left to the image-right eye, in degrees and in
 * HeadPose.roll's convention (positive = clockwise on screen). Use it with a detector's eye
 * keypoints to give LandmarkModel a roll hint.
 */
export function rollFromEyes(imageLeftEye: Point, imageRightEye: Point): number {
  return Math.atan2(imageRightEye[1] - imageLeftEye[1], imageRightEye[0] - imageLeftEye[0]) * DEG;
}

/**
 * Head rotation in degrees, relative to looking straight into the camera, about the camera's
 * axes (so rolling a turned head also trades some yaw for pitch).
 */
export interface HeadPose {
  /** Positive: the subject turns to their own left (in an unmirrored image the nose moves to the image's right). */
  yaw: number;
  /** Positive: the subject looks up (the nose moves up the image). */
  pitch: number;
  /**
   * Positive: the head tilts towards the subject's left shoulder, i.e. turns clockwise as seen
   * in the image (the image-right eye drops below the image-left one).
   */
  roll: number;
}

/**
 * The face's own axes in camera space (x right, y down, z into the scene): `right` runs from
 * the image-left to the image-right half of the face, `down` from forehead to chin, and
 * `back` = right × down points from the face into the head (away from the camera when frontal).
 */
export function faceAxes(points: ArrayLike<number>): { right: Vec3; down: Vec3; back: Vec3 } {
  checkPoints(points);
  // Summing several mirror pairs averages out the mesh's jitter at any one point.
  let across: Vec3 = [0, 0, 0];
  for (const [l, r] of SYMMETRIC_PAIRS) {
    const d = sub(at(points, r), at(points, l));
    across = [across[0] + d[0], across[1] + d[1], across[2] + d[2]];
  }
  const right = unit(across);
  const vertical = sub(at(points, MESH_INDEX.chin), at(points, MESH_INDEX.forehead));
  // Gram–Schmidt: keep the part of forehead→chin that is perpendicular to the eye line.
  const down = unit(sub(vertical, scale(right, dot(vertical, right))));
  return { right, down, back: cross(right, down) };
}

/**
 * Head pose from the mesh's 3-D shape. The face's axes (see `faceAxes`) form a rotation
 * R = Ry(−yaw)·Rx(−pitch)·Rz(roll) of the camera axes, with Rz turning x towards y (clockwise on
 * screen), Rx turning y towards z and Ry turning z towards x; this reads the three angles back.
 * Uses z, which FaceMesh scales like x, so it does not depend on the face's proportions the
 * way a 2-D nose-offset rule would. Pitch 0 has forehead (10) and chin (152) at the same depth,
 * as MediaPipe's canonical face model has them (4.48 vs 4.26 cm apart in depth over 17.7 cm).
 */
export function headPose(points: ArrayLike<number>): HeadPose {
  const { right, down, back } = faceAxes(points);
  const yaw = Math.atan2(-back[0], back[2]) * DEG;
  const pitch = Math.asin(Math.max(-1, Math.min(1, back[1]))) * DEG;
  const roll = Math.atan2(right[1], down[1]) * DEG;
  return { yaw, pitch, roll };
}

/**
 * Eye aspect ratio per eye (image sides), 0 when shut. Measured open: face-a 0.36 / 0.33,
 * face-b 0.31 / 0.29, the 22 faces of the sample photos 0.21–0.44 (median 0.30; the low end
 * are faces looking down with lowered lids).
 */
export interface EyeOpenness {
  /** The image-left eye (subject's right in an unmirrored image). */
  left: number;
  right: number;
}

function aspectRatio(points: ArrayLike<number>, eye: (typeof EYE_CHORDS)['left' | 'right']): number {
  let chords = 0;
  for (const [upper, lower] of eye.lids) chords += distance(at(points, upper), at(points, lower));
  const width = distance(at(points, eye.corners[0]), at(points, eye.corners[1]));
  return width > 0 ? chords / eye.lids.length / width : 0;
}

/**
 * Eye aspect ratio: the mean of three lid-to-lid chords over the corner-to-corner width, in 3-D
 * so that turning the head (which shortens the width on screen but not in 3-D) does not make an
 * eye look more open. Scale-free: the same for a face of any size.
 */
export function eyeOpenness(points: ArrayLike<number>): EyeOpenness {
  checkPoints(points);
  return { left: aspectRatio(points, EYE_CHORDS.left), right: aspectRatio(points, EYE_CHORDS.right) };
}

/**
 * Variance of the 4-neighbour Laplacian over the interior of a grey image (row-major, values
 * 0..1), scaled by 255² so it reads like the usual variance-of-Laplacian on 8-bit images.
 * Blur removes the high frequencies the Laplacian responds to, so the variance falls.
 * The value depends on the crop's resolution; compare crops of the same size.
 */
export function sharpness(gray: ArrayLike<number>, width: number, height: number): number {
  if (gray.length !== width * height) throw new RangeError(`Expected ${width}×${height} values, got ${gray.length}.`);
  if (width < 3 || height < 3) return 0;
  let sum = 0;
  let sumSq = 0;
  for (let y = 1; y < height - 1; y++) {
    for (let x = 1; x < width - 1; x++) {
      const i = y * width + x;
      const lap = gray[i - width]! + gray[i + width]! + gray[i - 1]! + gray[i + 1]! - 4 * gray[i]!;
      sum += lap;
      sumSq += lap * lap;
    }
  }
  const n = (width - 2) * (height - 2);
  const mean = sum / n;
  return Math.max(0, sumSq / n - mean * mean) * 255 * 255;
}

export type QualityReason = 'too-small' | 'turned' | 'blurred' | 'cut-off';

/** Sentences a person can act on, one per reason. */
export const QUALITY_ADVICE: Record<QualityReason, string> = {
  'too-small': 'Move closer to the camera.',
  turned: 'Look straight at the camera.',
  blurred: 'Hold still, or add light: the face is blurred.',
  'cut-off': 'Move your face into the middle of the frame.',
};

export interface FaceQualityInput {
  box: Box;
  imageWidth: number;
  imageHeight: number;
  pose: HeadPose;
  /** `sharpness` of the face crop, as LandmarkModel reports it. */
  sharpness: number;
}

export interface FaceQualityResult {
  /** 0..1, the product of the size, pose, blur and framing factors. */
  score: number;
  /** Every factor that fell below 1, worst first. */
  reasons: QualityReason[];
}

/**
 * Thresholds of `faceQuality`; each factor ramps linearly from 0 at `bad` to 1 at `good`
 * (`good` may be below `bad` where smaller is better).
 */
export const QUALITY_LIMITS = {
  /**
   * Shorter box side in pixels. The embedders take 112 (MobileFaceNet) or 224 (FaceRes) pixel
   * crops; below ~112 px the aligned crop is upsampled and detail is invented.
   */
  size: { bad: 48, good: 112 },
  /** The larger of |yaw| and |pitch|, degrees; beyond ~25° one side of the face starts to hide. */
  angle: { bad: 50, good: 25 },
  /**
   * `sharpness` of the 96×96 face centre that LandmarkModel measures. Measured on the 22 sample
   * faces and the two fixtures: sharp faces 64–757 (median ~135); the same crops after a
   * Gaussian blur of σ = 1 crop pixel (under 1 % of the face width, visibly soft) 7–60, median
   * ~20; the visibly soft faces of sample4 28–38.
   */
  sharpness: { bad: 15, good: 60 },
  /** Fraction of the box area inside the image. */
  inside: { bad: 0.6, good: 0.95 },
} as const;

function ramp(value: number, limits: { bad: number; good: number }): number {
  const t = (value - limits.bad) / (limits.good - limits.bad);
  return Number.isFinite(t) ? Math.max(0, Math.min(1, t)) : 0;
}

/**
 * How usable a face is for enrolment or matching, 0..1, with the reasons it falls short.
 * Each factor is a ramp (see QUALITY_LIMITS); the score is their product, so any one factor
 * at 0 makes the face unusable.
 */
export function faceQuality(input: FaceQualityInput): FaceQualityResult {
  const { box, imageWidth, imageHeight, pose } = input;
  const area = box.width * box.height;
  const insideW = Math.max(0, Math.min(box.x + box.width, imageWidth) - Math.max(box.x, 0));
  const insideH = Math.max(0, Math.min(box.y + box.height, imageHeight) - Math.max(box.y, 0));
  const factors: [QualityReason, number][] = [
    ['too-small', ramp(Math.min(box.width, box.height), QUALITY_LIMITS.size)],
    ['turned', ramp(Math.max(Math.abs(pose.yaw), Math.abs(pose.pitch)), QUALITY_LIMITS.angle)],
    ['blurred', ramp(input.sharpness, QUALITY_LIMITS.sharpness)],
    ['cut-off', area > 0 ? ramp((insideW * insideH) / area, QUALITY_LIMITS.inside) : 0],
  ];
  const score = factors.reduce((product, [, f]) => product * f, 1);
  const reasons = factors
    .filter(([, f]) => f < 1)
    .sort((a, b) => a[1] - b[1])
    .map(([reason]) => reason);
  return { score, reasons };
}
