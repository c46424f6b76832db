import type { UseQueryResult } from '@tanstack/react-query';
import { type ReactNode, useEffect } from 'react';
import { ApiError } from '../api/client';
import { Button } from './Button';

/** A page: its title (also the document's), optional actions, and its content. */
export function Page({
  title,
  lead,
  actions,
  children,
}: {
  title: string;
  lead?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
}) {
  useEffect(() => {
    document.title = `${title} · Mentorship console`;
  }, [title]);
  return (
    <>
      <div className="page-head">
        <div>
          <h1>{title}</h1>
          {lead && <p className="lead">{lead}</p>}
        </div>
        {actions && <div className="page-actions">{actions}</div>}
      </div>
      {children}
    </>
  );
}

/** A query's loading, error and empty states, then its data. */
export function Loaded<T>({
  query,
  what,
  isEmpty,
  empty,
  children,
}: {
  query: UseQueryResult<T>;
  /** What is loading, e.g. "programs". */
  what: string;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  children: (data: T) => ReactNode;
}) {
  if (query.isPending) {
    return (
      <p className="state state-loading" role="status">
        <span className="spinner" aria-hidden="true" /> Loading {what}…
      </p>
    );
  }
  if (query.isError) return <LoadError error={query.error} what={what} retry={() => void query.refetch()} />;
  if (isEmpty?.(query.data)) return <div className="state state-empty">{empty ?? <p>No {what} yet.</p>}</div>;
  return (
    <>
      {query.isFetching && !query.isPending && (
        <p className="visually-hidden" role="status">
          Updating {what}
        </p>
      )}
      {children(query.data)}
    </>
  );
}

export function LoadError({ error, what, retry }: { error: unknown; what: string; retry?: () => void }) {
  const problem = error instanceof ApiError ? error.problem : null;
  return (
    <div className="state state-error" role="alert">
      <p>
        <strong>Could not load {what}.</strong> {problem?.detail ?? (error as Error).message}
      </p>
      {retry && (
        <Button variant="secondary" onClick={retry}>
          Try again
        </Button>
      )}
    </div>
  );
}

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }) {
  return (
    <section className="card" aria-labelledby={id ?? slug(title)}>
      <h2 id={id ?? slug(title)}>{title}</h2>
      {children}
    </section>
  );
}

const slug = (text: string) => `s-${text.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
