import { describe, expect, it } from 'vitest';
import {
  equalErrorRate,
  evaluateEmbeddings,
  falseMatchRateAt,
  falseMatchRateForGallerySize,
  gallerySizeAtFalseMatchRate,
  gallerySizes,
  measuredOpenSetFalseMatch,
  openSetRates,
  openSetTrials,
  pairScores,
  predictedFalseMatchRate,
  rocCurve,
  tarAtFar,
  type LabelledEmbedding,
  type RocPoint,
} from './evaluate';
import { gaussian, seededRandom } from '../core/random';

const f = (...v: number[]) => Float32Array.from(v);
const f32 = Math.fround;
const deg = (d: number): Float32Array => f(Math.cos((d * Math.PI) / 180), Math.sin((d * Math.PI) / 180));
const sample = (label: string, embedding: Float32Array): LabelledEmbedding => ({ label, embedding });

/** Seeded, so random tests never flake. */
const rng = seededRandom;

function expectMonotone(roc: RocPoint[]): void {
  for (let i = 1; i < roc.length; i++) {
    const a = roc[i - 1] as RocPoint;
    const b = roc[i] as RocPoint;
    expect(b.threshold).toBeGreaterThan(a.threshold);
    expect(b.far).toBeLessThanOrEqual(a.far);
    expect(b.tar).toBeLessThanOrEqual(a.tar);
  }
}

describe('equalErrorRate, tarAtFar and rocCurve on a hand-worked example', () => {
  // genuine [0.9, 0.8, 0.4] (G = 3), impostor [0.5, 0.3, 0.2, 0.1] (I = 4); match when score >= t.
  //
  //   t        0.1   0.2   0.3   0.4   0.5   0.8   0.9   above all
  //   FAR      4/4   3/4   2/4   1/4   1/4   0     0     0
  //   FRR      0     0     0     0     1/3   1/3   2/3   1
  //
  // FAR - FRR is +1/4 at t = 0.4 and 1/4 - 1/3 = -1/12 at t = 0.5, so the crossing is at
  // alpha = (1/4) / (1/4 + 1/12) = 3/4 of the way from 0.4 to 0.5:
  //   EER = FAR: 1/4 + 3/4·(1/4 - 1/4) = 1/4   (= FRR: 0 + 3/4·1/3 = 1/4)
  //   threshold = 0.4 + 3/4·0.1 = 0.475
  const genuine = f(0.9, 0.8, 0.4);
  const impostor = f(0.5, 0.3, 0.2, 0.1);

  it('interpolates the EER and its threshold where FAR and FRR cross', () => {
    const { eer, threshold } = equalErrorRate(genuine, impostor);
    expect(eer).toBeCloseTo(0.25, 12);
    expect(threshold).toBeCloseTo(0.475, 6);
  });

  it('takes TAR at the lowest threshold whose FAR is within the target', () => {
    // FAR <= 1/4 first holds at t = 0.4, where all genuine pairs still match.
    expect(tarAtFar(genuine, impostor, 0.25)).toEqual({ tar: 1, threshold: f32(0.4) });
    // FAR <= 0.2 needs FAR = 0: t = 0.8, one genuine pair (0.4) lost.
    expect(tarAtFar(genuine, impostor, 0.2)).toEqual({ tar: 2 / 3, threshold: f32(0.8) });
    expect(tarAtFar(genuine, impostor, 0)).toEqual({ tar: 2 / 3, threshold: f32(0.8) });
    expect(tarAtFar(genuine, impostor, 1)).toEqual({ tar: 1, threshold: f32(0.1) });
  });

  it('lists every operating point from (1, 1) to (0, 0)', () => {
    const roc = rocCurve(genuine, impostor);
    expect(roc.map((p) => [p.far, p.tar])).toEqual([
      [1, 1],
      [0.75, 1],
      [0.5, 1],
      [0.25, 1],
      [0.25, 2 / 3],
      [0, 2 / 3],
      [0, 1 / 3],
      [0, 0],
    ]);
    expect(roc.slice(0, 7).map((p) => p.threshold)).toEqual([0.1, 0.2, 0.3, 0.4, 0.5, 0.8, 0.9].map(f32));
    // The last threshold sits just above the highest score, so nothing matches there.
    expect((roc[7] as RocPoint).threshold).toBeGreaterThan(f32(0.9));
    expectMonotone(roc);
  });
});

