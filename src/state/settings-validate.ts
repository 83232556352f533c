// What a stored setting may be. Settings live in localStorage, which anyone with the browser
// profile (or devtools) can edit, so nothing read from it is trusted: each value is checked
// against its type and range when loaded, and kept inside the range when set. Out-of-range or
// wrong-typed values go back to their defaults and are named, so the app can tell the user once.
import { isBackendName, type BackendName } from '../ml/runtime/backend';
import { RESOLUTIONS } from '../ml/runtime/camera';
import { EMBEDDERS, isEmbedderId, thresholdInRange, type MatchUse } from '../ml/face/embedder-specs';
import { CUE_NAMES, DEFAULT_LIVENESS_SETTINGS, type LivenessSettings } from '../ml/liveness/fusion';
import type { ChallengeOptions, ChallengeStep } from '../ml/liveness/challenge';
import { MAX_LOCKOUT_MS } from '../ml/face/unlock-machine';

export type Theme = 'system' | 'light' | 'dark';
export const THEMES: readonly Theme[] = ['system', 'light', 'dark'];

/** The settings as stored (the store adds its actions and the reset notice). */
export interface StoredSettings {
  /** null means "best available" (webgpu → webgl → wasm → cpu). */
  backend: BackendName | null;
  theme: Theme;
  cameraId: string | null;
  resolution: number;
  /**
   * Thresholds set by hand (or adopted from Evaluate), per embedding model id and use: a face
   * matches a template at or above it. Missing entries use the model's calibrated default. A
   * threshold set for one model never applies to another: their scores are on different scales.
   */
  faceThresholds: Record<string, Partial<Record<MatchUse, number>>>;
  /** Failed unlock attempts in a row before the lockout, and its length. */
  unlockMaxFailures: number;
  unlockLockoutSeconds: number;
  /** Which liveness cues run and must pass, and how long an attempt may take. */
  liveness: LivenessSettings;
  /** The Siamese Lab model (studio record id) that Unlock and Identify match with; null: plain cosine. */
  adoptedLabModelId: string | null;
  /** Show the developer status bar (models loaded, live tensors and memory) under every page. */
  devDetails: boolean;
}

export const SETTINGS_DEFAULTS: StoredSettings = {
  backend: null,
  theme: 'system',
  cameraId: null,
  resolution: 0,
  faceThresholds: {},
  unlockMaxFailures: 5,
  unlockLockoutSeconds: 30,
  liveness: DEFAULT_LIVENESS_SETTINGS,
  adoptedLabModelId: null,
  devDetails: false,
};

/** A number setting's range; `integer` ones refuse fractions. */
export interface NumberRange {
  min: number;
  max: number;
  integer?: boolean;
}

/** The ranges the UI offers (and a little room for settings only tools set). */
export const RANGES = {
  unlockMaxFailures: { min: 1, max: 20, integer: true },
  unlockLockoutSeconds: { min: 5, max: MAX_LOCKOUT_MS / 1000 },
  resolution: { min: 0, max: RESOLUTIONS.length - 1, integer: true },
  livenessMaxMs: { min: 3_000, max: 60_000 },
  livenessMinFrames: { min: 1, max: 120, integer: true },
  minBlinks: { min: 1, max: 10, integer: true },
  promptAfterMs: { min: 0, max: 60_000 },
  minNonRigid: { min: 1, max: 20, integer: true },
  failAfterRigid: { min: 1, max: 50, integer: true },
  passiveMinFrames: { min: 1, max: 60, integer: true },
  /** A probability of "live" a passive model must reach: strictly between "always" and "never". */
  passiveScore: { min: 0.01, max: 0.99 },
  challengeSteps: { min: 1, max: 6, integer: true },
  stepTimeoutMs: { min: 1_000, max: 30_000 },
  angle: { min: 1, max: 60 },
} as const satisfies Record<string, NumberRange>;

/** Longest id or camera name kept; anything longer is not one the app wrote. */
const MAX_ID_LENGTH = 512;

const CHALLENGE_STEPS: readonly ChallengeStep[] = ['blink', 'turn-left', 'turn-right', 'look-up'];

/** `value` if it is a number inside `range`, else undefined. */
export function inRange(value: unknown, range: NumberRange): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  if (range.integer && !Number.isInteger(value)) return undefined;
  return value >= range.min && value <= range.max ? value : undefined;
}

