import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  CpuSearcher,
  GpuSearcher,
  chooseSearchPath,
  createSearcher,
  identify,
  identifyProbes,
  rankIdentities,
  type TemplateSet,
  type SearchHit,
  type Searcher,
} from './search';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

/** Seeded standard normal numbers (mulberry32 + Box–Muller), so failures reproduce. */
function gaussian(seed: number): () => number {
  let s = seed >>> 0;
  const uniform = () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) + 0.5) / 4294967296;
  };
  return () => Math.sqrt(-2 * Math.log(uniform())) * Math.cos(2 * Math.PI * uniform());
}

function randomVectors(count: number, dim: number, seed: number): Float32Array {
  const next = gaussian(seed);
  return Float32Array.from({ length: count * dim }, next);
}

const N = 5000;
const DIM = 192;
const K = 10;

/** The gallery, and probes: four noisy copies of known rows, then four unrelated vectors. */
function randomProblem() {
  const vectors = randomVectors(N, DIM, 1);
  const sources = [17, 2500, 4999, 0];
  const noise = gaussian(2);
  const probes = new Float32Array(8 * DIM);
  sources.forEach((row, p) => {
    for (let j = 0; j < DIM; j++) probes[p * DIM + j] = (vectors[row * DIM + j] as number) + 0.5 * noise();
  });
  probes.set(randomVectors(4, DIM, 3), 4 * DIM);
  return { gallery: { vectors, dim: DIM }, probes, sources };
}

/** Every score in double precision and a full sort: the answer, the slow way. */
function bruteForce(g: TemplateSet, probe: Float32Array, k: number): number[] {
  const norm = (v: Float32Array, o: number) => {
    let s = 0;
    for (let j = 0; j < g.dim; j++) s += (v[o + j] as number) ** 2;
    return Math.sqrt(s);
  };
  const pn = norm(probe, 0);
  const n = g.vectors.length / g.dim;
  const scores = Array.from({ length: n }, (_, r) => {
    let s = 0;
    for (let j = 0; j < g.dim; j++) s += (g.vectors[r * g.dim + j] as number) * (probe[j] as number);
    return { r, s: s / (pn * norm(g.vectors, r * g.dim)) };
  });
  return scores
    .sort((a, b) => b.s - a.s || a.r - b.r)
    .slice(0, k)
    .map((x) => x.r);
}

const indicesOf = (hits: SearchHit[][]) => hits.map((h) => h.map((x) => x.index));

describe('top-k search on random data (N=5000, dim=192)', () => {
  const { gallery, probes, sources } = randomProblem();
  let cpu: SearchHit[][];
  let gpu: SearchHit[][];

  beforeAll(async () => {
    cpu = new CpuSearcher(gallery).searchNow(probes, K);
    const index = new GpuSearcher(gallery);
    gpu = await index.search(probes, K);
    index.dispose();
  });

  it('finds the true top-k on the CPU path', () => {
    expect(cpu).toHaveLength(8);
    cpu.forEach((hits, p) => {
      expect(hits.map((h) => h.index)).toEqual(bruteForce(gallery, probes.subarray(p * DIM, (p + 1) * DIM), K));
      for (let i = 1; i < hits.length; i++) {
        expect((hits[i - 1] as SearchHit).score).toBeGreaterThanOrEqual((hits[i] as SearchHit).score);
      }
    });
    sources.forEach((row, p) => {
      const best = cpu[p]?.[0] as SearchHit;
      expect(best.index).toBe(row);
      expect(best.score).toBeGreaterThan(0.8);
    });
    // Unrelated 192-D vectors are nearly orthogonal.
    for (let p = 4; p < 8; p++) expect(cpu[p]?.[0]?.score).toBeLessThan(0.4);
  });

  it('gives the same top-k on the GPU path', () => {
    expect(indicesOf(gpu)).toEqual(indicesOf(cpu));
    gpu.forEach((hits, p) => hits.forEach((h, i) => expect(h.score).toBeCloseTo((cpu[p]?.[i] as SearchHit).score, 5)));
  });

  it('gives the same answer when the gallery is split into chunks', async () => {
    const chunked = new GpuSearcher(gallery, { maxChunkBytes: 700 * DIM * 4 });
    expect(chunked.chunkCount).toBe(8);
    const hits = await chunked.search(probes, K);
    chunked.dispose();
    expect(indicesOf(hits)).toEqual(indicesOf(gpu));
    hits.forEach((h, p) => h.forEach((x, i) => expect(x.score).toBeCloseTo((gpu[p]?.[i] as SearchHit).score, 6)));
  });
});

