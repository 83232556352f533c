// One liveness attempt: the rolling evidence of every cue, updated frame by frame, and the fused
// verdict. The unlock store makes one session, feeds it each analysed frame while the unlock
// machine is 'checking', and calls reset() when a new attempt begins.
//
// Per frame: the eye sample is appended and blink detection re-runs over the attempt's samples
// (a conv1d over a few hundred values, cheap); the grey crop joins a ring of the last
// `clipLength` crops, and every `motionEvery` frames, once the ring is full, the ring is stacked
// into a clip for analyseMotion (half-overlapping windows by default); the passive scores are
// averaged; the challenge, if on, advances. Observations are processed one at a time in the order
// they arrive, even if the caller does not wait for each.
import * as tf from '@tensorflow/tfjs';
import { alignFaces, estimateSimilarity, templateFor, type Point } from '../face/align';
import type { HeadPose } from '../face/face-geometry';
import { detectBlinks, type BlinkOptions, type EyeSample } from './blink';
import { advanceChallenge, createChallenge } from './challenge';
import {
  fuseLiveness,
  isCueOn,
  withDefaults,
  type LivenessDecision,
  type LivenessEvidence,
  type LivenessSettings,
} from './fusion';
import type { LightResult } from './light-challenge';
import { analyseMotion, type MotionAnalysis, type MotionOptions } from './motion';

export interface LivenessObservation {
  /** Frame time, ms. */
  t: number;
  /** Eye aspect ratios (FaceShape.eyes); null when the landmarks are missing. */
  eyes: { left: number; right: number } | null;
  pose: HeadPose | null;
  /** Grey aligned face crop [S, S] in 0..1 (see greyFaceCrop). The session takes ownership. */
  crop?: tf.Tensor2D;
  /** Probabilities of live from PassiveLiveness.score. */
  passive?: { antispoof: number; liveness: number };
  /** Replay-cue scores of this frame (replay-cues.ts). */
  screen?: { grid: number; bezel: number };
}

export interface LivenessVerdict extends LivenessDecision {
  /** Per-cue numbers for display, beside the fused states in `cues`. */
  evidence: LivenessEvidence;
}

export interface LivenessSessionOptions {
  /** Frames per motion clip. */
  clipLength: number;
  /** Run the motion analysis every this many frames once the clip is full. */
  motionEvery: number;
  /**
   * A longer gap between two crops (the face was lost, frames were dropped) starts the clip
   * afresh, ms: what changed across it is not motion, and would read as non-rigid.
   */
  maxCropGapMs: number;
  /** Random numbers in [0, 1) for the challenge sequence; by default from crypto.getRandomValues. */
  rng: () => number;
  blink: Partial<BlinkOptions>;
  motion: Partial<MotionOptions>;
}

export const DEFAULT_SESSION_OPTIONS: LivenessSessionOptions = {
  clipLength: 8,
  motionEvery: 4,
  maxCropGapMs: 500,
  // The sequence is what a replayed video cannot know in advance, so it comes from the system's
  // cryptographic source rather than Math.random's predictable generator.
  rng: () => crypto.getRandomValues(new Uint32Array(1))[0]! / 2 ** 32,
  blink: {},
  motion: {},
};

/** Eye samples kept, ms: the blink baseline window plus the longest blink, with room to spare. */
const SAMPLE_HISTORY_MS = 10_000;

/** Side of the grey crops for the motion cue, pixels. */
export const MOTION_CROP_SIZE = 48;

/**
 * The grey crop the motion cue wants: the face aligned by its landmarks (align.ts, ArcFace
 * template; at zoom 1 the crop runs from the brows to the chin, so little of a picture's edge or of
 * the room behind a real head gets in), as luma in 0..1. `points` are the five ArcFace points (FaceShape.points5)
 * or, without landmarks, BlazeFace's four (blazefacePoints: eyes, nose tip, mouth centre).
 * `frame` is [H, W, 3] in 0..1 and is not disposed.
 */
