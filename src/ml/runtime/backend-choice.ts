// Choosing the backend by measurement. A backend that starts is not necessarily fast: WebGPU on a
// software adapter (SwiftShader, VMs) ran a face frame ~95× slower than wasm on 2 cores. So the app
// times one small inference on each backend that starts, keeps the figures with a key that says
// which device and browser they are for, and uses the fastest. Pure: no tfjs, no storage.
import { selectBackend, type BackendAttempt, type BackendChoice, type BackendName } from './backend';

/** What one backend did in the probe. */
export interface ProbeFigure {
  name: BackendName;
  /** Whether the backend started at all. */
  started: boolean;
  /** Median milliseconds of one probe inference after the warm-up; null when it did not run. */
  ms: number | null;
  /** Milliseconds of the first (warm-up) run, which includes compiling shaders. */
  warmupMs: number | null;
  error?: string;
  /** WebGPU on a software adapter (isFallbackAdapter or SwiftShader). */
  software?: boolean;
  /** Whether the backend has the gradients image optimisation needs (from tfjs's kernel registry). */
  gradients: { conv: boolean; depthwise: boolean };
}

/** The stored result of one probe, for the device and browser named by `key`. */
export interface ProbeRecord {
  version: 1;
  key: string;
  /** ISO date of the measurement. */
  at: string;
  figures: ProbeFigure[];
  /** Milliseconds the whole probe took. */
  totalMs: number;
}

/** What identifies the device and browser a probe measured; any change asks for a new probe. */
export interface DeviceKeyParts {
  webgpu: {
    vendor: string;
    architecture: string;
    device: string;
    description: string;
    isFallbackAdapter: boolean | null;
  } | null;
  webglRenderer: string | null;
  userAgent: string;
}

export function deviceKey(parts: DeviceKeyParts): string {
  return JSON.stringify([parts.webgpu, parts.webglRenderer, parts.userAgent]);
}

/** Whether adapter info describes a software WebGPU adapter. */
export function isSoftwareAdapter(info: DeviceKeyParts['webgpu']): boolean {
  if (!info) return false;
  if (info.isFallbackAdapter) return true;
  return /swiftshader|llvmpipe|lavapipe|software|basic render/i.test(
    [info.vendor, info.architecture, info.device, info.description].join(' '),
  );
}

/** The stored record when it is for this key and well formed, else null (measure again). */
export function reusableRecord(stored: unknown, key: string): ProbeRecord | null {
  if (!stored || typeof stored !== 'object') return null;
  const r = stored as Partial<ProbeRecord>;
  if (r.version !== 1 || r.key !== key || !Array.isArray(r.figures) || typeof r.at !== 'string') return null;
  return r as ProbeRecord;
}

export interface Choice {
  name: BackendName;
  /** One sentence: why this backend. */
  reason: string;
}

/** What a gradient run needs: depthwise convolutions (MobileNet-style nets) or only plain ones. */
export interface GradientNeeds {
  depthwise: boolean;
}

function measured(figures: ProbeFigure[]): (ProbeFigure & { ms: number })[] {
  return figures.filter((f): f is ProbeFigure & { ms: number } => f.started && f.ms != null && Number.isFinite(f.ms));
}

export function formatProbeMs(ms: number): string {
  return ms >= 100 ? `${Math.round(ms)} ms` : `${ms.toFixed(1)} ms`;
}

function pick(candidates: (ProbeFigure & { ms: number })[], what: string): Choice | null {
  // Software WebGPU is never the silent default: it counts only when nothing else ran.
  const hardware = candidates.filter((f) => !f.software);
  const pool = hardware.length > 0 ? hardware : candidates;
  if (pool.length === 0) return null;
  const best = pool.reduce((a, b) => (b.ms < a.ms ? b : a));
  const software = candidates.find((f) => f.software);
  let reason = `${best.name} is the fastest measured ${what} (${formatProbeMs(best.ms)} per run)`;
  if (best.software) reason += '; only a software WebGPU adapter could run';
  else if (software) {
    reason += `; WebGPU runs on a software adapter here (${formatProbeMs(software.ms)}), so it is not chosen automatically`;
  }
  return { name: best.name, reason: `${reason}.` };
}

/** The backend for face work: the fastest that ran the probe, software WebGPU only as a last resort. */
export function chooseFastest(figures: ProbeFigure[]): Choice | null {
  return pick(measured(figures), 'here');
}