// TemplateSet of five 2-D templates for three identities; worked by hand for the probe (2, 0.2):
// |probe| = √4.04 = 2.00998; cos to (1,0) = 2/2.00998 = 0.99504; to (1,1) = 2.2/(2.00998·√2)
// = 0.77396; to (0,1) = 0.2/2.00998 = 0.09950; to (-1,0) = -0.99504; to (0.6,0.8) = 1.36/2.00998
// = 0.67663.
const SMALL: TemplateSet = {
  vectors: Float32Array.from([1, 0, 0, 1, 1, 1, -1, 0, 0.6, 0.8]),
  dim: 2,
  identities: [0, 1, 0, 2, 1],
};
const PROBE = Float32Array.from([2, 0.2]);

function bothPaths(g: TemplateSet, options: { maxChunkBytes?: number } = {}): Searcher[] {
  return [new CpuSearcher(g), new GpuSearcher(g, options)];
}

describe('search on a hand-made gallery', () => {
  it('ranks templates by cosine similarity, with identities', async () => {
    for (const s of bothPaths(SMALL)) {
      const [hits] = await s.search(PROBE, 3);
      s.dispose();
      expect(hits?.map((h) => [h.index, h.identityIndex])).toEqual([
        [0, 0],
        [2, 0],
        [4, 1],
      ]);
      expect(hits?.map((h) => h.score)).toEqual([
        expect.closeTo(0.99504, 5),
        expect.closeTo(0.77396, 5),
        expect.closeTo(0.67663, 5),
      ]);
    }
  });

  it('returns the whole gallery when k exceeds it, and the same for packed or listed probes', async () => {
    for (const s of bothPaths(SMALL)) {
      const listed = await s.search([PROBE, Float32Array.from([0, -1])], 99);
      const packed = await s.search(Float32Array.from([2, 0.2, 0, -1]), 99);
      s.dispose();
      expect(listed).toEqual(packed);
      expect(listed[0]?.map((h) => h.index)).toEqual([0, 2, 4, 1, 3]);
      expect(listed[1]?.[0]?.score).toBeCloseTo(0, 6); // (0,-1) is orthogonal to (1,0) and (-1,0)
      expect(listed[1]?.[4]?.index).toBe(1); // and opposite to (0,1)
    }
  });

  it('scores zero vectors as 0 rather than failing', async () => {
    const g: TemplateSet = { vectors: Float32Array.from([0, 0, 1, 0]), dim: 2 };
    for (const s of bothPaths(g)) {
      const [hits] = await s.search(Float32Array.from([-1, 0]), 2);
      const [zero] = await s.search(Float32Array.from([0, 0]), 2);
      s.dispose();
      expect(hits?.map((h) => [h.index, h.score])).toEqual([
        [0, 0],
        [1, -1],
      ]);
      expect(zero?.map((h) => h.score)).toEqual([0, 0]);
    }
  });

  it('rejects bad input clearly', async () => {
    expect(() => new CpuSearcher({ vectors: new Float32Array(5), dim: 2 })).toThrow(/whole number/);
    expect(() => new CpuSearcher({ ...SMALL, identities: [0, 1] })).toThrow(/5 templates but 2 identities/);
    const s = new CpuSearcher(SMALL);
    expect(() => s.searchNow(PROBE, 0)).toThrow(/k must be/);
    expect(() => s.searchNow(Float32Array.from([1, 2, 3]), 1)).toThrow(/whole number/);
    expect(() => s.searchNow([Float32Array.from([1, 2, 3])], 1)).toThrow(/Probe 0 has 3 values/);
    const index = new GpuSearcher(SMALL);
    index.dispose();
    await expect(index.search(PROBE, 1)).rejects.toThrow(/disposed/);
  });

  it('handles an empty gallery', async () => {
    for (const s of bothPaths({ vectors: new Float32Array(0), dim: 2 })) {
      expect(await s.search([PROBE, PROBE], 3)).toEqual([[], []]);
      s.dispose();
    }
  });
});

describe('ties', () => {
  // Rows 3, 7 and 12 are the same template; with 5-row chunks they sit in three chunks.
  const dim = 4;
  const vectors = randomVectors(15, dim, 9);
  const dup = Float32Array.from([1, 2, 3, 4]);
  for (const r of [12, 7, 3]) vectors.set(dup, r * dim);
  const g: TemplateSet = { vectors, dim };

  it('resolve to the lower gallery index on every path, including at the k-th place', async () => {
    const searchers = [...bothPaths(g), new GpuSearcher(g, { maxChunkBytes: 5 * dim * 4 })];
    expect((searchers[2] as GpuSearcher).chunkCount).toBe(3);
    for (const s of searchers) {
      const [two] = await s.search(dup, 2);
      const [three] = await s.search(dup, 3);
      s.dispose();
      expect(two?.map((h) => h.index)).toEqual([3, 7]);
      expect(three?.map((h) => h.index)).toEqual([3, 7, 12]);
      expect(three?.[0]?.score).toBeCloseTo(1, 6);
      expect(three?.[2]?.score).toBe(three?.[0]?.score);
    }
  });
});

