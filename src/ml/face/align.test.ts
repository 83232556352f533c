import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  ARCFACE_TEMPLATE,
  alignFaces,
  alignmentFor,
  applyToPoint,
  estimateSimilarity,
  invert,
  templateFor,
  type Point,
  type Similarity,
} from './align';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded uniform numbers in [0, 1) (mulberry32), so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function similarity(angleDeg: number, scale: number, tx: number, ty: number): Similarity {
  const r = (angleDeg * Math.PI) / 180;
  return { a: scale * Math.cos(r), b: scale * Math.sin(r), tx, ty };
}

const SRC: Point[] = [
  [120.5, 80.25],
  [170, 77],
  [146, 112.75],
  [128, 140],
  [163.5, 139],
  [10, -4],
];

describe('estimateSimilarity', () => {
  it('recovers a known similarity from exact points', () => {
    const truth = similarity(20, 1.7, 12.5, -7.25);
    const fit = estimateSimilarity(
      SRC,
      SRC.map((p) => applyToPoint(truth, p)),
    );
    expect(Math.abs(fit.a - truth.a)).toBeLessThan(1e-6);
    expect(Math.abs(fit.b - truth.b)).toBeLessThan(1e-6);
    expect(Math.abs(fit.tx - truth.tx)).toBeLessThan(1e-6);
    expect(Math.abs(fit.ty - truth.ty)).toBeLessThan(1e-6);
    expect(fit.rms).toBeLessThan(1e-6);
  });

  it('fits noisy points with a small residual that is the least-squares optimum', () => {
    const truth = similarity(20, 1.7, 12.5, -7.25);
    const rand = rng(7);
    const noisy = SRC.map((p): Point => {
      const [x, y] = applyToPoint(truth, p);
      return [x + (rand() - 0.5), y + (rand() - 0.5)];
    });
    const fit = estimateSimilarity(SRC, noisy);
    expect(Math.hypot(fit.a, fit.b)).toBeCloseTo(1.7, 2);
    expect((Math.atan2(fit.b, fit.a) * 180) / Math.PI).toBeCloseTo(20, 0);
    expect(fit.rms).toBeGreaterThan(0.05);
    expect(fit.rms).toBeLessThan(0.5);

    const rms = (t: Similarity) =>
      Math.sqrt(
        SRC.reduce((sum, p, i) => {
          const [x, y] = applyToPoint(t, p);
          const [u, v] = noisy[i] as Point;
          return sum + (x - u) ** 2 + (y - v) ** 2;
        }, 0) / SRC.length,
      );
    expect(rms(fit)).toBeCloseTo(fit.rms, 12);
    for (const key of ['a', 'b', 'tx', 'ty'] as const) {
      for (const step of [1e-3, -1e-3]) {
        expect(rms({ ...fit, [key]: fit[key] + step })).toBeGreaterThan(fit.rms);
      }
    }
  });

  it('never returns a reflection, even when a mirror image would fit exactly', () => {
    const mirrored = SRC.map(([x, y]): Point => [-x, y]);
    const fit = estimateSimilarity(SRC, mirrored);
    const area = (p: Point[]) => {
      const [[x0, y0], [x1, y1], [x2, y2]] = p as [Point, Point, Point];
      return (x1 - x0) * (y2 - y0) - (y1 - y0) * (x2 - x0);
    };
    const mapped = SRC.map((p) => applyToPoint(fit, p));
    expect(Math.sign(area(mapped))).toBe(Math.sign(area(SRC)));
    expect(fit.rms).toBeGreaterThan(1);
  });

  it('rejects unusable input', () => {
    expect(() => estimateSimilarity([[0, 0]], [[1, 1]])).toThrow(/at least two/);
    expect(() => estimateSimilarity(SRC, SRC.slice(1))).toThrow(/differ/);
    expect(() =>
      estimateSimilarity(
        [
          [3, 3],
          [3, 3],
        ],
        [
          [0, 0],
          [1, 1],
        ],
      ),
    ).toThrow(/coincide/);
  });
});