describe('separable and overlapping score sets', () => {
  it('gives EER 0 and TAR 1 at FAR 1e-3 when every genuine score beats every impostor score', () => {
    const genuine = f(0.9, 0.8, 0.7);
    const impostor = f(0.3, 0.2, 0.1, 0);
    const { eer, threshold } = equalErrorRate(genuine, impostor);
    expect(eer).toBe(0);
    // The lowest threshold with no errors: the lowest genuine score.
    expect(threshold).toBe(f32(0.7));
    expect(tarAtFar(genuine, impostor, 1e-3)).toEqual({ tar: 1, threshold: f32(0.7) });
  });

  it('gives EER 0.5 when genuine and impostor scores are the same set', () => {
    // At t = 0.3: FAR = 2/4 (0.3, 0.4 match) and FRR = 2/4 (0.1, 0.2 rejected).
    const scores = f(0.1, 0.2, 0.3, 0.4);
    const { eer, threshold } = equalErrorRate(scores, scores);
    expect(eer).toBe(0.5);
    expect(threshold).toBe(f32(0.3));
  });

  it('gives EER near 0.5 when both come from one distribution', () => {
    const rand = rng(7);
    const genuine = Float32Array.from({ length: 5000 }, () => gaussian(rand));
    const impostor = Float32Array.from({ length: 5000 }, () => gaussian(rand));
    expect(equalErrorRate(genuine, impostor).eer).toBeGreaterThan(0.47);
    expect(equalErrorRate(genuine, impostor).eer).toBeLessThan(0.53);
  });

  it('gives EER 0.5 when every score is equal', () => {
    // One operating point accepts everything (FAR 1, FRR 0), the next nothing (FAR 0, FRR 1).
    expect(equalErrorRate(f(0.5, 0.5), f(0.5, 0.5, 0.5)).eer).toBe(0.5);
  });
});

describe('ties', () => {
  // genuine [0.5, 0.9], impostor [0.5, 0.1]: the genuine and impostor 0.5 must switch together.
  //   t      0.1   0.5   0.9   above
  //   FAR    1     1/2   0     0
  //   TAR    1     1     1/2   0
  const genuine = f(0.5, 0.9);
  const impostor = f(0.5, 0.1);

  it('never separates pairs with equal scores', () => {
    expect(rocCurve(genuine, impostor).map((p) => [p.far, p.tar])).toEqual([
      [1, 1],
      [0.5, 1],
      [0, 0.5],
      [0, 0],
    ]);
    // FAR 0.4 cannot be had while keeping the tied genuine pair.
    expect(tarAtFar(genuine, impostor, 0.4)).toEqual({ tar: 0.5, threshold: f32(0.9) });
    // FAR - FRR: 1/2 at 0.5, -1/2 at 0.9 → halfway: EER 1/4 at threshold 0.7.
    const { eer, threshold } = equalErrorRate(genuine, impostor);
    expect(eer).toBeCloseTo(0.25, 12);
    expect(threshold).toBeCloseTo(0.7, 6);
  });

  it('matches a brute-force count at every threshold on quantised random scores', () => {
    const rand = rng(3);
    for (let trial = 0; trial < 20; trial++) {
      const q = () => Math.round(rand() * 10) / 10; // many ties
      const genuine = Float32Array.from({ length: 1 + Math.floor(rand() * 15) }, q);
      const impostor = Float32Array.from({ length: 1 + Math.floor(rand() * 30) }, q);
      const roc = rocCurve(genuine, impostor, 1000);
      const distinct = [...new Set([...genuine, ...impostor])].sort((a, b) => a - b);
      expect(roc.length).toBe(distinct.length + 1);
      distinct.forEach((t, i) => {
        const p = roc[i] as RocPoint;
        expect(p.threshold).toBe(t);
        expect(p.far).toBe(impostor.filter((s) => s >= t).length / impostor.length);
        expect(p.tar).toBe(genuine.filter((s) => s >= t).length / genuine.length);
      });
      for (const target of [0, 0.05, 0.1, 0.3, 0.5]) {
        const best = roc.find((p) => p.far <= target) as RocPoint;
        expect(tarAtFar(genuine, impostor, target)).toEqual({ tar: best.tar, threshold: best.threshold });
      }
      const { eer } = equalErrorRate(genuine, impostor);
      expect(eer).toBeGreaterThanOrEqual(0);
      expect(eer).toBeLessThanOrEqual(1);
    }
  });
});

