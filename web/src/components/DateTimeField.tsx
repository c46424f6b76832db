import type { ReactNode } from 'react';
import { Field } from './Field';
import { viewerTimeZone, When } from './When';

/** An ISO instant as a `datetime-local` value in the viewer's zone ('' when empty or invalid). */
export function toLocalInput(iso: string | null | undefined): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const local = new Date(date.getTime() - date.getTimezoneOffset() * 60_000);
  return local.toISOString().slice(0, 16);
}

/** A `datetime-local` value (the viewer's zone) as an ISO instant in UTC; '' when empty or invalid. */
export function fromLocalInput(value: string): string {
  if (!value) return '';
  const date = new Date(value);
  return Number.isNaN(date.getTime()) ? '' : date.toISOString();
}

/**
 * A moment typed in the viewer's own time zone; the instant it stands for is shown beside it in UTC, and the value
 * handed back is that ISO instant (what the API takes).
 */
export function DateTimeField({
  label,
  value,
  onChange,
  error,
  required,
  hint,
}: {
  label: ReactNode;
  /** ISO instant, or '' */
  value: string;
  onChange: (iso: string) => void;
  error?: string | undefined;
  required?: boolean;
  hint?: ReactNode;
}) {
  return (
    <Field
      label={label}
      error={error}
      required={required}
      hint={
        <>
          {hint ? <>{hint} </> : null}
          Your time ({viewerTimeZone})
          {value ? (
            <>
              : <When at={value} />
            </>
          ) : null}
        </>
      }
    >
      {(p) => (
        <input
          {...p}
          type="datetime-local"
          value={toLocalInput(value)}
          onChange={(e) => onChange(fromLocalInput(e.target.value))}
        />
      )}
    </Field>
  );
}
