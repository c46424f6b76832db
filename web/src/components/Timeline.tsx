import type { ReactNode } from 'react';
import { When } from './When';

export interface TimelineEvent {
  key: string;
  at: string | null;
  title: ReactNode;
  detail?: ReactNode;
  state?: 'done' | 'current' | 'upcoming' | 'failed';
}

const STATE_LABEL = { done: 'Done', current: 'Now', upcoming: 'Upcoming', failed: 'Did not happen' };

/** Events in order, each with its time (viewer's zone, UTC beside) and whether it is past, now or ahead. */
export function Timeline({ events, label }: { events: TimelineEvent[]; label: string }) {
  return (
    <ol className="timeline" aria-label={label}>
      {events.map((e) => (
        <li key={e.key} className={`timeline-item timeline-${e.state ?? 'done'}`}>
          <span className="visually-hidden">{STATE_LABEL[e.state ?? 'done']}: </span>
          <div className="timeline-title">{e.title}</div>
          <div className="timeline-when">
            <When at={e.at} />
          </div>
          {e.detail && <div className="timeline-detail">{e.detail}</div>}
        </li>
      ))}
    </ol>
  );
}