describe('invert and applyToPoint', () => {
  it('round-trips points through a similarity and its inverse', () => {
    const t = similarity(-63, 0.37, 250, -18);
    const inv = invert(t);
    for (const p of SRC) {
      const [x, y] = applyToPoint(inv, applyToPoint(t, p));
      expect(x).toBeCloseTo(p[0], 9);
      expect(y).toBeCloseTo(p[1], 9);
    }
    const back = invert(inv);
    expect(back.a).toBeCloseTo(t.a, 12);
    expect(back.b).toBeCloseTo(t.b, 12);
    expect(back.tx).toBeCloseTo(t.tx, 9);
    expect(back.ty).toBeCloseTo(t.ty, 9);
  });

  it('applies x′ = a·x − b·y + tx, y′ = b·x + a·y + ty', () => {
    expect(applyToPoint({ a: 0, b: 2, tx: 1, ty: 3 }, [1, 0])).toEqual([1, 5]);
    expect(applyToPoint({ a: 0, b: 2, tx: 1, ty: 3 }, [0, 1])).toEqual([-1, 3]);
  });

  it('refuses to invert a zero-scale transform', () => {
    expect(() => invert({ a: 0, b: 0, tx: 1, ty: 1 })).toThrow(/no inverse/);
  });
});

describe('templateFor', () => {
  it('is the ArcFace template at 112', () => {
    const t = templateFor(112);
    t.forEach(([x, y], i) => {
      const [u, v] = ARCFACE_TEMPLATE[i] as Point;
      expect(x).toBeCloseTo(u, 10);
      expect(y).toBeCloseTo(v, 10);
    });
  });

  it('scales with the crop as resizing the 112 crop would', () => {
    const [eye] = templateFor(224) as [Point];
    expect(eye[0]).toBeCloseTo((38.2946 + 0.5) * 2 - 0.5, 10);
    expect(eye[1]).toBeCloseTo((51.6963 + 0.5) * 2 - 0.5, 10);
  });

  it('zooms about the crop centre', () => {
    const plain = templateFor(224);
    const loose = templateFor(224, { zoom: 0.8 });
    const c = 223 / 2;
    plain.forEach(([x, y], i) => {
      const [u, v] = loose[i] as Point;
      expect(u - c).toBeCloseTo((x - c) * 0.8, 10);
      expect(v - c).toBeCloseTo((y - c) * 0.8, 10);
    });
    expect(() => templateFor(112, { zoom: 0 })).toThrow(RangeError);
    expect(() => templateFor(-1)).toThrow(RangeError);
  });
});

