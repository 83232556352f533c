import { useRef, type ReactNode } from 'react';

interface Props {
  children: ReactNode;
  onFiles(files: File[]): void;
  accept?: string;
  /** Pick a whole folder (its files, with their relative paths). */
  directory?: boolean;
  /** Pick several files. */
  multiple?: boolean;
  className?: string;
  disabled?: boolean;
  label?: string;
  testId?: string;
}

/** A button that opens the file picker; the native input stays hidden but reachable for tests. */
export function FileButton({
  children,
  onFiles,
  accept,
  directory,
  multiple,
  className = 'btn',
  disabled,
  label,
  testId,
}: Props) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className={className}
        onClick={() => input.current?.click()}
        disabled={disabled}
        aria-label={label}
      >
        {children}
      </button>
      <input
        ref={input}
        type="file"
        accept={accept}
        multiple={directory || multiple}
        className="visually-hidden"
        // The button is the one control: the input is neither a tab stop nor read out twice.
        tabIndex={-1}
        aria-hidden="true"
        data-testid={testId}
        {...(directory ? { webkitdirectory: '' } : {})}
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          if (files.length) onFiles(files);
          e.target.value = '';
        }}
      />
    </>
  );
}
