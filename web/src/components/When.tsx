/** The viewer's own time zone (dates are shown in it, with UTC beside). */
export const viewerTimeZone = Intl.DateTimeFormat().resolvedOptions().timeZone;

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const utc = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** A moment in the viewer's time zone, with UTC beside it. */
export function When({ at, utcBeside = true }: { at: string | null | undefined; utcBeside?: boolean }) {
  if (!at) return <span className="muted">—</span>;
  const date = new Date(at);
  if (Number.isNaN(date.getTime())) return <span>{at}</span>;
  return (
    <time dateTime={date.toISOString()} className="when">
      {local.format(date)}
      {utcBeside && viewerTimeZone !== 'UTC' && <span className="utc"> ({utc.format(date)} UTC)</span>}
    </time>
  );
}

/** A calendar date (no time of day): the same day wherever the viewer is. */
const calendarDay = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
export function Day({ date }: { date: string }) {
  const day = date.slice(0, 10);
  return <time dateTime={day}>{calendarDay.format(new Date(`${day}T00:00:00Z`))}</time>;
}

export function money(cents: number | null | undefined, currency: string) {
  if (cents === null || cents === undefined) return '—';
  return new Intl.NumberFormat(undefined, { style: 'currency', currency }).format(cents / 100);
}
