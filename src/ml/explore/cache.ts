// A small least-recently-used cache for top-patch results, keyed by what they depend on: the
// loss network, the layer, the image set (its fingerprint) and the ranking parameters. Ranking a
// layer over an image set runs the network over every image, so switching back and forth between
// layers in the Explorer should not redo it.
import type { ChannelTopPatches } from './top-patches';

export interface LruCacheOptions<K, V> {
  /** Most entries kept (default 32). */
  maxEntries?: number;
  /** Most total cost kept, with costOf (default unlimited). */
  maxCost?: number;
  /** Cost of one value, e.g. its bytes (default 1). */
  costOf?: (value: V) => number;
  /** Called for every value the cache drops (evicted, replaced, deleted, cleared), e.g. to dispose tensors. */
  onEvict?: (value: V, key: K) => void;
}

/** Map-backed LRU: a Map iterates in insertion order, so re-inserting on use keeps the oldest first. */
export class LruCache<K, V> {
  private readonly entries = new Map<K, { value: V; cost: number }>();
  private readonly maxEntries: number;
  private readonly maxCost: number;
  private readonly costOf: (value: V) => number;
  private readonly onEvict: ((value: V, key: K) => void) | undefined;
  private cost = 0;

  constructor(options: LruCacheOptions<K, V> = {}) {
    this.maxEntries = options.maxEntries ?? 32;
    this.maxCost = options.maxCost ?? Infinity;
    this.costOf = options.costOf ?? (() => 1);
    this.onEvict = options.onEvict;
    if (!(this.maxEntries >= 1)) throw new RangeError('maxEntries must be at least 1');
    if (!(this.maxCost > 0)) throw new RangeError('maxCost must be positive');
  }

  get size(): number {
    return this.entries.size;
  }

  get totalCost(): number {
    return this.cost;
  }

  has(key: K): boolean {
    return this.entries.has(key);
  }

  /** The value, marked as most recently used. */
  get(key: K): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    this.entries.delete(key);
    this.entries.set(key, entry);
    return entry.value;
  }

  /** The value without touching its recency. */
  peek(key: K): V | undefined {
    return this.entries.get(key)?.value;
  }

  /**
   * Stores a value as most recently used, then drops the least recently used entries until the
   * caps hold; a value costing more than maxCost on its own is dropped straight away.
   */
  set(key: K, value: V): this {
    const cost = this.costOf(value);
    if (!(cost >= 0)) throw new RangeError('costOf must return a number ≥ 0');
    const old = this.entries.get(key);
    if (old) {
      this.entries.delete(key);
      this.cost -= old.cost;
      if (old.value !== value) this.onEvict?.(old.value, key);
    }
    this.entries.set(key, { value, cost });
    this.cost += cost;
    for (const [k, entry] of this.entries) {
      if (this.entries.size <= this.maxEntries && this.cost <= this.maxCost) break;
      this.drop(k, entry);
    }
    return this;
  }

  delete(key: K): boolean {
    const entry = this.entries.get(key);
    if (!entry) return false;
    this.drop(key, entry);
    return true;
  }

  clear(): void {
    for (const [k, entry] of [...this.entries]) this.drop(k, entry);
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.entries.keys()];
  }

  private drop(key: K, entry: { value: V; cost: number }): void {
    this.entries.delete(key);
    this.cost -= entry.cost;
    this.onEvict?.(entry.value, key);
  }
}

/** What a top-patch result depends on. */
export interface TopPatchCacheKey {
  /** LossNetwork id (plus weights version, if it can change). */
  network: string;
  layer: string;
  /** From imageSetFingerprint. */
  imageSet: string;
  /** Anything else the result depends on, e.g. `k=9 r=2 size=224`. */
  params?: string;
}

/** One string per key; JSON keeps fields apart whatever characters they hold. */
export function topPatchCacheKey(key: TopPatchCacheKey): string {
  return JSON.stringify([key.network, key.layer, key.imageSet, key.params ?? '']);
}

/** An image as the caller knows it; whatever of these is known goes into the fingerprint. */
export interface ImageDescriptor {
  name: string;
  /** Bytes of the file. */
  size: number;
  /** A content hash when the caller has one (e.g. SHA-256 hex), which makes renames harmless. */
  hash?: string;
  lastModified?: number;
}

/**
 * A short identifier of an ordered image set. Order matters because top-patch hits refer to
 * images by index. 64 bits of two FNV-1a variants over a canonical serialisation: not a
 * cryptographic hash, only a cache key, where a collision would show stale patches.
 */
export function imageSetFingerprint(images: readonly ImageDescriptor[]): string {
  const text = JSON.stringify(images.map((i) => [i.name, i.size, i.hash ?? null, i.lastModified ?? null]));
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    a = Math.imul(a ^ ch, 0x01000193);
    b = Math.imul(b ^ ch, 0x01000193) ^ (b >>> 13);
  }
  const hex = (n: number) => (n >>> 0).toString(16).padStart(8, '0');
  return `${images.length}-${hex(a)}${hex(b)}`;
}

/** Top-patch results by (network, layer, image set, params), least recently used dropped first. */
export class TopPatchCache {
  private readonly lru: LruCache<string, ChannelTopPatches[]>;

  constructor(options: { maxEntries?: number; maxHits?: number } = {}) {
    this.lru = new LruCache({
      maxEntries: options.maxEntries ?? 32,
      maxCost: options.maxHits ?? Infinity,
      costOf: (result) => result.reduce((sum, c) => sum + c.hits.length, 0),
    });
  }

  get size(): number {
    return this.lru.size;
  }

  get(key: TopPatchCacheKey): ChannelTopPatches[] | undefined {
    return this.lru.get(topPatchCacheKey(key));
  }

  set(key: TopPatchCacheKey, result: ChannelTopPatches[]): void {
    this.lru.set(topPatchCacheKey(key), result);
  }

  has(key: TopPatchCacheKey): boolean {
    return this.lru.has(topPatchCacheKey(key));
  }

  delete(key: TopPatchCacheKey): boolean {
    return this.lru.delete(topPatchCacheKey(key));
  }

  /** Drops every result for one network, e.g. when its weights are replaced. */
  deleteNetwork(network: string): void {
    for (const k of this.lru.keys()) {
      if ((JSON.parse(k) as string[])[0] === network) this.lru.delete(k);
    }
  }

  clear(): void {
    this.lru.clear();
  }
}