describe('alignFaces', () => {
  const H = 240;
  const W = 220;
  const COLOUR = [1, 0.5, 0.25];
  const HALF = 2; // 5×5 squares

  /** A black image with a small coloured square at each landmark. */
  function syntheticImage(landmarks: Point[]): tf.Tensor3D {
    const data = new Float32Array(H * W * 3);
    for (const [x, y] of landmarks) {
      for (let i = y - HALF; i <= y + HALF; i++) {
        for (let j = x - HALF; j <= x + HALF; j++) {
          for (let c = 0; c < 3; c++) data[(i * W + j) * 3 + c] = COLOUR[c] as number;
        }
      }
    }
    return tf.tensor3d(data, [H, W, 3]);
  }

  /** Where a face drawn with template→image transform `g` puts its landmarks (whole pixels). */
  function landmarksFor(g: Similarity, size: number): Point[] {
    return templateFor(size).map((p) => {
      const [x, y] = applyToPoint(g, p);
      return [Math.round(x), Math.round(y)];
    });
  }

  function placed(angleDeg: number, pxPerTemplatePx: number, centre: Point, size: number): Similarity {
    const g = similarity(angleDeg, pxPerTemplatePx, 0, 0);
    const [cx, cy] = applyToPoint(g, [size / 2, size / 2]);
    return { ...g, tx: centre[0] - cx, ty: centre[1] - cy };
  }

  const pixel = (data: Float32Array, size: number, n: number, [x, y]: Point) => {
    const o = ((n * size + Math.round(y)) * size + Math.round(x)) * 3;
    return [data[o], data[o + 1], data[o + 2]] as [number, number, number];
  };

  it('puts each face’s landmarks on the template points, one crop per face', async () => {
    const faceA = landmarksFor(placed(20, 1 / 1.1, [70, 90], 112), 112);
    const faceB = landmarksFor(placed(-35, 1 / 1.4, [155, 170], 112), 112);
    const image = syntheticImage([...faceA, ...faceB]);
    const fits = [alignmentFor(faceA, 112), alignmentFor(faceB, 112)];
    for (const f of fits) expect(f.rms).toBeLessThan(1);

    const before = tf.memory().numTensors;
    const crops = alignFaces(image, fits, 112);
    expect(tf.memory().numTensors).toBe(before + 1);
    expect(crops.shape).toEqual([2, 112, 112, 3]);
    const data = (await crops.data()) as Float32Array;
    crops.dispose();
    expect(image.isDisposed).toBe(false);
    image.dispose();

    for (let n = 0; n < 2; n++) {
      for (const p of templateFor(112)) {
        const [r, g, b] = pixel(data, 112, n, p);
        expect(r).toBeGreaterThan(0.9);
        expect(g).toBeCloseTo(r / 2, 5);
        expect(b).toBeCloseTo(r / 4, 5);
      }
      // Between the eyes and the nose, and the corners, there is nothing bright.
      for (const p of [
        [56, 60],
        [5, 5],
        [106, 106],
        [56, 30],
      ] as Point[]) {
        expect(pixel(data, 112, n, p)[0]).toBe(0);
      }
      let bright = 0;
      for (let i = 0; i < 112 * 112; i++) if ((data[(n * 112 * 112 + i) * 3] as number) > 0.5) bright++;
      // Five 5×5 squares, enlarged 1.1× or 1.4× by the alignment.
      expect(bright).toBeGreaterThan(5 * 20);
      expect(bright).toBeLessThan(5 * 70);
    }
  });

  it('aligns to a larger template (224 crops)', async () => {
    const g = placed(8, 0.55, [110, 120], 224);
    const landmarks = landmarksFor(g, 224);
    const image = syntheticImage(landmarks);
    const crops = alignFaces(image, [alignmentFor(landmarks, 224)], 224);
    image.dispose();
    expect(crops.shape).toEqual([1, 224, 224, 3]);
    const data = (await crops.data()) as Float32Array;
    crops.dispose();
    for (const p of templateFor(224)) expect(pixel(data, 224, 0, p)[0]).toBeGreaterThan(0.9);
    expect(pixel(data, 224, 0, [112, 120])[0]).toBe(0);
  });

  it('fills with zeros outside the image', async () => {
    const image = tf.ones([20, 20, 3]) as tf.Tensor3D;
    const far = { a: 1, b: 0, tx: -500, ty: -500 }; // crop pixel (x, y) reads the image at (x + 500, y + 500)
    const near = { a: 1, b: 0, tx: 0, ty: 0 };
    const crops = alignFaces(image, [far, near], 16);
    image.dispose();
    const data = (await crops.data()) as Float32Array;
    crops.dispose();
    expect(data.subarray(0, 16 * 16 * 3).every((v) => v === 0)).toBe(true);
    expect(data.subarray(16 * 16 * 3).every((v) => v === 1)).toBe(true);
  });

  it('returns an empty batch for no faces and leaks nothing', () => {
    const image = tf.zeros([30, 40, 3]) as tf.Tensor3D;
    const before = tf.memory().numTensors;
    const none = alignFaces(image, [], 112);
    expect(none.shape).toEqual([0, 112, 112, 3]);
    none.dispose();
    for (let i = 0; i < 5; i++) alignFaces(image, [{ a: 2, b: 0.5, tx: 1, ty: 2 }], 8).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => alignFaces(image, [], 0)).toThrow(RangeError);
    expect(() => alignFaces(image, [], 2.5)).toThrow(RangeError);
    image.dispose();
  });
});
