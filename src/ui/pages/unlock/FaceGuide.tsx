// The face-framing guide over the Unlock video: an oval to put the face in, the world outside it
// dimmed, and one short line saying what to do now.
import { useShallow } from 'zustand/react/shallow';
import { useUnlock } from '../../../state/unlock';

/** Below this share of the frame's width a face is too far away to be checked well. */
const SMALL_FACE = 0.18;

function useHint(): { text: string | null; state: 'waiting' | 'face' | 'busy' | 'bad' } {
  const { phase, hint, face, prompt, running } = useUnlock(
    useShallow((s) => ({
      phase: s.machine.current.phase,
      hint: s.machine.current.phase === 'looking' ? s.machine.current.hint : null,
      face: s.face,
      prompt: s.liveness?.prompt ?? null,
      running: s.running,
    })),
  );
  if (!running) return { text: null, state: 'waiting' };
  switch (phase) {
    case 'looking':
      if (!face) return { text: 'Put your face inside the oval', state: 'waiting' };
      if (face.box.width / face.width < SMALL_FACE) return { text: 'Come a little closer', state: 'face' };
      return { text: hint ?? 'Hold still', state: 'face' };
    case 'checking':
      return { text: prompt ?? 'Hold still', state: 'busy' };
    case 'matching':
      return { text: 'Matching…', state: 'busy' };
    case 'denied':
      return { text: 'Try again, or look away and back', state: 'bad' };
    default:
      return { text: null, state: 'waiting' };
  }
}

export function FaceGuide() {
  const { text, state } = useHint();
  return (
    <div className="face-guide" data-testid="face-guide" data-state={state} aria-hidden={text === null}>
      <svg viewBox="0 0 400 300" preserveAspectRatio="xMidYMid meet" aria-hidden="true">
        <path className="face-guide-dim" fillRule="evenodd" d="M0 0H400V300H0Z M200 42a78 104 0 1 0 0.01 0Z" />
        <ellipse className="face-guide-oval" cx="200" cy="146" rx="78" ry="104" />
      </svg>
      {text && (
        <p className="face-guide-hint" role="status" data-testid="face-guide-hint">
          {text}
        </p>
      )}
    </div>
  );
}
