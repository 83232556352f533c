import { useEffect, useRef } from 'react';
import { useShallow } from 'zustand/react/shallow';
import { useGallery, type EnrolPrompt as Prompt } from '../../../state/gallery';
import { useBitmapCanvas } from '../../components/BitmapView';

type ChooseFace = Extract<Prompt, { kind: 'choose-face' }>;

/**
 * The photo with one button over each face; any of them, by click or keyboard, answers the
 * question. The largest face is marked and offered as the main button below the photo.
 */
function FaceChoice({ prompt, disabled, onEnrolled }: { prompt: ChooseFace; disabled: boolean; onEnrolled(): void }) {
  const canvas = useBitmapCanvas(prompt.image);
  const choose = useGallery((s) => s.chooseEnrolFace);
  const { width, height } = prompt.image;
  const pct = (v: number, of: number) => `${(100 * v) / Math.max(1, of)}%`;
  const pick = (i: number) => void choose(i).then((ok) => ok && !prompt.adding && onEnrolled());
  const largest = prompt.faces[prompt.largest];
  return (
    <>
      <div className="face-choice">
        <canvas
          ref={canvas}
          className="bitmap"
          role="img"
          aria-label={`The photo, with ${prompt.faces.length} faces`}
        />
        {prompt.faces.map((f, i) => (
          <button
            key={i}
            type="button"
            className={`face-choice-box${i === prompt.largest ? ' largest' : ''}`}
            disabled={disabled}
            style={{
              left: pct(f.box.x, width),
              top: pct(f.box.y, height),
              width: pct(f.box.width, width),
              height: pct(f.box.height, height),
            }}
            aria-label={`Face ${i + 1}, ${f.place}${i === prompt.largest ? ', the largest' : ''}`}
            title={`${prompt.adding ? 'Add this face' : 'Enroll this face'} (${f.place}) ${prompt.adding ? 'to' : 'as'} ${prompt.name}`}
            data-testid="enrol-face"
            data-largest={i === prompt.largest}
            onClick={() => pick(i)}
          >
            <span aria-hidden="true">{i + 1}</span>
          </button>
        ))}
      </div>
      {largest && (
        <>
          <button
            type="button"
            className="btn primary"
            disabled={disabled}
            data-testid="enrol-face-largest"
            onClick={() => pick(prompt.largest)}
          >
            {prompt.adding ? 'Add' : 'Enroll'} face {prompt.largest + 1}, the largest ({largest.place})
          </button>{' '}
        </>
      )}
    </>
  );
}

/** The question enrolment is waiting on, if any: which face of a group photo, or a look-alike to confirm. */
export function EnrolPrompt({ onEnrolled }: { onEnrolled(): void }) {
  const { prompt, busy, confirm, cancel } = useGallery(
    useShallow((s) => ({ prompt: s.enrolPrompt, busy: s.busy, confirm: s.confirmEnrol, cancel: s.cancelEnrol })),
  );
  const heading = useRef<HTMLParagraphElement>(null);
  const box = useRef<HTMLDivElement>(null);
  // The question comes into view as soon as it appears (after a camera capture it would sit out of
  // sight), and keyboard users land on it.
  useEffect(() => {
    if (!prompt) return;
    heading.current?.focus({ preventScroll: true });
    const rect = box.current?.getBoundingClientRect();
    // Under the sticky header or running past the fold: bring the question to the top (its
    // scroll-margin clears the header), so the photo and the buttons under it are in view.
    if (rect && (rect.top < 80 || rect.bottom > window.innerHeight)) box.current?.scrollIntoView({ block: 'start' });
  }, [prompt]);
  if (!prompt) return null;
  return (
    <div
      ref={box}
      className="enrol-prompt"
      role="group"
      aria-labelledby="enrol-prompt-q"
      data-testid="enrol-prompt"
      data-kind={prompt.kind}
    >
      {prompt.kind === 'choose-face' ? (
        <>
          <p id="enrol-prompt-q" ref={heading} tabIndex={-1}>
            This photo shows {prompt.faces.length} faces. Click the one to {prompt.adding ? 'add to ' : 'enroll as '}
            <strong>{prompt.name}</strong>.
          </p>
          {prompt.capNotice && <p className="notice small">{prompt.capNotice}</p>}
          <FaceChoice prompt={prompt} disabled={!!busy} onEnrolled={onEnrolled} />
        </>
      ) : (
        <>
          <p id="enrol-prompt-q" ref={heading} tabIndex={-1} data-testid="enrol-lookalike">
            This face looks like <strong>{prompt.match}</strong> (
            <abbr title="Cosine similarity of the face embeddings; at or above the Unlock threshold this face would unlock as them.">
              similarity
            </abbr>{' '}
            {prompt.score.toFixed(2)}). Enroll it as <strong>{prompt.name}</strong> anyway?
          </p>
          <button
            type="button"
            className="btn primary"
            disabled={!!busy}
            data-testid="enrol-confirm"
            onClick={() => void confirm().then((ok) => ok && onEnrolled())}
          >
            Enroll {prompt.name} anyway
          </button>{' '}
        </>
      )}
      <button type="button" className="btn" disabled={!!busy} data-testid="enrol-cancel" onClick={cancel}>
        Cancel
      </button>
    </div>
  );
}
