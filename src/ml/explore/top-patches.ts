// The image patches that excite a unit most: for each chosen channel of a layer, the k highest
// activations over an image set, each with the image and grid position it came from.
//
// Duplicate suppression: neighbouring units of one channel see heavily overlapping patches, so a
// plain top-k usually returns k near-identical crops of one image. Hits are therefore taken
// greedily, best first (ties: lower image, row, then column first), and a hit is dropped when an
// already kept hit of the same channel lies in the same image within Chebyshev distance `radius`
// on the activation grid. radius 0 keeps every distinct unit; Infinity keeps one hit per image.
// `overlapRadius(rf)` (receptive-field.ts) turns "fields overlapping by more than half" into a
// radius.
//
// Suppression only acts within an image, so the result over an image set is the top k of the
// per-image survivors, and batches can be merged exactly: a running top k per channel is all that
// has to be kept between batches. Per batch the heavy part runs on the backend: a greedy pass that
// keeps k hits rejects at most (2r + 1)² − 1 candidates per kept hit, so the first k survivors lie
// within the batch's top (k − 1)·(2r + 1)² + 1 activations of the channel, which tf.topk finds;
// only those few numbers travel to JS for the greedy pass and merge.
import * as tf from '@tensorflow/tfjs';

export interface PatchHit {
  /** The unit's activation. */
  value: number;
  /** Index of the image in the whole set (batches count on from each other). */
  image: number;
  row: number;
  col: number;
}

export interface ChannelTopPatches {
  channel: number;
  /** Best first; fewer than k when the set has fewer distinct locations. */
  hits: PatchHit[];
}

export interface TopPatchOptions {
  /** Patches per channel (default 9). */
  k?: number;
  /** Channels to rank (default all, in order). */
  channels?: readonly number[];
  /** Chebyshev radius on the activation grid for duplicate suppression (default 1). */
  radius?: number;
}

/** Total order: higher value first, then lower image, row, column. */
function compareHits(a: PatchHit, b: PatchHit): number {
  return b.value - a.value || a.image - b.image || a.row - b.row || a.col - b.col;
}

/** Greedy suppression over candidates sorted with compareHits; keeps at most k. */
function suppress(sorted: readonly PatchHit[], k: number, radius: number): PatchHit[] {
  const kept: PatchHit[] = [];
  for (const hit of sorted) {
    if (kept.length >= k) break;
    const clash = kept.some(
      (h) => h.image === hit.image && Math.abs(h.row - hit.row) <= radius && Math.abs(h.col - hit.col) <= radius,
    );
    if (!clash) kept.push(hit);
  }
  return kept;
}

/**
 * Running top-k patches per channel over batches of activations. Feed each batch's [N, H, W, C]
 * activations in image order; only k hits per channel are kept between batches, so image sets of
 * any size can be streamed. Batches may differ in N, H and W but not in C.
 */
export class TopPatchAccumulator {
  readonly k: number;
  readonly radius: number;
  private channelList: number[] | null;
  private best: PatchHit[][] = [];
  private channelCount: number | null = null;
  private seen = 0;

  constructor(options: TopPatchOptions = {}) {
    this.k = options.k ?? 9;
    this.radius = options.radius ?? 1;
    if (!Number.isInteger(this.k) || this.k < 1) throw new RangeError('k must be a positive integer');
    if (!(this.radius >= 0)) throw new RangeError('radius must be ≥ 0');
    this.channelList = options.channels ? [...options.channels] : null;
  }

  /** Images fed so far; the next batch's first image gets this index. */
  get imagesSeen(): number {
    return this.seen;
  }

