import { useEffect, useRef } from 'react';
import { ApiError } from '../api/client';

/**
 * What a refused request said: the problem's detail, and each field error the form does not show beside a field
 * (`shown` lists the paths it does). Focused when it appears, so keyboard and screen reader users hear it.
 */
export function ErrorSummary({ error, shown = [] }: { error: unknown; shown?: string[] }) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (error) ref.current?.focus();
  }, [error]);
  if (!error) return null;
  const problem = error instanceof ApiError ? error.problem : null;
  const others = (problem?.errors ?? []).filter((e) => !shown.includes(e.path));
  const fieldCount = (problem?.errors?.length ?? 0) - others.length;
  return (
    <div className="error-summary" role="alert" tabIndex={-1} ref={ref}>
      <p>
        {fieldCount > 0 ? (
          <strong>
            Please check the form: {fieldCount === 1 ? 'one field needs' : `${fieldCount} fields need`}{' '}
            attention.
          </strong>
        ) : (
          <>
            <strong>{problem?.title ?? 'Something went wrong'}:</strong> {(error as Error).message}
          </>
        )}
      </p>
      {others.length > 0 && (
        <ul>
          {others.map((e) => (
            <li key={e.path}>
              {e.path ? <code>{e.path}</code> : null} {e.message}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
