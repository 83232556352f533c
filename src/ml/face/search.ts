// 1:N identification as top-k cosine search over a gallery of templates.
//
// Two paths, one API (`Searcher`):
// - GpuSearcher (GPU): the L2-normalised gallery stays resident as [rows, dim] tensors;
//   a search is probes · galleryᵀ (one matMul per chunk), tf.topk per probe, and one await
//   that reads only the k scores and indices of every chunk. Galleries bigger than
//   `maxChunkBytes` are split so no single buffer passes WebGPU's
//   maxStorageBufferBindingSize (128 MiB by default, up to ~1 GiB on some adapters); the
//   per-chunk top-k lists are merged on the CPU.
// - CpuSearcher: the same over one packed Float32Array, a tight loop with a bounded heap
//   (partial selection, no sort of the gallery, no per-record objects).
//
// Measured once in Node 20 with a throwaway script (dim 192, k 10, random gallery, median of
// 9–21 runs, tfjs cpu backend, so "index" is tfjs' JS matMul + topk rather than a GPU; the
// 2-core machine was shared, load ≈ 5, so each figure is the range over three runs):
//   N = 10 000,  1 probe:  CpuSearcher 1.9 ms  · GpuSearcher 6–12 ms    · baseline 15–19 ms
//   N = 100 000, 1 probe:  CpuSearcher 35–42 ms · GpuSearcher 140–225 ms · baseline 200–450 ms
//   8 probes at once: CpuSearcher 16–28 ms / 145–380 ms, GpuSearcher 50–68 ms / 850–1300 ms.
// (baseline = search-baseline.ts: number[] records, Math.sqrt per record, full sort.) On the
// cpu backend tf.topk boxes every score in an object, so the tensor path only pays off on a
// real GPU backend, hence the rule in chooseSearchPath. WebGPU timings belong in the browser
// benchmark.
import * as tf from '@tensorflow/tfjs';

/** Templates as one N×dim row-major array, with an optional identity per template. */
export interface TemplateSet {
  vectors: Float32Array;
  dim: number;
  /** identities[i] is the identity that template i belongs to (length N). */
  identities?: ArrayLike<number>;
}

export interface SearchHit {
  /** Row of the template in the gallery. */
  index: number;
  /** Its identity, when the gallery was given identities. */
  identityIndex?: number;
  /** Cosine similarity between probe and template. */
  score: number;
}

/** One probe (length dim), P probes packed row-major (length P·dim), or a list of probes. */
export type Probes = Float32Array | readonly Float32Array[];

export interface Searcher {
  readonly path: SearchPath;
  /** Number of templates. */
  readonly size: number;
  readonly dim: number;
  /**
   * The k best templates for each probe, best first; ties in score go to the lower gallery
   * index. k larger than the gallery returns the whole gallery.
   */
  search(probes: Probes, k: number): Promise<SearchHit[][]>;
  dispose(): void;
}

export type SearchPath = 'gpu' | 'cpu';

/** Below this many templates the CPU loop beats a GPU round trip (dispatch + readback). */
export const DEFAULT_CPU_BELOW = 2000;

/** WebGPU's default maxStorageBufferBindingSize; adapters may allow more. */
export const DEFAULT_MAX_CHUNK_BYTES = 128 * 1024 * 1024;

/**
 * The path for a gallery of `n` templates on `backend`: the GPU path only on a GPU backend
 * (webgpu, webgl) and for n ≥ cpuBelow. On cpu and wasm a tfjs matMul is no faster than the
 * CPU loop and costs copies; on a GPU, small galleries are dominated by the fixed cost of a
 * dispatch and a readback.
 */
export function chooseSearchPath(options: { backend: string; n: number; cpuBelow?: number }): SearchPath {
  const gpuBackend = options.backend === 'webgpu' || options.backend === 'webgl';
  return gpuBackend && options.n >= (options.cpuBelow ?? DEFAULT_CPU_BELOW) ? 'gpu' : 'cpu';
}

export interface SearcherOptions {
  /** Defaults to the active tfjs backend. */
  backend?: string;
  cpuBelow?: number;
  maxChunkBytes?: number;
}

/** A searcher over `gallery` on the path chooseSearchPath picks. The caller disposes it. */
export function createSearcher(gallery: TemplateSet, options: SearcherOptions = {}): Searcher {
  const n = checkGallery(gallery);
  const path = chooseSearchPath({ backend: options.backend ?? tf.getBackend(), n, cpuBelow: options.cpuBelow });
  return path === 'gpu' ? new GpuSearcher(gallery, { maxChunkBytes: options.maxChunkBytes }) : new CpuSearcher(gallery);
}

