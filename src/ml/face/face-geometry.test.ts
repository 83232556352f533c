import { describe, expect, it } from 'vitest';
import {
  eyeOpenness,
  faceAxes,
  faceQuality,
  fivePoints,
  headPose,
  MESH_INDEX,
  MESH_POINT_COUNT,
  QUALITY_LIMITS,
  rollFromEyes,
  sharpness,
  type FaceQualityInput,
} from './face-geometry';

type Vec3 = [number, number, number];

/**
 * A hand-made, left-right symmetric face in the mesh's conventions (x right, y down, z away
 * from the camera), looking straight at the camera, about 200 px tall. Only the points the
 * geometry reads are placed; the rest stay at the origin.
 */
function canonicalFace(): Float32Array {
  const p = new Float32Array(MESH_POINT_COUNT * 3);
  const set = (i: number, v: Vec3) => p.set(v, i * 3);
  // Eyes: corners 30 px apart, lids a half-sine 5 px high; the image-left eye spans x −45..−15.
  const lid = (indices: readonly number[], outerX: number, innerX: number, sign: number) =>
    indices.forEach((index, k) => {
      const t = k / (indices.length - 1);
      set(index, [outerX + (innerX - outerX) * t, sign * 5 * Math.sin(Math.PI * t), -2 * Math.sin(Math.PI * t)]);
    });
  lid(MESH_INDEX.imageLeftEyeUpper, -45, -15, -1);
  lid(MESH_INDEX.imageLeftEyeLower, -45, -15, 1);
  lid(MESH_INDEX.imageRightEyeUpper, 45, 15, -1);
  lid(MESH_INDEX.imageRightEyeLower, 45, 15, 1);
  set(MESH_INDEX.noseTip, [0, 40, -40]);
  set(MESH_INDEX.mouthLeft, [-25, 75, -10]);
  set(MESH_INDEX.mouthRight, [25, 75, -10]);
  set(MESH_INDEX.forehead, [0, -70, 0]);
  set(MESH_INDEX.chin, [0, 130, 0]);
  for (const [l, r, y] of [
    [234, 454, 30],
    [93, 323, 50],
    [127, 356, 10],
  ] as const) {
    set(l, [-80, y, 60]);
    set(r, [80, y, 60]);
  }
  return p;
}

type Mat3 = [Vec3, Vec3, Vec3];
const mul = (a: Mat3, b: Mat3): Mat3 =>
  [0, 1, 2].map((r) =>
    [0, 1, 2].map((c) => a[r]![0] * b[0]![c]! + a[r]![1] * b[1]![c]! + a[r]![2] * b[2]![c]!),
  ) as Mat3;
const rad = (deg: number) => (deg * Math.PI) / 180;
/** Rotation in the image plane turning x towards y: clockwise on screen. */
const rz = (a: number): Mat3 => [
  [Math.cos(a), -Math.sin(a), 0],
  [Math.sin(a), Math.cos(a), 0],
  [0, 0, 1],
];
/** Turns y towards z: with y down and z away, the nose (−z) swings down. */
const rx = (a: number): Mat3 => [
  [1, 0, 0],
  [0, Math.cos(a), -Math.sin(a)],
  [0, Math.sin(a), Math.cos(a)],
];
/** Turns z towards x: the nose (−z) swings to −x. */
const ry = (a: number): Mat3 => [
  [Math.cos(a), 0, Math.sin(a)],
  [0, 1, 0],
  [-Math.sin(a), 0, Math.cos(a)],
];

/** The face rotated to (yaw, pitch, roll) as documented on HeadPose, then scaled and moved. */
function posed(yaw: number, pitch: number, roll: number, scale = 1, offset: Vec3 = [0, 0, 0]): Float32Array {
  const r = mul(ry(rad(-yaw)), mul(rx(rad(-pitch)), rz(rad(roll))));
  const src = canonicalFace();
  const out = new Float32Array(src.length);
  for (let i = 0; i < src.length; i += 3) {
    for (let k = 0; k < 3; k++) {
      const row = r[k]!;
      out[i + k] = scale * (row[0] * src[i]! + row[1] * src[i + 1]! + row[2] * src[i + 2]!) + offset[k]!;
    }
  }
  return out;
}

const point = (p: Float32Array, i: number): Vec3 => [p[i * 3]!, p[i * 3 + 1]!, p[i * 3 + 2]!];

