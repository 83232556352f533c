// The screen-light challenge on screen: the whole window in one soft colour, a ring that fills as
// the check runs, and one line saying what is happening. The colour is what lights the face, so it
// is painted as given, with no transition; `data-rgb` names it for tests (a synthetic camera reads
// it to light its face the way the screen would).
import { useUnlock } from '../../../state/unlock';

const RING = 2 * Math.PI * 44;

export function LightOverlay() {
  const light = useUnlock((s) => s.light);
  if (!light) return null;
  const rgb = light.colour.map((c) => Math.round(c * 255)).join(',');
  return (
    <div
      className="light-overlay"
      style={{ background: `rgb(${rgb})` }}
      data-testid="light-overlay"
      data-rgb={rgb}
      data-gentle={light.gentle ? 'true' : 'false'}
      data-progress={light.progress.toFixed(2)}
      role="status"
    >
      <svg className="light-ring" viewBox="0 0 100 100" aria-hidden="true">
        <circle cx="50" cy="50" r="44" className="light-ring-track" />
        <circle
          cx="50"
          cy="50"
          r="44"
          className="light-ring-fill"
          strokeDasharray={RING}
          strokeDashoffset={RING * (1 - light.progress)}
        />
      </svg>
      <p className="light-overlay-text">Hold still: the screen lights your face for a moment.</p>
    </div>
  );
}