/** `value` moved into `range` (rounded when it must be whole); undefined when it is not a number. */
export function clampTo(value: unknown, range: NumberRange): number | undefined {
  if (typeof value !== 'number' || !Number.isFinite(value)) return undefined;
  const v = range.integer ? Math.round(value) : value;
  return Math.min(range.max, Math.max(range.min, v));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A short, printable form of a rejected value for the notice. */
function shown(value: unknown): string {
  let text: string;
  try {
    text = typeof value === 'string' ? JSON.stringify(value) : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 24 ? `${text.slice(0, 21)}…` : text;
}

/** Collects the settings that were reset, in words, while values are checked. */
class Checker {
  readonly reset: string[] = [];

  /** `clamp`: numbers outside their range move to the nearest bound (setting), instead of resetting (loading). */
  constructor(private readonly clamp = false) {}

  /** The stored value when `ok` accepts it (or it is missing: a setting saved before it existed). */
  take<T, F = T>(stored: unknown, fallback: F, ok: (v: unknown) => v is T, label: string, hint?: string): T | F {
    if (stored === undefined) return fallback;
    if (ok(stored)) return stored;
    this.reset.push(`${label} (was ${shown(stored)}${hint ? `; ${hint}` : ''})`);
    return fallback;
  }

  number(stored: unknown, fallback: number, range: NumberRange, label: string): number {
    if (this.clamp) stored = clampTo(stored, range) ?? stored;
    const hint = `allowed ${range.min}–${range.max}${range.integer ? ', whole numbers' : ''}`;
    return this.take(stored, fallback, (v): v is number => inRange(v, range) !== undefined, label, hint);
  }

  boolean(stored: unknown, fallback: boolean, label: string): boolean {
    return this.take(stored, fallback, (v): v is boolean => typeof v === 'boolean', label);
  }

  /** A nested group: not an object at all resets the whole group. */
  group(stored: unknown, label: string): Record<string, unknown> {
    if (stored === undefined || isRecord(stored)) return stored ?? {};
    this.reset.push(`${label} (was ${shown(stored)})`);
    return {};
  }
}

const idOrNull = (v: unknown): v is string | null => v === null || (typeof v === 'string' && v.length <= MAX_ID_LENGTH);

const USE_LABEL: Record<MatchUse, string> = { unlock: 'Unlock', identify: 'Identify' };

function checkThresholds(c: Checker, stored: unknown): StoredSettings['faceThresholds'] {
  const out: StoredSettings['faceThresholds'] = {};
  for (const [modelId, own] of Object.entries(c.group(stored, 'face thresholds'))) {
    // A model this version does not ship takes its threshold with it (as the v1 → v2 migration does).
    if (!isEmbedderId(modelId)) continue;
    const name = EMBEDDERS[modelId].name;
    const uses = c.group(own, `face thresholds of ${name}`);
    const kept: Partial<Record<MatchUse, number>> = {};
    for (const use of ['unlock', 'identify'] as const) {
      const { min, max } = EMBEDDERS[modelId].thresholdRange[use];
      const value = c.take(
        uses[use],
        undefined,
        (v): v is number => thresholdInRange(modelId, use, v),
        `the ${USE_LABEL[use]} threshold of ${name}`,
        `allowed ${min}–${max}, now its default ${EMBEDDERS[modelId][use].threshold}`,
      );
      if (value !== undefined) kept[use] = value;
    }
    if (Object.keys(kept).length > 0) out[modelId] = kept;
  }
  return out;
}

function checkChallenge(c: Checker, stored: unknown): Partial<ChallengeOptions> {
  const s = c.group(stored, 'the liveness challenge options');
  const out: Partial<ChallengeOptions> = {};
  const label = (k: string) => `the liveness challenge's ${k}`;
  const kinds = c.take(
    s.kinds,
    undefined,
    (v): v is ChallengeStep[] =>
      Array.isArray(v) &&
      v.length > 0 &&
      v.every((k) => CHALLENGE_STEPS.includes(k as ChallengeStep)) &&
      new Set(v).size === v.length,
    label('steps'),
  );
  if (kinds) out.kinds = kinds;
  const numbers = {
    minSteps: RANGES.challengeSteps,
    maxSteps: RANGES.challengeSteps,
    stepTimeoutMs: RANGES.stepTimeoutMs,
    turnYaw: RANGES.angle,
    lookUpPitch: RANGES.angle,
    neutralYaw: RANGES.angle,
    neutralPitch: RANGES.angle,
  } as const;
  for (const [k, range] of Object.entries(numbers) as [keyof typeof numbers, NumberRange][]) {
    const v = c.take(s[k], undefined, (x): x is number => inRange(x, range) !== undefined, label(k));
    if (v !== undefined) out[k] = v;
  }
  if (out.minSteps !== undefined && out.maxSteps !== undefined && out.maxSteps < out.minSteps) {
    c.reset.push(`${label('maxSteps')} (was ${out.maxSteps}, below minSteps ${out.minSteps})`);
    delete out.maxSteps;
  }
  for (const k of ['failOnWrongTurn', 'mirroredPreview', 'mirroredFrames'] as const) {
    const v = c.take(s[k], undefined, (x): x is boolean => typeof x === 'boolean', label(k));
    if (v !== undefined) out[k] = v;
  }
  return out;
}

function checkLiveness(c: Checker, stored: unknown): LivenessSettings {
  const d = DEFAULT_LIVENESS_SETTINGS;
  const s = c.group(stored, 'the liveness settings');
  const enabled = c.group(s.enabled, 'which liveness cues run');
  const required = c.group(s.required, 'which liveness cues must pass');
  const blink = c.group(s.blink, 'the blink options');
  const motion = c.group(s.motion, 'the live-motion options');
  const passive = c.group(s.passive, 'the passive-model options');
  const probability = (v: unknown): v is number | null => v === null || inRange(v, RANGES.passiveScore) !== undefined;
  return {
    enabled: Object.fromEntries(
      CUE_NAMES.map((cue) => [cue, c.boolean(enabled[cue], d.enabled[cue], `whether the ${cue} cue runs`)]),
    ) as LivenessSettings['enabled'],
    required: Object.fromEntries(
      CUE_NAMES.map((cue) => [cue, c.boolean(required[cue], d.required[cue], `whether the ${cue} cue must pass`)]),
    ) as LivenessSettings['required'],
    minFrames: c.number(s.minFrames, d.minFrames, RANGES.livenessMinFrames, 'the frames liveness needs'),
    maxMs: c.number(s.maxMs, d.maxMs, RANGES.livenessMaxMs, 'the time liveness has to decide (ms)'),
    blink: {
      minBlinks: c.number(blink.minBlinks, d.blink.minBlinks, RANGES.minBlinks, 'the blinks needed'),
      promptAfterMs: c.number(
        blink.promptAfterMs,
        d.blink.promptAfterMs,
        RANGES.promptAfterMs,
        'the blink prompt delay',
      ),
    },
    motion: {
      minNonRigid: c.number(motion.minNonRigid, d.motion.minNonRigid, RANGES.minNonRigid, 'the live-motion windows'),
      failAfterRigid: c.number(
        motion.failAfterRigid,
        d.motion.failAfterRigid,
        RANGES.failAfterRigid,
        'the rigid-motion windows before failing',
      ),
    },
    passive: {
      minFrames: c.number(passive.minFrames, d.passive.minFrames, RANGES.passiveMinFrames, 'the passive-model frames'),
      antispoof: c.take(passive.antispoof, d.passive.antispoof, probability, 'the anti-spoof score needed'),
      liveness: c.take(passive.liveness, d.passive.liveness, probability, 'the liveness-model score needed'),
    },
    challenge: checkChallenge(c, s.challenge),
    // The screen-light challenge's limits are not a user's setting: they are fixed by photosensitivity and measurement.
    light: {},
    screen: { ...d.screen },
  };
}

/**
 * Stored settings (as loaded and migrated) made safe: every value of the right type and inside
 * its range, or its default. `reset` names, in plain words, each value that was replaced.
 * Settings missing from storage (saved before they existed) get their defaults silently.
 */
export function sanitizeSettings(persisted: unknown): { settings: StoredSettings; reset: string[] } {
  const c = new Checker();
  const s = c.group(persisted ?? undefined, 'all settings');
  const d = SETTINGS_DEFAULTS;
  const settings: StoredSettings = {
    backend: c.take(
      s.backend,
      d.backend,
      (v): v is BackendName | null => v === null || isBackendName(v),
      'the backend',
    ),
    theme: c.take(s.theme, d.theme, (v): v is Theme => THEMES.includes(v as Theme), 'the theme'),
    cameraId: c.take(s.cameraId, d.cameraId, idOrNull, 'the camera'),
    resolution: c.number(s.resolution, d.resolution, RANGES.resolution, 'the camera resolution'),
    faceThresholds: checkThresholds(c, s.faceThresholds),
    unlockMaxFailures: c.number(
      s.unlockMaxFailures,
      d.unlockMaxFailures,
      RANGES.unlockMaxFailures,
      'attempts before lockout',
    ),
    unlockLockoutSeconds: c.number(
      s.unlockLockoutSeconds,
      d.unlockLockoutSeconds,
      RANGES.unlockLockoutSeconds,
      'the lockout length (seconds)',
    ),
    liveness: checkLiveness(c, s.liveness),
    adoptedLabModelId: c.take(s.adoptedLabModelId, d.adoptedLabModelId, idOrNull, 'the Lab model used for matching'),
    devDetails: c.boolean(s.devDetails, d.devDetails, 'whether developer details show'),
  };
  return { settings, reset: c.reset };
}

/** The one sentence shown after settings were reset, or null when none was. */
export function resetNotice(reset: readonly string[]): string | null {
  if (reset.length === 0) return null;
  const head =
    reset.length === 1 ? 'A setting was out of range and was reset' : 'Some settings were out of range and were reset';
  return `${head}: ${reset.join('; ')}. Set them again on the Unlock or Settings page if you need other values.`;
}

/** Liveness settings after `patch`, numbers moved into their ranges, anything else invalid back to its default. */
export function clampLiveness(current: LivenessSettings, patch: Partial<LivenessSettings>): LivenessSettings {
  return checkLiveness(new Checker(true), { ...current, ...patch });
}

/** A lockout setting moved into its range; undefined when it is not a number at all. */
export function clampLockoutSetting(
  key: 'unlockMaxFailures' | 'unlockLockoutSeconds',
  value: unknown,
): number | undefined {
  return clampTo(value, RANGES[key]);
}