describe('pairScores', () => {
  it('scores every unordered pair once, split by label', () => {
    const { genuine, impostor } = pairScores([sample('a', f(1, 0)), sample('a', f(0.6, 0.8)), sample('b', f(0, 1))]);
    expect(Array.from(genuine)).toEqual([f32(0.6)]);
    expect(Array.from(impostor)).toEqual([0, f32(0.8)]);
  });

  it('refuses embeddings that are not unit length or differ in length', () => {
    expect(() => pairScores([sample('a', f(1, 1)), sample('b', f(1, 0))])).toThrow(/L2-normalise/);
    expect(() => pairScores([sample('a', f(1, 0)), sample('b', f(1, 0, 0))])).toThrow(/length 3, not 2/);
  });
});

describe('evaluateEmbeddings', () => {
  it('scores leave-one-out rank-1 on a tiny 2-D set', () => {
    // Unit vectors by angle. Nearest other sample of each probe:
    //   A1 (0°):  A2 at 10°            → correct
    //   A2 (10°): A1 at 10°, B1 at 15° → correct
    //   B1 (25°): A2 at 15°, B2 at 35° → wrong
    //   B2 (60°): B1 at 35°            → correct
    //   C1 (150°) has no other C sample, so it is only in the gallery.
    const ev = evaluateEmbeddings([
      sample('A', deg(0)),
      sample('A', deg(10)),
      sample('B', deg(25)),
      sample('B', deg(60)),
      sample('C', deg(150)),
    ]);
    expect(ev.rank1_probes).toBe(4);
    expect(ev.rank1).toBe(0.75);
    expect(ev.identities).toBe(3);
    expect(ev.samples).toBe(5);
    expect(ev.genuine_pairs).toBe(2);
    expect(ev.impostor_pairs).toBe(8);
    expect(ev.far_resolution).toBe(1 / 8);
    expect(ev.genuine_scores_summary.max).toBeCloseTo(Math.cos((10 * Math.PI) / 180), 6);
    expect(ev.genuine_scores_summary.min).toBeCloseTo(Math.cos((35 * Math.PI) / 180), 6);
    expect(ev.impostor_scores_summary.min).toBeCloseTo(Math.cos((150 * Math.PI) / 180), 6);
    // Fewer than 1000 impostor pairs: TAR at FAR 1e-3 is TAR at FAR 0, still a number. The
    // highest impostor score is A2·B1 = cos 15°; only the genuine A1·A2 = cos 10° beats it.
    expect(ev.tar_at_far_1e3).toBe(0.5);
    expect(Number.isFinite(ev.eer)).toBe(true);
    expectMonotone(ev.roc);
  });

  it('counts a tie between a same-label and an other-label neighbour as a miss', () => {
    // A1 at 0° is exactly as close to A2 (30°) as to B1 (-30°).
    const ev = evaluateEmbeddings([sample('A', deg(0)), sample('A', deg(30)), sample('B', deg(-30))]);
    expect(ev.rank1_probes).toBe(2);
    expect(ev.rank1).toBe(0.5);
  });

  it('says what is missing when there are no genuine or no impostor pairs', () => {
    expect(() => evaluateEmbeddings([sample('a', deg(0)), sample('b', deg(90))])).toThrow(
      /at least two images to form genuine pairs/,
    );
    expect(() => evaluateEmbeddings([sample('a', deg(0)), sample('a', deg(90))])).toThrow(
      /at least two identities to form impostor pairs/,
    );
    expect(() => evaluateEmbeddings([])).toThrow(/genuine pairs/);
    expect(() => equalErrorRate(f(), f(0.1))).toThrow(/genuine pairs/);
    expect(() => tarAtFar(f(0.1), f(), 1e-3)).toThrow(/impostor pairs/);
    expect(() => rocCurve(f(0.1), f())).toThrow(/impostor pairs/);
  });

  it('evaluates about 300k pairs and thins the ROC to at most 200 points', () => {
    const rand = rng(11);
    const dim = 32;
    const identities = 155;
    const perIdentity = 5; // 775 samples → 775·774/2 = 299,925 pairs
    const samples: LabelledEmbedding[] = [];
    for (let id = 0; id < identities; id++) {
      const centre = Array.from({ length: dim }, () => gaussian(rand));
      for (let k = 0; k < perIdentity; k++) {
        const v = centre.map((c) => c + 0.8 * gaussian(rand));
        const n = Math.hypot(...v);
        samples.push(
          sample(
            `id${id}`,
            Float32Array.from(v, (x) => x / n),
          ),
        );
      }
    }
    const ev = evaluateEmbeddings(samples);
    expect(ev.genuine_pairs).toBe(identities * 10);
    expect(ev.genuine_pairs + ev.impostor_pairs).toBe(299_925);
    expect(ev.far_resolution).toBe(1 / ev.impostor_pairs);
    expect(ev.eer).toBeGreaterThanOrEqual(0);
    expect(ev.eer).toBeLessThan(0.2);
    expect(ev.tar_at_far_1e3).toBeGreaterThan(0);
    expect(ev.tar_at_far_1e3).toBeLessThanOrEqual(1);
    expect(ev.rank1).toBeGreaterThan(0.8);
    expect(ev.rank1_probes).toBe(775);
    expect(ev.roc.length).toBeLessThanOrEqual(200);
    expect(ev.roc.length).toBeGreaterThan(100);
    expect(ev.roc[0]).toMatchObject({ far: 1, tar: 1 });
    expect(ev.roc[ev.roc.length - 1]).toMatchObject({ far: 0, tar: 0 });
    expectMonotone(ev.roc);
    // The thinning keeps the low-FAR end of the curve, not only the linear part.
    expect(ev.roc.some((p) => p.far > 0 && p.far <= 1e-3)).toBe(true);
    expect(ev.genuine_scores_summary.mean).toBeGreaterThan(ev.impostor_scores_summary.mean);
  });
});