describe('GpuSearcher', () => {
  it('batches probes so no score matrix exceeds maxChunkBytes, with the same results', async () => {
    const g: TemplateSet = { vectors: randomVectors(40, 4, 11), dim: 4 };
    const probes = randomVectors(10, 4, 12);
    // 64 bytes: chunks of 4 rows, and at most 4 probes × 4 scores per matMul.
    const index = new GpuSearcher(g, { maxChunkBytes: 64 });
    expect(index.chunkCount).toBe(10);
    const hits = await index.search(probes, 5);
    index.dispose();
    const expected = new CpuSearcher(g).searchNow(probes, 5);
    expect(indicesOf(hits)).toEqual(indicesOf(expected));
    expect(() => new GpuSearcher(g, { maxChunkBytes: 8 })).toThrow(/below one template/);
  });

  it('leaks no tensors over 100 searches and releases the gallery on dispose', async () => {
    const g: TemplateSet = { vectors: randomVectors(3000, 32, 13), dim: 32 };
    const probes = randomVectors(2, 32, 14);
    const start = tf.memory().numTensors;
    const index = new GpuSearcher(g, { maxChunkBytes: 1000 * 32 * 4 });
    expect(tf.memory().numTensors).toBe(start + 3);
    for (let i = 0; i < 100; i++) await index.search(probes, 5);
    expect(tf.memory().numTensors).toBe(start + 3);
    index.dispose();
    expect(tf.memory().numTensors).toBe(start);
  });
});

describe('createSearcher', () => {
  it('uses the GPU path only on a GPU backend with a large gallery', () => {
    expect(chooseSearchPath({ backend: 'webgpu', n: 2000 })).toBe('gpu');
    expect(chooseSearchPath({ backend: 'webgl', n: 100_000 })).toBe('gpu');
    expect(chooseSearchPath({ backend: 'webgpu', n: 1999 })).toBe('cpu');
    expect(chooseSearchPath({ backend: 'wasm', n: 100_000 })).toBe('cpu');
    expect(chooseSearchPath({ backend: 'cpu', n: 100_000 })).toBe('cpu');
    expect(chooseSearchPath({ backend: 'webgpu', n: 50, cpuBelow: 10 })).toBe('gpu');
  });

  it('builds the searcher for the chosen path', async () => {
    const big: TemplateSet = { vectors: randomVectors(2500, 8, 15), dim: 8 };
    const onCpu = createSearcher(big);
    expect(onCpu).toBeInstanceOf(CpuSearcher);
    const onGpu = createSearcher(big, { backend: 'webgpu' });
    expect(onGpu).toBeInstanceOf(GpuSearcher);
    expect(onGpu.path).toBe('gpu');
    const probe = randomVectors(1, 8, 16);
    expect(indicesOf(await onGpu.search(probe, 4))).toEqual(indicesOf(await onCpu.search(probe, 4)));
    onGpu.dispose();
    onCpu.dispose();
    expect(createSearcher(SMALL, { backend: 'webgpu' }).path).toBe('cpu');
  });
});

describe('identification', () => {
  const hits: SearchHit[] = [
    { index: 0, identityIndex: 0, score: 0.9 },
    { index: 4, identityIndex: 1, score: 0.8 },
    { index: 2, identityIndex: 0, score: 0.7 },
    { index: 5, identityIndex: 2, score: 0.8 },
  ];

  it('ranks identities by their best template', () => {
    expect(rankIdentities(hits)).toEqual([
      { identityIndex: 0, score: 0.9, templateIndex: 0 },
      { identityIndex: 1, score: 0.8, templateIndex: 4 },
      { identityIndex: 2, score: 0.8, templateIndex: 5 },
    ]);
    expect(() => rankIdentities([{ index: 0, score: 1 }])).toThrow(/no identities/);
  });

  it('names the best identity at or above the threshold', () => {
    expect(identify(hits, 0.9)).toEqual({ status: 'match', identityIndex: 0, score: 0.9, templateIndex: 0 });
  });

  it('says unknown below the threshold, without naming the nearest identity', () => {
    const r = identify(hits, 0.91);
    expect(r).toEqual({ status: 'unknown', bestScore: 0.9 });
    expect('identityIndex' in r).toBe(false);
    expect(identify([], 0.1)).toEqual({ status: 'unknown', bestScore: null });
  });

  it('identifies probes end to end on the hand-made gallery', async () => {
    const s = new GpuSearcher(SMALL);
    // (2, 0.2) is identity 0 (score 0.995); (0.1, 1) is closest to (0,1), identity 1, at 0.995;
    // (-1, -1) is at best 0.707 from (-1,0), below 0.9.
    const result = await identifyProbes(s, [PROBE, Float32Array.from([0.1, 1]), Float32Array.from([-1, -1])], 0.9);
    s.dispose();
    expect(result.map((r) => (r.status === 'match' ? r.identityIndex : 'unknown'))).toEqual([0, 1, 'unknown']);
    expect(result[2]).toEqual({ status: 'unknown', bestScore: expect.closeTo(Math.SQRT1_2, 5) });
  });
});
