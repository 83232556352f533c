import { useId, useRef, useState, type DragEvent } from 'react';

interface Props {
  label: string;
  onFile(file: File): void;
  /** Extra text under the label, e.g. what the image is used for. */
  hint?: string;
  compact?: boolean;
}

/** A drop zone that is also a keyboard-accessible file button. */
export function ImagePicker({ label, onFile, hint, compact }: Props) {
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);
  const id = useId();
  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    const file = e.dataTransfer.files[0];
    if (file) onFile(file);
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
        Choose image…
      </button>
      <input
        id={id}
        ref={input}
        type="file"
        accept="image/*"
        className="visually-hidden"
        onChange={(e) => {
          const file = e.target.files?.[0];
          if (file) onFile(file);
          e.target.value = '';
        }}
      />
    </div>
  );
}
