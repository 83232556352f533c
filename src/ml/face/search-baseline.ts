// The comparison point for search benchmarks: 1:N matching as existing browser face
// libraries commonly do it. Each record keeps its descriptor as a number[]; a search computes
// the Euclidean distance to every record (Math.sqrt per record), builds one result object per
// record and sorts them all. Kept deliberately plain; use search.ts in the app.

export interface BaselineRecord {
  descriptor: number[];
}

export interface BaselineMatch {
  index: number;
  distance: number;
}

export function euclideanDistance(a: number[], b: number[]): number {
  if (a.length !== b.length) throw new RangeError(`Descriptors differ in length (${a.length} and ${b.length}).`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] as number) - (b[i] as number);
    sum += d * d;
  }
  return Math.sqrt(sum);
}

/** The k nearest records by Euclidean distance, nearest first (ties keep gallery order). */
export function baselineSearch(gallery: readonly BaselineRecord[], probe: number[], k: number): BaselineMatch[] {
  return gallery
    .map((record, index) => ({ index, distance: euclideanDistance(record.descriptor, probe) }))
    .sort((x, y) => x.distance - y.distance)
    .slice(0, k);
}

/** Builds baseline records from a packed N×dim array, as such libraries would hold them. */
export function toBaselineRecords(vectors: Float32Array, dim: number): BaselineRecord[] {
  const records: BaselineRecord[] = [];
  for (let base = 0; base < vectors.length; base += dim) {
    records.push({ descriptor: Array.from(vectors.subarray(base, base + dim)) });
  }
  return records;
}
