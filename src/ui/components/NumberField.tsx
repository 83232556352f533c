import { useState, type ReactNode } from 'react';

/** A number input that keeps what is being typed and reports only valid values. */
export function NumberField({
  label,
  value,
  onChange,
  step = 'any',
  min,
  max,
  hint,
  testId,
}: {
  label: ReactNode;
  value: number;
  onChange(v: number): void;
  step?: number | 'any';
  min?: number;
  max?: number;
  hint?: string;
  testId?: string;
}) {
  const [text, setText] = useState(String(value));
  const [prev, setPrev] = useState(value);
  if (prev !== value) {
    setPrev(value);
    setText(String(value));
  }
  const n = Number(text);
  const invalid =
    text.trim() === '' || !Number.isFinite(n) || (min !== undefined && n < min) || (max !== undefined && n > max);
  return (
    <label className="field">
      <span>{label}</span>
      <input
        type="number"
        inputMode="decimal"
        value={text}
        step={step}
        min={min}
        max={max}
        aria-invalid={invalid}
        data-testid={testId}
        onChange={(e) => {
          setText(e.target.value);
          const v = Number(e.target.value);
          if (
            e.target.value.trim() !== '' &&
            Number.isFinite(v) &&
            (min === undefined || v >= min) &&
            (max === undefined || v <= max)
          )
            onChange(v);
        }}
      />
      {hint && <small className="muted">{hint}</small>}
    </label>
  );
}
