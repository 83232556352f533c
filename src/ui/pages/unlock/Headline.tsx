// The one line that says where Face Unlock stands, and the reason of the last failure under it:
// both stay in view beside the camera, and the reason stays until the next attempt starts.
import { useEffect, useRef, useState } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { lockoutRemaining } from '../../../ml/face/unlock-machine';
import { useUnlock } from '../../../state/unlock';

export function useNow(active: boolean) {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!active) return;
    const id = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(id);
  }, [active]);
  return now;
}

function HeadlineText({ starting }: { starting: boolean }) {
  const { machine, running, session } = useUnlock(
    useShallow((s) => ({ machine: s.machine, running: s.running, session: s.session })),
  );
  const current = machine.current;
  const now = useNow(current.phase === 'locked-out');
  if (session) {
    return (
      <>{session.by === 'face' ? `Unlocked — welcome, ${session.name ?? 'you'}` : 'Unlocked with your passcode'}</>
    );
  }
  switch (current.phase) {
    case 'idle':
      return <>{running || starting ? 'Starting…' : 'Locked'}</>;
    case 'looking':
      return <>{current.hint ?? 'Looking for a face…'}</>;
    case 'checking':
      return <>Checking…</>;
    case 'matching':
      return <>Matching…</>;
    case 'unlocked':
      return <>Unlocked — welcome, {current.match.name}</>;
    case 'denied':
      return <>{current.match ? 'Not recognised' : 'Not a live face'}</>;
    case 'locked-out': {
      const left = Math.ceil(lockoutRemaining(machine, now) / 1000);
      return left > 0 ? (
        <>Too many failed attempts. Try again in {left} s.</>
      ) : (
        <>The lockout is over: you can try again.</>
      );
    }
  }
}

/** The headline and the last failure's reasons; scrolled into view (below the sticky bar) when a decision lands. */
export function Headline({ starting }: { starting: boolean }) {
  const { machine, session, lastReasons } = useUnlock(
    useShallow((s) => ({ machine: s.machine, session: s.session, lastReasons: s.lastReasons })),
  );
  const ref = useRef<HTMLDivElement>(null);
  const current = machine.current;
  const match = current.phase === 'unlocked' || current.phase === 'denied' ? current.match : null;
  const score = match?.score ?? machine.lastScore;
  const decided = session
    ? 'session'
    : ['denied', 'locked-out', 'unlocked'].includes(current.phase)
      ? current.phase
      : '';
  useEffect(() => {
    if (decided) ref.current?.scrollIntoView({ block: 'nearest', behavior: 'smooth' });
  }, [decided]);
  return (
    <div className="unlock-result" ref={ref} aria-live="polite">
      <p
        className={`unlock-headline ${session ? 'unlocked' : current.phase}`}
        data-testid="unlock-phase"
        data-phase={current.phase}
        data-session={session?.by ?? ''}
        data-score={score == null ? '' : score.toFixed(4)}
        data-threshold={machine.config.threshold}
      >
        <HeadlineText starting={starting} />
      </p>
      {lastReasons && lastReasons.length > 0 && !session && (
        <ul className="reasons" data-testid="unlock-reasons">
          {lastReasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
      )}
    </div>
  );
}
