import { useId, useRef, useState, type DragEvent } from 'react';

interface Props {
  label: string;
  onFile(file: File): void;
  /** Accept several files at once; each is passed to `onFiles` (and `onFile` is not called). */
  onFiles?(files: File[]): void;
  /** Extra text under the label, e.g. what the image is used for. */
  hint?: string;
  compact?: boolean;
}

/** A drop zone that is also a keyboard-accessible file button. */
export function ImagePicker({ label, onFile, onFiles, hint, compact }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
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
        <span className="muted">{hint ?? 'Drop an image here, or choose a file (JPEG, PNG, WebP, GIF, BMP).'}</span>
      </label>
      <button type="button" className="btn" onClick={() => input.current?.click()}>
        {onFiles ? 'Choose images…' : 'Choose image…'}
      </button>
      <input
        id={id}
        ref={input}
        type="file"
        accept="image/*"
        multiple={!!onFiles}
        className="visually-hidden"
        onChange={(e) => {
          take(e.target.files);
          e.target.value = '';
        }}
      />
    </div>
  );
}