  /** Adds a batch; the caller keeps ownership of `activations`. */
  async add(activations: tf.Tensor4D): Promise<void> {
    const [n, h, w, c] = activations.shape;
    if (this.channelCount === null) {
      this.channelCount = c;
      this.channelList ??= Array.from({ length: c }, (_, i) => i);
      for (const ch of this.channelList) {
        if (!Number.isInteger(ch) || ch < 0 || ch >= c) throw new RangeError(`channel ${ch} out of range 0..${c - 1}`);
      }
      this.best = this.channelList.map(() => []);
    } else if (c !== this.channelCount) {
      throw new Error(`batch has ${c} channels, earlier batches had ${this.channelCount}`);
    }
    const channels = this.channelList ?? [];
    const offset = this.seen;
    this.seen += n;
    if (n * h * w === 0 || channels.length === 0) return;

    const units = h * w;
    // One hit per image needs only each image's maximum.
    const perImage = this.radius >= Math.max(h, w) - 1;
    const side = 2 * Math.floor(Math.min(this.radius, Math.max(h, w))) + 1;
    const m = perImage ? 1 : Math.min(n * units, (this.k - 1) * side * side + 1);

    const { values, indices } = tf.tidy(() => {
      const all = channels.length === c && channels.every((ch, i) => ch === i);
      const chosen = all ? activations : tf.gather(activations, tf.tensor1d(channels, 'int32'), 3);
      const byChannel = perImage
        ? chosen.reshape([n, units, channels.length]).transpose([2, 0, 1]) // [C', N, H·W]
        : chosen.reshape([n * units, channels.length]).transpose(); // [C', N·H·W]
      return tf.topk(byChannel, m);
    });
    const [v, idx] = await Promise.all([values.data(), indices.data()]).finally(() => {
      values.dispose();
      indices.dispose();
    });

    const rows = perImage ? n : 1;
    channels.forEach((_, ci) => {
      const candidates: PatchHit[] = [];
      for (let r = 0; r < rows; r++) {
        for (let j = 0; j < m; j++) {
          const at = (ci * rows + r) * m + j;
          const flat = (idx[at] ?? 0) + (perImage ? r * units : 0);
          const image = Math.floor(flat / units);
          const unit = flat % units;
          candidates.push({
            value: v[at] ?? -Infinity,
            image: offset + image,
            row: Math.floor(unit / w),
            col: unit % w,
          });
        }
      }
      candidates.sort(compareHits);
      const fresh = suppress(candidates, this.k, this.radius);
      // Earlier batches hold other images, so their hits cannot suppress these: merge by value.
      this.best[ci] = [...(this.best[ci] ?? []), ...fresh].sort(compareHits).slice(0, this.k);
    });
  }

  /** The current top patches, one entry per chosen channel in the order asked. */
  result(): ChannelTopPatches[] {
    return (this.channelList ?? []).map((channel, i) => ({
      channel,
      hits: (this.best[i] ?? []).map((h) => ({ ...h })),
    }));
  }
}

/** Top patches of one batch of activations [N, H, W, C] (the caller keeps the tensor). */
export async function topPatches(
  activations: tf.Tensor4D,
  options: TopPatchOptions = {},
): Promise<ChannelTopPatches[]> {
  const acc = new TopPatchAccumulator(options);
  await acc.add(activations);
  return acc.result();
}

export type ChannelActivityMeasure = 'mean' | 'max';

/**
 * Per-channel mean and maximum activation over a stream of batches, for picking the units worth
 * showing. Sums are kept in float64 so long streams do not lose precision.
 */
export class ChannelActivity {
  private sum: Float64Array | null = null;
  private max: Float64Array | null = null;
  private count = 0;

  /** Adds a batch [N, H, W, C]; the caller keeps ownership. */
  async add(activations: tf.Tensor4D): Promise<void> {
    const [n, h, w, c] = activations.shape;
    if (this.sum && this.sum.length !== c) throw new Error(`batch has ${c} channels, expected ${this.sum.length}`);
    if (n * h * w === 0) return;
    const stats = tf.tidy(() => {
      const flat = activations.reshape([n * h * w, c]);
      return tf.stack([flat.sum(0), flat.max(0)]);
    });
    const data = await stats.data().finally(() => stats.dispose());
    this.sum ??= new Float64Array(c);
    this.max ??= new Float64Array(c).fill(-Infinity);
    for (let i = 0; i < c; i++) {
      this.sum[i] = (this.sum[i] ?? 0) + (data[i] ?? 0);
      this.max[i] = Math.max(this.max[i] ?? -Infinity, data[c + i] ?? -Infinity);
    }
    this.count += n * h * w;
  }

  /** Per-channel statistic over every unit fed so far (empty before the first batch). */
  values(by: ChannelActivityMeasure = 'mean'): number[] {
    if (!this.sum || !this.max) return [];
    return by === 'max' ? [...this.max] : [...this.sum].map((s) => s / this.count);
  }

  /** The n most active channels, most active first (ties: lower channel first). */
  top(n: number, by: ChannelActivityMeasure = 'mean'): number[] {
    const vals = this.values(by);
    return vals
      .map((value, channel) => ({ value, channel }))
      .sort((a, b) => b.value - a.value || a.channel - b.channel)
      .slice(0, Math.max(n, 0))
      .map((e) => e.channel);
  }
}

/** The n channels of activations [N, H, W, C] with the highest mean (or max) over all units. */
export async function mostActiveChannels(
  activations: tf.Tensor4D,
  n: number,
  by: ChannelActivityMeasure = 'mean',
): Promise<number[]> {
  const activity = new ChannelActivity();
  await activity.add(activations);
  return activity.top(n, by);
}