export function greyFaceCrop(
  frame: tf.Tensor3D,
  points: readonly Point[],
  size = MOTION_CROP_SIZE,
  zoom = 1,
): tf.Tensor2D {
  if (points.length !== 5 && points.length !== 4) {
    throw new RangeError(`greyFaceCrop needs the 5 ArcFace points or BlazeFace's 4; got ${points.length}.`);
  }
  const t = templateFor(size, { zoom });
  const template: Point[] =
    points.length === 5 ? t : [t[0]!, t[1]!, t[2]!, [(t[3]![0] + t[4]![0]) / 2, (t[3]![1] + t[4]![1]) / 2]];
  const fit = estimateSimilarity(points, template);
  return tf.tidy(() => {
    const rgb = alignFaces(frame, [fit], size);
    // Rec. 601 luma weights, as a webcam's Y channel.
    return rgb
      .mul(tf.tensor1d([0.299, 0.587, 0.114]))
      .sum(3)
      .reshape([size, size]) as tf.Tensor2D;
  });
}

function emptyEvidence(): LivenessEvidence {
  return {
    elapsedMs: 0,
    frames: 0,
    blinks: 0,
    motion: { still: 0, rigid: 0, nonRigid: 0, last: null },
    passive: null,
    challenge: null,
    light: null,
    screen: null,
  };
}

export class LivenessSession {
  private readonly settings: LivenessSettings;
  private readonly options: LivenessSessionOptions;
  private samples: EyeSample[] = [];
  private screenScores: { grid: number; bezel: number }[] = [];
  private ring: tf.Tensor2D[] = [];
  private lastCropAt = -Infinity;
  private sinceMotion = 0;
  private startedAt: number | null = null;
  private lastBlinkEnd = -Infinity;
  private evidence: LivenessEvidence = emptyEvidence();
  private verdictNow: LivenessVerdict;
  private queue: Promise<unknown> = Promise.resolve();
  private generation = 0;
  private disposed = false;

  constructor(settings: Partial<LivenessSettings> = {}, options: Partial<LivenessSessionOptions> = {}) {
    this.settings = withDefaults(settings);
    this.options = { ...DEFAULT_SESSION_OPTIONS, ...options };
    if (this.options.clipLength < 3) throw new RangeError('A motion clip needs at least 3 frames.');
    this.verdictNow = this.decide();
  }

  /** The latest verdict. */
  get verdict(): LivenessVerdict {
    return this.verdictNow;
  }

  /**
   * Adds one frame and returns the verdict after it. Once the verdict is 'pass' or 'fail' it
   * stays so until reset(); later frames are dropped (their crops disposed).
   */
  observe(observation: LivenessObservation): Promise<LivenessVerdict> {
    if (this.disposed) {
      observation.crop?.dispose();
      return Promise.reject(new Error('This liveness session has been disposed.'));
    }
    const generation = this.generation;
    const next = this.queue.then(() => this.step(observation, generation));
    this.queue = next.catch(() => undefined);
    return next;
  }

  /** Starts a new attempt: forgets all evidence, draws a new challenge, releases the crops. */
  reset(): void {
    this.generation++;
    tf.dispose(this.ring);
    this.ring = [];
    this.lastCropAt = -Infinity;
    this.samples = [];
    this.screenScores = [];
    this.sinceMotion = 0;
    this.startedAt = null;
    this.lastBlinkEnd = -Infinity;
    this.evidence = emptyEvidence();
    this.verdictNow = this.decide();
  }

  /**
   * The screen-light challenge's progress or result (it runs outside the frame loop: see
   * state/unlock-light.ts). Counts only while the attempt is still undecided.
   */
  recordLight(light: LightResult | 'running'): LivenessVerdict {
    if (this.disposed || this.verdictNow.status !== 'pending') return this.verdictNow;
    this.evidence = { ...this.evidence, light };
    this.verdictNow = this.decide();
    return this.verdictNow;
  }

  dispose(): void {
    if (this.disposed) return;
    this.reset();
    this.disposed = true;
  }

  private decide(): LivenessVerdict {
    return { ...fuseLiveness(this.evidence, this.settings), evidence: this.evidence };
  }