describe('rocCurve thinning', () => {
  it('honours maxPoints and keeps both ends', () => {
    const rand = rng(5);
    const genuine = Float32Array.from({ length: 2000 }, () => 1 + gaussian(rand));
    const impostor = Float32Array.from({ length: 3000 }, () => gaussian(rand));
    for (const maxPoints of [2, 3, 10, 200]) {
      const roc = rocCurve(genuine, impostor, maxPoints);
      expect(roc.length).toBeLessThanOrEqual(maxPoints);
      expect(roc[0]).toMatchObject({ far: 1, tar: 1 });
      expect(roc[roc.length - 1]).toMatchObject({ far: 0, tar: 0 });
      expectMonotone(roc);
    }
    expect(rocCurve(genuine, impostor, 200).length).toBeGreaterThan(150);
    expect(() => rocCurve(genuine, impostor, 1)).toThrow(/at least 2 points/);
  });
});

describe('falseMatchRateForGallerySize', () => {
  const impostor = f(0.5, 0.3, 0.2, 0.1); // FAR(0.3) = 2/4, FAR(0.5) = 1/4

  it('equals FAR for a gallery of one and grows with the gallery', () => {
    expect(falseMatchRateForGallerySize(impostor, 0.3, 1)).toBeCloseTo(0.5, 12);
    expect(falseMatchRateForGallerySize(impostor, 0.5, 1)).toBeCloseTo(0.25, 12);
    // 1 - (3/4)^2 = 7/16; 1 - (3/4)^10 ≈ 0.9437.
    expect(falseMatchRateForGallerySize(impostor, 0.5, 2)).toBeCloseTo(0.4375, 12);
    expect(falseMatchRateForGallerySize(impostor, 0.5, 10)).toBeCloseTo(1 - 0.75 ** 10, 12);
    let previous = 0;
    for (const n of [1, 2, 5, 10, 100]) {
      const rate = falseMatchRateForGallerySize(impostor, 0.5, n);
      expect(rate).toBeGreaterThan(previous);
      previous = rate;
    }
  });

  it('handles the edges', () => {
    expect(falseMatchRateForGallerySize(impostor, 0.6, 1000)).toBe(0); // no impostor reaches 0.6
    expect(falseMatchRateForGallerySize(impostor, 0, 3)).toBe(1); // every impostor matches
    expect(falseMatchRateForGallerySize(impostor, 0.5, 0)).toBe(0);
    // A tiny FAR is not lost to rounding: 1 - (1 - 1e-6)^1 = 1e-6.
    const many = new Float32Array(1_000_000);
    many[0] = 1;
    expect(falseMatchRateForGallerySize(many, 0.5, 1)).toBeCloseTo(1e-6, 15);
    expect(() => falseMatchRateForGallerySize(f(), 0.5, 1)).toThrow(/impostor/);
    expect(() => falseMatchRateForGallerySize(impostor, 0.5, -1)).toThrow(/gallery size/);
  });
});