/** The fastest backend that has the gradients a network needs (Style Studio, feature visualisation). */
export function chooseForGradients(figures: ProbeFigure[], needs: GradientNeeds): Choice | null {
  const able = measured(figures).filter((f) => f.gradients.conv && (!needs.depthwise || f.gradients.depthwise));
  return pick(able, needs.depthwise ? 'with depthwise-convolution gradients' : 'with convolution gradients');
}

export interface BackendVerdict {
  /** fast: the running backend is the fastest measured (or within 1.5× of it); slow: it is not; unknown: no figures. */
  speed: 'fast' | 'slow' | 'unknown';
  /** What was measured, for the status chip's tooltip. */
  summary: string;
}

/** Whether the running backend is fast by the figures, with the figures in words. */
export function backendVerdict(active: BackendName, record: ProbeRecord | null, pinned: boolean): BackendVerdict {
  const ran = record ? measured(record.figures).sort((a, b) => a.ms - b.ms) : [];
  if (ran.length === 0) {
    return {
      speed: 'unknown',
      summary: pinned
        ? `Running on ${active}, chosen in Settings; no speed measured for this device yet (Diagnostics → Measure again).`
        : `Running on ${active}; no speed measured.`,
    };
  }
  const list = ran.map((f) => `${f.name}${f.software ? ' (software)' : ''} ${formatProbeMs(f.ms)}`).join(', ');
  const mine = ran.find((f) => f.name === active);
  const best = chooseFastest(record!.figures);
  const bestMs = ran.find((f) => f.name === best?.name)?.ms ?? ran[0]!.ms;
  const fast = !!mine && !mine.software && mine.ms <= bestMs * 1.5;
  const how = pinned ? 'chosen in Settings' : 'the fastest measured';
  return {
    speed: fast ? 'fast' : 'slow',
    summary:
      `Running on ${active} (${how}). One small inference, measured ${record!.at.slice(0, 10)}: ${list}.` +
      (fast ? '' : ` ${best?.name ?? ran[0]!.name} is faster here.`),
  };
}

export interface ChooseDeps {
  /** The backend pinned in Settings (or ?backend=), or null for the fastest measured. */
  preferred: BackendName | null;
  /** This device's key (deviceKey). */
  key: string;
  /** The record kept from an earlier start, reused when it is for `key`. */
  stored: unknown;
  /** Starts one backend; resolves false when it cannot. */
  start(name: BackendName): Promise<boolean>;
  /** Runs the probe on every backend. */
  measure(): Promise<ProbeRecord>;
}

export interface ChosenBackend extends BackendChoice {
  probe: ProbeRecord | null;
  chosenBy: 'measured' | 'stored' | 'pinned' | 'chain';
  reason: string;
}

function attemptsOf(record: ProbeRecord): BackendAttempt[] {
  return record.figures.map((f) => ({
    name: f.name,
    ok: f.started && f.ms != null,
    ms: f.ms ?? 0,
    ...(f.error ? { error: f.error } : {}),
  }));
}

/**
 * Starts the backend to use: the pinned one (down the chain if it cannot start), else the fastest in
 * the stored figures when they are for this device, else the fastest of a new measurement.
 */
export async function chooseBackend(deps: ChooseDeps): Promise<ChosenBackend> {
  const stored = reusableRecord(deps.stored, deps.key);
  if (deps.preferred) {
    const choice = await selectBackend(deps.start, deps.preferred);
    const reason = choice.preferredFailed
      ? `${deps.preferred} was chosen in Settings but could not start; ${choice.name} is the next that did.`
      : `${deps.preferred} is chosen in Settings.`;
    return { ...choice, probe: stored, chosenBy: 'pinned', reason };
  }
  const record = stored ?? (await deps.measure());
  const best = chooseFastest(record.figures);
  if (!best) {
    // Nothing ran the probe: walk the chain, as before measurement existed.
    const choice = await selectBackend(deps.start, null);
    return { ...choice, probe: record, chosenBy: 'chain', reason: `No backend ran the probe; ${choice.name} started.` };
  }
  const started = await selectBackend(deps.start, best.name);
  const reason =
    started.name === best.name ? best.reason : `${best.reason} It did not start this time, so ${started.name} is used.`;
  return {
    name: started.name,
    attempts: attemptsOf(record),
    preferredFailed: false,
    probe: record,
    chosenBy: stored ? 'stored' : 'measured',
    reason,
  };
}