  private async step(o: LivenessObservation, generation: number): Promise<LivenessVerdict> {
    // A frame that arrives after reset() or dispose() belongs to the old attempt.
    if (generation !== this.generation || this.disposed || this.verdictNow.status !== 'pending') {
      o.crop?.dispose();
      return this.verdictNow;
    }
    const s = this.settings;
    this.startedAt ??= o.t;
    const evidence: LivenessEvidence = { ...this.evidence, elapsedMs: o.t - this.startedAt };
    if (o.eyes || o.pose || o.crop) evidence.frames++;
    if (isCueOn(s, 'challenge') && !evidence.challenge) {
      evidence.challenge = createChallenge(this.options.rng, s.challenge);
    }

    let blinked = false;
    if (o.eyes && isCueOn(s, 'blink')) {
      this.samples.push({ t: o.t, left: o.eyes.left, right: o.eyes.right });
      // Older samples can no longer change a blink's verdict or the open level near now.
      while (this.samples.length > 0 && this.samples[0]!.t < o.t - SAMPLE_HISTORY_MS) this.samples.shift();
      const blinks = await detectBlinks(this.samples, this.options.blink);
      const fresh = blinks.filter((b) => b.start > this.lastBlinkEnd);
      if (fresh.length > 0) {
        this.lastBlinkEnd = fresh[fresh.length - 1]!.end;
        evidence.blinks += fresh.length;
        // For the challenge, only a blink that began after its prompt counts.
        const c = evidence.challenge;
        blinked = !!c && c.stage === 'act' && c.since !== null && fresh.some((b) => b.start >= c.since!);
      }
    }

    if (generation !== this.generation || this.disposed) {
      o.crop?.dispose();
      return this.verdictNow;
    }
    if (o.crop && isCueOn(s, 'motion')) {
      const analysis = await this.addCrop(o.crop, o.t);
      if (analysis) {
        const m = evidence.motion;
        evidence.motion = {
          still: m.still + (analysis.verdict === 'still' ? 1 : 0),
          rigid: m.rigid + (analysis.verdict === 'rigid' ? 1 : 0),
          nonRigid: m.nonRigid + (analysis.verdict === 'non-rigid' ? 1 : 0),
          last: analysis,
        };
      }
    } else o.crop?.dispose();

    if (o.passive && isCueOn(s, 'passive')) {
      const p = evidence.passive ?? { frames: 0, antispoof: 0, liveness: 0 };
      const n = p.frames + 1;
      evidence.passive = {
        frames: n,
        antispoof: p.antispoof + (o.passive.antispoof - p.antispoof) / n,
        liveness: p.liveness + (o.passive.liveness - p.liveness) / n,
      };
    }

    if (o.screen && isCueOn(s, 'screen')) {
      this.screenScores.push(o.screen);
      const med = (k: 'grid' | 'bezel') => {
        const v = this.screenScores.map((x) => x[k]).sort((a, b) => a - b);
        return v[Math.floor(v.length / 2)]!;
      };
      evidence.screen = { frames: this.screenScores.length, grid: med('grid'), bezel: med('bezel') };
    }

    if (evidence.challenge) {
      evidence.challenge = advanceChallenge(evidence.challenge, { t: o.t, pose: o.pose, blinked }, s.challenge);
    }

    if (generation !== this.generation || this.disposed) return this.verdictNow;
    this.evidence = evidence;
    this.verdictNow = this.decide();
    return this.verdictNow;
  }

  /** Adds a crop to the ring; returns a motion analysis when one is due. */
  private async addCrop(crop: tf.Tensor2D, t: number): Promise<MotionAnalysis | null> {
    const first = this.ring[0];
    const gap = t - this.lastCropAt;
    this.lastCropAt = t;
    const reshaped = first && (first.shape[0] !== crop.shape[0] || first.shape[1] !== crop.shape[1]);
    if (reshaped || gap > this.options.maxCropGapMs) {
      tf.dispose(this.ring);
      this.ring = [];
      this.sinceMotion = 0;
    }
    this.ring.push(crop);
    while (this.ring.length > this.options.clipLength) this.ring.shift()!.dispose();
    this.sinceMotion++;
    if (this.ring.length < this.options.clipLength || this.sinceMotion < this.options.motionEvery) return null;
    this.sinceMotion = 0;
    const clip = tf.stack(this.ring) as tf.Tensor3D;
    try {
      return await analyseMotion(clip, this.options.motion);
    } finally {
      clip.dispose();
    }
  }
}