describe('predicted 1:N false match rate', () => {
  it('turns a 1:1 rate of 0.1 % into about 63 % for a gallery of 1,000', () => {
    expect(predictedFalseMatchRate(1e-3, 1)).toBeCloseTo(1e-3, 15);
    expect(predictedFalseMatchRate(1e-3, 1000)).toBeCloseTo(1 - 0.999 ** 1000, 12); // 0.6323…
    expect(predictedFalseMatchRate(1e-3, 1000)).toBeCloseTo(0.6323, 4);
    expect(predictedFalseMatchRate(0, 1e6)).toBe(0);
    expect(predictedFalseMatchRate(1, 0.5)).toBe(1);
    expect(predictedFalseMatchRate(0.2, 0)).toBe(0);
    expect(() => predictedFalseMatchRate(1.5, 1)).toThrow(/FMR/);
    expect(() => predictedFalseMatchRate(0.1, Infinity)).toThrow(/gallery size/);
  });

  it('finds the gallery size where the prediction crosses a rate', () => {
    // log(0.5) / log(0.999) = 692.8…; log(0.99) / log(0.999) = 10.04…
    expect(gallerySizeAtFalseMatchRate(1e-3, 0.5)).toBeCloseTo(Math.log(0.5) / Math.log(0.999), 9);
    expect(gallerySizeAtFalseMatchRate(1e-3, 0.5)).toBeCloseTo(692.8, 1);
    expect(gallerySizeAtFalseMatchRate(1e-3, 0.01)).toBeCloseTo(10.045, 3);
    const n = gallerySizeAtFalseMatchRate(0.02, 0.5);
    expect(predictedFalseMatchRate(0.02, n)).toBeCloseTo(0.5, 12);
    expect(gallerySizeAtFalseMatchRate(0, 0.5)).toBe(Infinity);
    expect(gallerySizeAtFalseMatchRate(1, 0.5)).toBe(0);
    expect(() => gallerySizeAtFalseMatchRate(0.1, 1)).toThrow(/target/);
  });

  it('measures FMR₁ as the share of impostor scores at or above the threshold', () => {
    const impostor = f(0.5, 0.3, 0.2, 0.1);
    expect(falseMatchRateAt(impostor, 0.3)).toBe(0.5);
    expect(falseMatchRateAt(impostor, f32(0.5))).toBe(0.25);
    expect(falseMatchRateAt(impostor, 0.6)).toBe(0);
    // The same FMR₁ through the existing one-step helper.
    expect(predictedFalseMatchRate(falseMatchRateAt(impostor, 0.3), 7)).toBe(
      falseMatchRateForGallerySize(impostor, 0.3, 7),
    );
    expect(() => falseMatchRateAt(f(), 0.5)).toThrow(/impostor/);
  });

  it('lists gallery sizes as powers of two, ending at the largest', () => {
    expect(gallerySizes(0)).toEqual([]);
    expect(gallerySizes(1)).toEqual([1]);
    expect(gallerySizes(3)).toEqual([1, 2, 3]);
    expect(gallerySizes(8)).toEqual([1, 2, 4, 8]);
    expect(gallerySizes(9)).toEqual([1, 2, 4, 8, 9]);
  });
});