function checkGallery({ vectors, dim, identities }: TemplateSet): number {
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`Embedding size must be a positive integer, got ${dim}.`);
  if (vectors.length % dim !== 0) {
    throw new RangeError(`The gallery holds ${vectors.length} values, not a whole number of ${dim}-D templates.`);
  }
  const n = vectors.length / dim;
  if (identities && identities.length !== n) {
    throw new RangeError(`The gallery has ${n} templates but ${identities.length} identities.`);
  }
  return n;
}

function checkK(k: number): void {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer, got ${k}.`);
}

/** Normalises each row in place; zero rows stay zero and so score 0 against everything. */
function normalizeRows(data: Float32Array, dim: number): Float32Array {
  for (let base = 0; base < data.length; base += dim) {
    let s = 0;
    for (let j = 0; j < dim; j++) s += (data[base + j] as number) ** 2;
    if (s > 0) {
      const inv = 1 / Math.sqrt(s);
      for (let j = 0; j < dim; j++) data[base + j] = (data[base + j] as number) * inv;
    }
  }
  return data;
}

/** Probes as one normalised P×dim array. */
function packProbes(probes: Probes, dim: number): { data: Float32Array; count: number } {
  let data: Float32Array;
  if (probes instanceof Float32Array) {
    if (probes.length === 0 || probes.length % dim !== 0) {
      throw new RangeError(`Probes hold ${probes.length} values, not a whole number of ${dim}-D embeddings.`);
    }
    data = probes.slice();
  } else {
    data = new Float32Array(probes.length * dim);
    probes.forEach((p, i) => {
      if (p.length !== dim) throw new RangeError(`Probe ${i} has ${p.length} values; the gallery is ${dim}-D.`);
      data.set(p, i * dim);
    });
  }
  return { data: normalizeRows(data, dim), count: data.length / dim };
}

/**
 * Keeps the k best (score, index) pairs seen: a binary heap whose root is the worst kept
 * pair, so each candidate costs one comparison unless it belongs in the top k.
 * "Better" is a higher score, then a lower index, which makes ties deterministic.
 */
class TopKSelector {
  private readonly scores: Float64Array;
  private readonly indices: Int32Array;
  private size = 0;
  /** Any candidate scoring below this cannot enter; -Infinity until the heap is full. */
  floor = -Infinity;

  constructor(private readonly k: number) {
    this.scores = new Float64Array(k);
    this.indices = new Int32Array(k);
  }

  private worse(i: number, j: number): boolean {
    const si = this.scores[i] as number;
    const sj = this.scores[j] as number;
    return si < sj || (si === sj && (this.indices[i] as number) > (this.indices[j] as number));
  }

  private swap(i: number, j: number): void {
    const s = this.scores[i] as number;
    this.scores[i] = this.scores[j] as number;
    this.scores[j] = s;
    const x = this.indices[i] as number;
    this.indices[i] = this.indices[j] as number;
    this.indices[j] = x;
  }

  push(score: number, index: number): void {
    if (Number.isNaN(score)) return;
    if (this.size < this.k) {
      let i = this.size++;
      this.scores[i] = score;
      this.indices[i] = index;
      while (i > 0) {
        const parent = (i - 1) >> 1;
        if (!this.worse(i, parent)) break;
        this.swap(i, parent);
        i = parent;
      }
      if (this.size === this.k) this.floor = this.scores[0] as number;
      return;
    }
    const rootScore = this.scores[0] as number;
    if (score < rootScore || (score === rootScore && index > (this.indices[0] as number))) return;
    this.scores[0] = score;
    this.indices[0] = index;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let w = i;
      if (l < this.size && this.worse(l, w)) w = l;
      if (r < this.size && this.worse(r, w)) w = r;
      if (w === i) break;
      this.swap(i, w);
      i = w;
    }
    this.floor = this.scores[0] as number;
  }

  /** The kept pairs, best first. */
  hits(identities: Int32Array | null): SearchHit[] {
    const order = Array.from({ length: this.size }, (_, i) => i);
    order.sort((i, j) => {
      const d = (this.scores[j] as number) - (this.scores[i] as number);
      return d !== 0 ? d : (this.indices[i] as number) - (this.indices[j] as number);
    });
    return order.map((i) => {
      const index = this.indices[i] as number;
      const score = this.scores[i] as number;
      return identities ? { index, identityIndex: identities[index] as number, score } : { index, score };
    });
  }
}

function identityArray(g: TemplateSet): Int32Array | null {
  return g.identities ? Int32Array.from(g.identities) : null;
}

/** The CPU path: one packed, normalised Float32Array and a tight loop. */
export class CpuSearcher implements Searcher {
  readonly path = 'cpu';
  readonly size: number;
  readonly dim: number;
  private readonly data: Float32Array;
  private readonly identities: Int32Array | null;

  /** Copies and normalises the gallery; the caller's arrays are not kept. */
  constructor(gallery: TemplateSet) {
    this.size = checkGallery(gallery);
    this.dim = gallery.dim;
    this.data = normalizeRows(gallery.vectors.slice(), gallery.dim);
    this.identities = identityArray(gallery);
  }

  async search(probes: Probes, k: number): Promise<SearchHit[][]> {
    return this.searchNow(probes, k);
  }

  /** The same search, returning at once: no backend is involved. */
  searchNow(probes: Probes, k: number): SearchHit[][] {
    checkK(k);
    const dim = this.dim;
    const { data: q, count } = packProbes(probes, dim);
    if (this.size === 0) return Array.from({ length: count }, () => []);
    const selectors = Array.from({ length: count }, () => new TopKSelector(Math.min(k, this.size)));
    const g = this.data;
    // Rows outer, probes inner: each gallery row is read from memory once for all probes.
    for (let r = 0, base = 0; r < this.size; r++, base += dim) {
      for (let p = 0, pb = 0; p < count; p++, pb += dim) {
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let j = 0;
        for (; j + 3 < dim; j += 4) {
          s0 += (g[base + j] as number) * (q[pb + j] as number);
          s1 += (g[base + j + 1] as number) * (q[pb + j + 1] as number);
          s2 += (g[base + j + 2] as number) * (q[pb + j + 2] as number);
          s3 += (g[base + j + 3] as number) * (q[pb + j + 3] as number);
        }
        for (; j < dim; j++) s0 += (g[base + j] as number) * (q[pb + j] as number);
        const s = s0 + s1 + s2 + s3;
        const sel = selectors[p] as TopKSelector;
        if (s >= sel.floor) sel.push(s, r);
      }
    }
    return selectors.map((sel) => sel.hits(this.identities));
  }

  dispose(): void {
    // Nothing to release: the gallery is a plain array owned by this object.
  }
}

interface GalleryChunk {
  tensor: tf.Tensor2D;
  start: number;
  rows: number;
}

function nextPow2(x: number): number {
  let p = 1;
  while (p < x) p *= 2;
  return p;
}

/** The GPU path: the normalised gallery resident on the backend, in one or more chunks. */
export class GpuSearcher implements Searcher {
  readonly path = 'gpu';
  readonly size: number;
  readonly dim: number;
  private readonly chunks: GalleryChunk[] = [];
  private readonly identities: Int32Array | null;
  private readonly probesPerBatch: number;
  private disposed = false;

  /**
   * Copies the normalised gallery into backend tensors (WebGPU uploads them at the first
   * search). `maxChunkBytes` bounds every tensor this index creates: the gallery chunks and
   * the [probes, rows] score matrix (probes are batched to fit). tfjs asks WebGPU for the
   * adapter's own maxStorageBufferBindingSize, so passing that value gives fewer chunks.
   */
  constructor(gallery: TemplateSet, options: { maxChunkBytes?: number } = {}) {
    this.size = checkGallery(gallery);
    this.dim = gallery.dim;
    this.identities = identityArray(gallery);
    const maxBytes = options.maxChunkBytes ?? DEFAULT_MAX_CHUNK_BYTES;
    const rowBytes = this.dim * Float32Array.BYTES_PER_ELEMENT;
    if (!(maxBytes >= rowBytes)) {
      throw new RangeError(`maxChunkBytes (${maxBytes}) is below one template (${rowBytes}).`);
    }
    const rowsPerChunk = Math.floor(maxBytes / rowBytes);
    // WebGPU's topk pads each row of scores to a power of two.
    this.probesPerBatch = Math.max(1, Math.floor(maxBytes / (nextPow2(Math.min(rowsPerChunk, this.size)) * 4)));
    const data = normalizeRows(gallery.vectors.slice(), this.dim);
    try {
      for (let start = 0; start < this.size; start += rowsPerChunk) {
        const rows = Math.min(rowsPerChunk, this.size - start);
        const values = data.subarray(start * this.dim, (start + rows) * this.dim);
        this.chunks.push({ tensor: tf.tensor2d(values, [rows, this.dim], 'float32'), start, rows });
      }
    } catch (e) {
      this.dispose();
      throw e;
    }
  }

  /** Number of resident gallery tensors. */
  get chunkCount(): number {
    return this.chunks.length;
  }

  async search(probes: Probes, k: number): Promise<SearchHit[][]> {
    if (this.disposed) throw new Error('This gallery index has been disposed.');
    checkK(k);
    const { data, count } = packProbes(probes, this.dim);
    const results: SearchHit[][] = [];
    if (this.size === 0) return Array.from({ length: count }, () => []);
    for (let p0 = 0; p0 < count; p0 += this.probesPerBatch) {
      const batch = Math.min(this.probesPerBatch, count - p0);
      results.push(...(await this.searchBatch(data.subarray(p0 * this.dim, (p0 + batch) * this.dim), batch, k)));
    }
    return results;
  }

  private async searchBatch(probeData: Float32Array, count: number, k: number): Promise<SearchHit[][]> {
    const outputs: { values: tf.Tensor; indices: tf.Tensor; chunk: GalleryChunk; k: number }[] = [];
    try {
      const probes = tf.tensor2d(probeData, [count, this.dim], 'float32');
      try {
        for (const chunk of this.chunks) {
          const kc = Math.min(k, chunk.rows);
          const { values, indices } = tf.tidy(() => tf.topk(tf.matMul(probes, chunk.tensor, false, true), kc, true));
          outputs.push({ values, indices, chunk, k: kc });
        }
      } finally {
        probes.dispose();
      }
      const read = await Promise.all(outputs.map((o) => Promise.all([o.values.data(), o.indices.data()])));
      const selectors = Array.from({ length: count }, () => new TopKSelector(Math.min(k, this.size)));
      read.forEach(([values, indices], c) => {
        const { chunk, k: kc } = outputs[c] as (typeof outputs)[number];
        for (let p = 0; p < count; p++) {
          const sel = selectors[p] as TopKSelector;
          for (let j = p * kc; j < (p + 1) * kc; j++)
            sel.push(values[j] as number, chunk.start + (indices[j] as number));
        }
      });
      return selectors.map((sel) => sel.hits(this.identities));
    } finally {
      for (const o of outputs) {
        o.values.dispose();
        o.indices.dispose();
      }
    }
  }

  dispose(): void {
    this.disposed = true;
    for (const c of this.chunks) c.tensor.dispose();
    this.chunks.length = 0;
  }
}

/** An identity's best template among some search hits. */
export interface IdentityCandidate {
  identityIndex: number;
  score: number;
  templateIndex: number;
}

/**
 * Groups hits by identity, keeping each identity's best template, best identity first (ties
 * to the lower template index). From top-k hits this ranks every identity that appears
 * correctly; to be sure of the top m identities, k must cover m times the most templates any
 * identity has.
 */
export function rankIdentities(hits: readonly SearchHit[]): IdentityCandidate[] {
  const best = new Map<number, IdentityCandidate>();
  for (const h of hits) {
    if (h.identityIndex === undefined) {
      throw new Error('Search hits carry no identities; build the gallery with `identities`.');
    }
    const seen = best.get(h.identityIndex);
    if (!seen || h.score > seen.score || (h.score === seen.score && h.index < seen.templateIndex)) {
      best.set(h.identityIndex, { identityIndex: h.identityIndex, score: h.score, templateIndex: h.index });
    }
  }
  return [...best.values()].sort((x, y) => y.score - x.score || x.templateIndex - y.templateIndex);
}

export type Identification =
  | { status: 'match'; identityIndex: number; score: number; templateIndex: number }
  /** No identity reached the threshold. `bestScore` is for diagnostics (null: empty gallery). */
  | { status: 'unknown'; bestScore: number | null };

/**
 * 1:N identification: the best identity if its best template reaches `threshold` (score ≥
 * threshold), otherwise `unknown` — never the nearest identity below the threshold.
 */
export function identify(hits: readonly SearchHit[], threshold: number): Identification {
  const [top] = rankIdentities(hits);
  if (!top) return { status: 'unknown', bestScore: null };
  if (!(top.score >= threshold)) return { status: 'unknown', bestScore: top.score };
  return { status: 'match', identityIndex: top.identityIndex, score: top.score, templateIndex: top.templateIndex };
}

/** Searches and identifies each probe; `k` as in Searcher.search. */
export async function identifyProbes(
  searcher: Searcher,
  probes: Probes,
  threshold: number,
  k = 10,
): Promise<Identification[]> {
  const hits = await searcher.search(probes, k);
  return hits.map((h) => identify(h, threshold));
}