describe('fivePoints', () => {
  it('returns eye centres, nose tip and mouth corners in ArcFace order', () => {
    const five = fivePoints(posed(0, 0, 0, 2, [300, 200, 0]));
    // Eye rings are symmetric half-sines: their mean is the middle of the corners, lifted by
    // the z-curvature only (which fivePoints drops).
    expect(five[0]![0]).toBeCloseTo(300 - 60, 4);
    expect(five[1]![0]).toBeCloseTo(300 + 60, 4);
    expect(five[0]![1]).toBeCloseTo(200, 4);
    expect(five[2]).toEqual([300, 280]);
    expect(five[3]).toEqual([250, 350]);
    expect(five[4]).toEqual([350, 350]);
  });

  it('keeps the image-left eye first when the head is tilted', () => {
    const five = fivePoints(posed(0, 0, 40));
    expect(five[0]![0]).toBeLessThan(five[1]![0]);
    // Clockwise tilt: the image-right eye drops.
    expect(five[1]![1]).toBeGreaterThan(five[0]![1]);
  });

  it('rejects a point array of the wrong size', () => {
    expect(() => fivePoints(new Float32Array(68 * 3))).toThrow(RangeError);
  });
});

describe('headPose', () => {
  it('is zero for the frontal face at any position and size', () => {
    for (const p of [posed(0, 0, 0), posed(0, 0, 0, 0.3, [500, 40, 900])]) {
      const pose = headPose(p);
      expect(pose.yaw).toBeCloseTo(0, 6);
      expect(pose.pitch).toBeCloseTo(0, 6);
      expect(pose.roll).toBeCloseTo(0, 6);
    }
  });

  it('reads back every combination of yaw, pitch and roll within 0.5°', () => {
    for (const yaw of [-50, -25, -5, 0, 10, 35, 60]) {
      for (const pitch of [-35, -10, 0, 15, 30]) {
        for (const roll of [-40, -8, 0, 12, 45]) {
          const pose = headPose(posed(yaw, pitch, roll, 1.7, [320, 240, 0]));
          expect(Math.abs(pose.yaw - yaw), `yaw at ${yaw}/${pitch}/${roll}`).toBeLessThan(0.5);
          expect(Math.abs(pose.pitch - pitch), `pitch at ${yaw}/${pitch}/${roll}`).toBeLessThan(0.5);
          expect(Math.abs(pose.roll - roll), `roll at ${yaw}/${pitch}/${roll}`).toBeLessThan(0.5);
        }
      }
    }
  });

  it('has the documented signs', () => {
    // Turning to the subject's left swings the nose to the image's right in an unmirrored image.
    const left = posed(30, 0, 0);
    expect(point(left, MESH_INDEX.noseTip)[0]).toBeGreaterThan(10);
    expect(headPose(left).yaw).toBeGreaterThan(25);
    // Looking up lifts the nose tip (smaller y) towards the eyes.
    const up = posed(0, 20, 0);
    expect(point(up, MESH_INDEX.noseTip)[1]).toBeLessThan(40);
    expect(headPose(up).pitch).toBeGreaterThan(15);
    // Positive roll drops the image-right eye corner.
    const tilted = posed(0, 0, 15);
    expect(point(tilted, 263)[1]).toBeGreaterThan(point(tilted, 33)[1]);
    expect(headPose(tilted).roll).toBeGreaterThan(10);
  });

  it('agrees with rollFromEyes on the eye line', () => {
    const five = fivePoints(posed(0, 0, 23));
    expect(rollFromEyes(five[0]!, five[1]!)).toBeCloseTo(23, 6);
    expect(rollFromEyes([10, 20], [20, 10])).toBeCloseTo(-45, 6);
  });

  it('measures roll from the face axes, not from one noisy point', () => {
    const p = posed(0, 0, 0);
    // Push one contour point 5 px down: from that pair alone the roll would be 1.8°, from the
    // eye corners alone 3.2°; averaged over all pairs it stays under 0.6°.
    p[454 * 3 + 1]! += 5;
    expect(Math.abs(headPose(p).roll)).toBeGreaterThan(0.1);
    expect(Math.abs(headPose(p).roll)).toBeLessThan(0.6);
  });

  it('builds an orthonormal right-handed frame', () => {
    const { right, down, back } = faceAxes(posed(20, -10, 5));
    const dot = (a: Vec3, b: Vec3) => a[0] * b[0] + a[1] * b[1] + a[2] * b[2];
    expect(dot(right, right)).toBeCloseTo(1, 6);
    expect(dot(down, down)).toBeCloseTo(1, 6);
    expect(dot(right, down)).toBeCloseTo(0, 6);
    expect(dot(back, right)).toBeCloseTo(0, 6);
    // Frontal: back points away from the camera.
    expect(faceAxes(posed(0, 0, 0)).back[2]).toBeCloseTo(1, 6);
  });
});

