// The Unlock page's right-hand card: the steps of an attempt, its liveness cues, the similarity
// against the threshold (with what the threshold means), and the failure count.
import { useShallow } from 'zustand/react/shallow';
import type { UnlockPhase } from '../../../ml/face/unlock-machine';
import { EMBEDDERS } from '../../../ml/face/embedder-specs';
import { CUE_NAMES, type CueState } from '../../../ml/liveness/fusion';
import { useFaces } from '../../../state/faces';
import { useUnlock } from '../../../state/unlock';
import { formatMs } from '../../format';
import { CUE_LABELS } from '../unlock-labels';

const STEPS: { phase: UnlockPhase['phase'][]; label: string }[] = [
  { phase: ['looking'], label: 'Looking for a face' },
  { phase: ['checking'], label: 'Checking it is a live person' },
  { phase: ['matching'], label: 'Matching' },
  { phase: ['unlocked', 'denied', 'locked-out'], label: 'Decision' },
];

const CUE_MARKS: Record<CueState, string> = { off: '–', pending: '…', pass: '✓', fail: '✗' };
const ARROWS = { left: '←', right: '→', up: '↑' } as const;

/** The liveness cues of the current attempt: what is asked of the user, and each cue's state. */
function LivenessPanel() {
  const liveness = useUnlock((s) => s.liveness);
  const phase = useUnlock((s) => s.machine.current.phase);
  if (!liveness || !['checking', 'matching', 'unlocked', 'denied'].includes(phase)) return null;
  const arrow = liveness.evidence.challenge?.arrow;
  return (
    <div className="liveness" data-testid="liveness" data-status={liveness.status}>
      {liveness.prompt && phase === 'checking' && (
        <p className="liveness-prompt" role="status" data-testid="liveness-prompt">
          {arrow && <span aria-hidden="true">{ARROWS[arrow]} </span>}
          {liveness.prompt}
        </p>
      )}
      <ul className="cues">
        {CUE_NAMES.filter((c) => liveness.cues[c].state !== 'off').map((c) => {
          const cue = liveness.cues[c];
          return (
            <li key={c} className={`cue ${cue.state}`} data-testid={`cue-${c}`} data-state={cue.state}>
              <span className="cue-mark" aria-hidden="true">
                {CUE_MARKS[cue.state]}
              </span>
              <span>
                {CUE_LABELS[c]} <span className="muted small">({cue.required ? 'required' : 'advisory'})</span>
              </span>
              <span className="muted small">{cue.detail}</span>
            </li>
          );
        })}
      </ul>
      {liveness.advisories.length > 0 && (
        <p className="small muted" data-testid="liveness-advisories">
          Advisory: {liveness.advisories.join(' ')}
        </p>
      )}
    </div>
  );
}

/**
 * The meter shows scores from 2t − 1 to 1, so the threshold t always sits in the middle: the
 * descriptor's scores crowd near 1, FaceRes's spread lower, and either way "how far from
 * passing" reads the same.
 */
function ScoreMeter({ score, threshold }: { score: number; threshold: number }) {
  const lo = 2 * threshold - 1;
  const pct = (v: number) => `${Math.max(0, Math.min(1, (v - lo) / (1 - lo))) * 100}%`;
  return (
    <div className="meter" aria-label={`Similarity ${score.toFixed(2)}, threshold ${threshold.toFixed(2)}`}>
      <div className={`meter-fill ${score >= threshold ? 'good' : 'bad'}`} style={{ width: pct(score) }} />
      <div className="meter-threshold" style={{ left: pct(threshold) }} title="Threshold" />
    </div>
  );
}

/** What the threshold means, in words, with the measurement it rests on. */
function OperatingPointNote({ threshold }: { threshold: number }) {
  const spec = EMBEDDERS[useFaces((s) => s.embedderId)];
  const op = spec.unlock;
  const n = (x: number) => x.toLocaleString('en-US');
  const refused = Math.round(op.frr * op.genuinePairs);
  if (Math.abs(threshold - op.threshold) > 1e-9) {
    return (
      <p className="small muted" data-testid="operating-point">
        This threshold was set by hand; the {spec.name} default ({op.threshold.toFixed(3)}) is set so that at most about
        1 stranger in {n(Math.round(1 / op.targetFar))} would pass.
      </p>
    );
  }
  return (
    <p
      className="small muted"
      data-testid="operating-point"
      title={`Measured with ${spec.name} on ${op.set}: ${n(op.genuinePairs)} genuine and ${n(op.impostorPairs)} impostor pairs of real photos.`}
    >
      Set so that at most about 1 stranger in {n(Math.round(1 / op.targetFar))} would pass: on real photos of{' '}
      {n(op.impostorPairs)} pairs of different people, {n(Math.round(op.far * op.impostorPairs))} passed, and{' '}
      {n(refused)} of {n(op.genuinePairs)} pairs of the same person {refused === 1 ? 'was' : 'were'} refused.
    </p>
  );
}

export function StatusCard() {
  const { machine, msPerFrame, error, session } = useUnlock(
    useShallow((s) => ({ machine: s.machine, msPerFrame: s.msPerFrame, error: s.error, session: s.session })),
  );
  const current = machine.current;
  const match = current.phase === 'unlocked' || current.phase === 'denied' ? current.match : null;
  const score = match?.score ?? machine.lastScore;
  const active = session ? 'unlocked' : current.phase;
  return (
    <section className="card">
      <h2>How it went</h2>
      <ol className="unlock-steps">
        {STEPS.map((s) => (
          <li key={s.label} className={s.phase.includes(active) ? 'active' : ''}>
            {s.label}
          </li>
        ))}
      </ol>
      <LivenessPanel />
      {score != null && (
        <>
          <ScoreMeter score={score} threshold={machine.config.threshold} />
          <p className="small muted">
            Similarity {score.toFixed(3)} against the threshold {machine.config.threshold.toFixed(3)}
            {/* Only the person it opened for is named: a refused face is not told whom it resembles. */}
            {current.phase === 'unlocked' && match?.name ? ` (${match.name})` : ''}
          </p>
          <OperatingPointNote threshold={machine.config.threshold} />
        </>
      )}
      <p
        className="small muted"
        data-testid="unlock-failures"
        data-failures={machine.failures}
        data-max-failures={machine.config.maxFailures}
        title="Counted on this device for every tab, and kept when the page reloads."
      >
        Failed attempts: {machine.failures} of {machine.config.maxFailures}
        {msPerFrame != null && ` · ${formatMs(msPerFrame)} per frame`}
      </p>
      {error && (
        <div className="alert" role="alert">
          {error}
        </div>
      )}
    </section>
  );
}
