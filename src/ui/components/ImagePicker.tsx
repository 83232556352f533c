import { useId, useRef, useState, useSyncExternalStore, type DragEvent } from 'react';

const COARSE = '(pointer: coarse)';

/** True on a touch screen (the main pointer is a finger), where nothing can be dropped. */
function useCoarsePointer(): boolean {
  return useSyncExternalStore(
    (onChange) => {
      const query = matchMedia(COARSE);
      query.addEventListener('change', onChange);
      return () => query.removeEventListener('change', onChange);
    },
    () => matchMedia(COARSE).matches,
  );
}

interface Props {
  label: string;
  onFile(file: File): void;
  /** Accept several files at once; each is passed to `onFiles` (and `onFile` is not called). */
  onFiles?(files: File[]): void;
  /** Extra text under the label, e.g. what the image is used for (the picker adds how to give one). */
  hint?: string;
  compact?: boolean;
}

/** A drop zone that is also a keyboard-accessible file button. */
export function ImagePicker({ label, onFile, onFiles, hint, compact }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const touch = useCoarsePointer();
  const several = !!onFiles;
  // On a touch screen the button says it all; only the kinds of file are left to say.
  const how = touch
    ? 'JPEG, PNG, WebP, GIF or BMP.'
    : several
      ? 'Drop images here, or choose files (JPEG, PNG, WebP, GIF, BMP).'
      : 'Drop an image here, or choose a file (JPEG, PNG, WebP, GIF, BMP).';
  const id = useId();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    take(e.dataTransfer.files);
  };
  const take = (list: FileList | null) => {
    const files = [...(list ?? [])];
    if (onFiles) {
      if (files.length) onFiles(files);
    } else if (files[0]) onFile(files[0]);
  };
  return (
    <div
      className={`dropzone ${over ? 'over' : ''} ${compact ? 'compact' : ''}`}
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      data-testid="dropzone"
    >
      <label htmlFor={id} className="dropzone-label">
        <strong>{label}</strong>
        <span className="muted">{hint ? `${hint} ${how}` : how}</span>
      </label>
      <button type="button" className="btn" onClick={() => input.current?.click()}>
        {touch ? (several ? 'Choose photos…' : 'Choose a photo…') : several ? 'Choose images…' : 'Choose image…'}
      </button>
      <input
        id={id}
        ref={input}
        type="file"
        accept="image/*"
        multiple={several}
        className="visually-hidden"
        // The button above is the one control: the input is neither a tab stop nor read out twice.
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          take(e.target.files);
          e.target.value = '';
        }}
      />
    </div>
  );
}
