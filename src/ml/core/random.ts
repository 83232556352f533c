// Seeded randomness, one generator for the whole app: the same seed gives the same Lab split,
// batches and weights, the same style-transfer jitter, the same evaluation galleries and the same
// synthetic test signals, so runs repeat and tests never flake. Not for anything secret (the
// liveness challenge draws from crypto).

/** A PRNG returning floats in [0, 1). */
export type Random = () => number;

/** mulberry32: 32 bits of state, fast, the same in Node and every browser. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A standard normal draw (Box–Muller). */
export function gaussian(random: Random): number {
  return Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
}

/** An integer in [0, n). */
export function randomInt(random: Random, n: number): number {
  return Math.min(n - 1, Math.floor(random() * n));
}

/** Fisher–Yates shuffle in place; returns `items`. */
export function shuffleInPlace<T>(items: T[], random: Random): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = randomInt(random, i + 1);
    const t = items[i] as T;
    items[i] = items[j] as T;
    items[j] = t;
  }
  return items;
}

/** `k` distinct items of `items` in random order (all of them when k >= length). */
export function sampleWithoutReplacement<T>(items: readonly T[], k: number, random: Random): T[] {
  const copy = items.slice();
  const n = Math.min(k, copy.length);
  // A partial Fisher–Yates: only the first n places need drawing.
  for (let i = 0; i < n; i++) {
    const j = i + randomInt(random, copy.length - i);
    const t = copy[i] as T;
    copy[i] = copy[j] as T;
    copy[j] = t;
  }
  return copy.slice(0, n);
}