describe('eyeOpenness', () => {
  it('is about 0.32 for the open canonical eye, on both sides', () => {
    // Chords at t = 3/8, 4/8, 5/8 of a 5 px half-sine: 10·(0.924 + 1 + 0.924)/3 over a 30 px width.
    const expected = (10 * (2 * Math.sin((3 * Math.PI) / 8) + 1)) / 3 / 30;
    const eyes = eyeOpenness(posed(0, 0, 0));
    expect(eyes.left).toBeCloseTo(expected, 2);
    expect(eyes.right).toBeCloseTo(expected, 2);
  });

  it('falls to about 0 when the upper lid lies on the lower lid', () => {
    const p = posed(0, 0, 0);
    const close = (upper: readonly number[], lower: readonly number[]) =>
      upper.forEach((u, k) => p.set(point(p, lower[k]!), u * 3));
    close(MESH_INDEX.imageLeftEyeUpper, MESH_INDEX.imageLeftEyeLower);
    const eyes = eyeOpenness(p);
    expect(eyes.left).toBeLessThan(0.01);
    expect(eyes.right).toBeGreaterThan(0.3);
  });

  it('does not change when the head turns or grows', () => {
    const frontal = eyeOpenness(posed(0, 0, 0));
    const turned = eyeOpenness(posed(40, 15, -20, 3));
    expect(turned.left).toBeCloseTo(frontal.left, 5);
    expect(turned.right).toBeCloseTo(frontal.right, 5);
  });
});

describe('sharpness', () => {
  it('is 0 for flat and linear images, which have no curvature', () => {
    const flat = new Float32Array(8 * 8).fill(0.4);
    const ramp = Float32Array.from({ length: 8 * 8 }, (_, i) => (i % 8) / 8 + Math.floor(i / 8) / 16);
    expect(sharpness(flat, 8, 8)).toBe(0);
    expect(sharpness(ramp, 8, 8)).toBeCloseTo(0, 6);
  });

  it('is 16·255² for a 0/1 checkerboard (Laplacian ±4 in equal numbers)', () => {
    const board = Float32Array.from({ length: 6 * 6 }, (_, i) => (Math.floor(i / 6) + (i % 6)) % 2);
    expect(sharpness(board, 6, 6)).toBeCloseTo(16 * 255 * 255, 3);
  });

  it('falls when the image is blurred', () => {
    const w = 32;
    let seed = 7;
    const noise = Float32Array.from({ length: w * w }, () => ((seed = (seed * 16807) % 2147483647) / 2147483647) * 1);
    const blurred = noise.map((_, i) => {
      const x = i % w;
      const y = Math.floor(i / w);
      let sum = 0;
      let n = 0;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = Math.min(w - 1, Math.max(0, x + dx));
          const yy = Math.min(w - 1, Math.max(0, y + dy));
          sum += noise[yy * w + xx]!;
          n++;
        }
      }
      return sum / n;
    });
    expect(sharpness(blurred, w, w)).toBeLessThan(sharpness(noise, w, w) / 5);
  });

  it('checks the size', () => {
    expect(() => sharpness(new Float32Array(10), 4, 4)).toThrow(RangeError);
    expect(sharpness(new Float32Array(4), 2, 2)).toBe(0);
  });
});

describe('faceQuality', () => {
  const good: FaceQualityInput = {
    box: { x: 200, y: 120, width: 180, height: 200 },
    imageWidth: 640,
    imageHeight: 480,
    pose: { yaw: 5, pitch: -8, roll: 3 },
    sharpness: 130,
  };

  it('is 1 with no reasons for a large, frontal, sharp face inside the frame', () => {
    expect(faceQuality(good)).toEqual({ score: 1, reasons: [] });
  });

  it('names each shortcoming and lowers the score', () => {
    const small = faceQuality({ ...good, box: { x: 300, y: 200, width: 60, height: 64 } });
    expect(small.reasons).toEqual(['too-small']);
    expect(small.score).toBeGreaterThan(0);
    expect(small.score).toBeLessThan(0.3);

    const turned = faceQuality({ ...good, pose: { yaw: -70, pitch: 0, roll: 0 } });
    expect(turned).toEqual({ score: 0, reasons: ['turned'] });
    expect(faceQuality({ ...good, pose: { yaw: 0, pitch: 40, roll: 0 } }).reasons).toEqual(['turned']);

    const blurred = faceQuality({ ...good, sharpness: QUALITY_LIMITS.sharpness.bad });
    expect(blurred).toEqual({ score: 0, reasons: ['blurred'] });

    const cut = faceQuality({ ...good, box: { x: 540, y: 120, width: 180, height: 200 } });
    expect(cut.reasons).toEqual(['cut-off']);
  });

  it('ignores roll, which alignment removes', () => {
    expect(faceQuality({ ...good, pose: { yaw: 0, pitch: 0, roll: 60 } }).score).toBe(1);
  });

  it('lists the worst factor first and multiplies the factors', () => {
    const q = faceQuality({
      ...good,
      box: { x: 300, y: 200, width: 100, height: 100 },
      pose: { yaw: 40, pitch: 0, roll: 0 },
    });
    expect(q.reasons).toEqual(['turned', 'too-small']);
    const size = (100 - QUALITY_LIMITS.size.bad) / (QUALITY_LIMITS.size.good - QUALITY_LIMITS.size.bad);
    const angle = (QUALITY_LIMITS.angle.bad - 40) / (QUALITY_LIMITS.angle.bad - QUALITY_LIMITS.angle.good);
    expect(q.score).toBeCloseTo(size * angle, 6);
  });
});