describe('measuredOpenSetFalseMatch', () => {
  /** Unit vector along axis k of a 4-D space. */
  const axis = (k: number) => Float32Array.from({ length: 4 }, (_, i) => (i === k ? 1 : 0));

  it('finds no false matches between orthogonal identities and identifies every genuine probe', () => {
    // Two identical samples per identity: genuine score 1, every impostor score 0.
    const samples = [0, 1, 2, 3].flatMap((k) => [sample(`p${k}`, axis(k)), sample(`p${k}`, axis(k))]);
    const points = measuredOpenSetFalseMatch(samples, 0.5, [1, 2, 3], 4, 1);
    expect(points.map((p) => p.n)).toEqual([1, 2, 3]);
    for (const p of points) {
      expect(p).toEqual({
        n: p.n,
        impostor_probes: 8 * 4,
        false_match_rate: 0,
        genuine_probes: 8 * 4,
        rank1: 1,
        identification_rate: 1,
      });
    }
    // Above every genuine score nobody is identified, though rank-1 is untouched; at 0 every
    // impostor score (0) matches.
    const strict = measuredOpenSetFalseMatch(samples, 1.01, [3], 4, 1)[0];
    expect(strict).toMatchObject({ false_match_rate: 0, rank1: 1, identification_rate: 0 });
    expect(measuredOpenSetFalseMatch(samples, 0, [1], 4, 1)[0]?.false_match_rate).toBe(1);
  });

  // Four identities of one sample each; only the pair A·B = cos 30° ≈ 0.866 is similar.
  const a30 = Math.cos(Math.PI / 6);
  const single = [sample('A', axis(0)), sample('B', f(a30, 0.5, 0, 0)), sample('C', axis(2)), sample('D', axis(3))];

  it('gives the exact fraction when the one gallery of all other identities contains the impostor pair', () => {
    // n = 3: every gallery holds all other identities, so A and B each falsely match the other
    // and C, D match nobody: 2 of 4 probes in every draw.
    const [p] = measuredOpenSetFalseMatch(single, 0.5, [3], 5, 9);
    expect(p).toEqual({
      n: 3,
      impostor_probes: 20,
      false_match_rate: 0.5,
      genuine_probes: 0,
      rank1: null,
      identification_rate: null,
    });
    // Above the pair's score nothing matches; exactly at it (float32), the pair does.
    expect(measuredOpenSetFalseMatch(single, 0.9, [3], 5, 9)[0]?.false_match_rate).toBe(0);
    expect(measuredOpenSetFalseMatch(single, f32(a30), [3], 5, 9)[0]?.false_match_rate).toBe(0.5);
  });

  it('samples random galleries without bias and never lets the rate fall as the gallery grows', () => {
    // n = 1: A's gallery is B with probability 1/3, likewise B's; C and D never match. Expected
    // rate (1/3 + 1/3 + 0 + 0) / 4 = 1/6. n = 2: A misses B only with {C, D}, 1 of 3 subsets:
    // (2/3 + 2/3) / 4 = 1/3.
    const trials = openSetTrials(single, [1, 2, 3], 3000, 42);
    const [one, two, three] = openSetRates(trials, 0.5);
    expect(one?.false_match_rate).toBeGreaterThan(1 / 6 - 0.02);
    expect(one?.false_match_rate).toBeLessThan(1 / 6 + 0.02);
    expect(two?.false_match_rate).toBeGreaterThan(1 / 3 - 0.02);
    expect(two?.false_match_rate).toBeLessThan(1 / 3 + 0.02);
    expect(three?.false_match_rate).toBe(0.5);
    // Nested galleries: each trial's best score is non-decreasing along the sizes.
    let falls = 0;
    for (let t = 0; t < trials.trials; t++) {
      const row = trials.bestNonMated.subarray(t * 3, t * 3 + 3);
      if ((row[0] as number) > (row[1] as number) || (row[1] as number) > (row[2] as number)) falls++;
    }
    expect(falls).toBe(0);
  });

  it('is reproducible from its seed', () => {
    const first = openSetTrials(single, [1, 2], 50, 7);
    expect(openSetTrials(single, [2, 1, 2], 50, 7)).toEqual(first); // sizes are sorted and deduplicated
    expect(Array.from(openSetTrials(single, [1, 2], 50, 8).bestNonMated)).not.toEqual(Array.from(first.bestNonMated));
  });

  it('scores genuine probes against their own identity next to the others', () => {
    // A1 at 0°, A2 at 20°, B at 35° (one sample, so never a genuine probe).
    //   A1: own cos 20° = 0.940 beats B's cos 35° = 0.819 → rank-1 hit
    //   A2: own 0.940 loses to B's cos 15° = 0.966 → miss
    const samples = [sample('A', deg(0)), sample('A', deg(20)), sample('B', deg(35))];
    const points = (t: number) => measuredOpenSetFalseMatch(samples, t, [1], 6, 3)[0];
    expect(points(0.9)).toMatchObject({
      impostor_probes: 18,
      genuine_probes: 12,
      rank1: 0.5,
      identification_rate: 0.5,
    });
    // Rank-1 does not depend on the threshold, identification does: cos 20° < 0.95.
    expect(points(0.95)).toMatchObject({ rank1: 0.5, identification_rate: 0 });
  });

  it('follows 1 − (1 − FMR₁)^n when impostor scores are independent', () => {
    // Random directions in 48-D, two samples per identity: impostor scores of one probe against
    // different identities are nearly independent, so the prediction should hold.
    const rand = rng(21);
    const dim = 48;
    const samples: LabelledEmbedding[] = [];
    const unit = (v: number[]) => {
      const n = Math.hypot(...v);
      return Float32Array.from(v, (x) => x / n);
    };
    for (let id = 0; id < 65; id++) {
      const centre = Array.from({ length: dim }, () => gaussian(rand));
      for (let k = 0; k < 2; k++) samples.push(sample(`id${id}`, unit(centre.map((c) => c + 0.5 * gaussian(rand)))));
    }
    const { impostor } = pairScores(samples);
    const threshold = 0.25;
    const fmr1 = falseMatchRateAt(impostor, threshold);
    expect(fmr1).toBeGreaterThan(0.01);
    expect(fmr1).toBeLessThan(0.1);
    const points = measuredOpenSetFalseMatch(samples, threshold, gallerySizes(64), 4, 5);
    expect(points.map((p) => p.n)).toEqual([1, 2, 4, 8, 16, 32, 64]);
    for (const p of points) {
      expect(Math.abs(p.false_match_rate - predictedFalseMatchRate(fmr1, p.n))).toBeLessThan(0.06);
      expect(p.rank1).toBeGreaterThan(0.9);
    }
    expect((points[6] as { false_match_rate: number }).false_match_rate).toBeGreaterThan(0.5);
  });

  it('says what is wrong with its arguments', () => {
    expect(() => openSetTrials([sample('A', axis(0)), sample('A', axis(1))], [1], 1, 1)).toThrow(/two identities/);
    expect(() => openSetTrials(single, [4], 1, 1)).toThrow(/from 1 to 3/);
    expect(() => openSetTrials(single, [0], 1, 1)).toThrow(/from 1 to 3/);
    expect(() => openSetTrials(single, [1.5], 1, 1)).toThrow(/whole numbers/);
    expect(() => openSetTrials(single, [1], 0, 1)).toThrow(/draws/);
    expect(() => openSetTrials([sample('A', f(1, 1)), sample('B', f(1, 0))], [1], 1, 1)).toThrow(/L2-normalise/);
  });
});
