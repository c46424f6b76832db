import { useMutation } from '@tanstack/react-query';
import { useState } from 'react';
import { api, type Schemas, send, unwrap } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Page, Section } from '../../components/Page';
import { When } from '../../components/When';

export function CalendarPage() {
  const [feed, setFeed] = useState<Schemas['CalendarFeed'] | null>(null);
  const [revoked, setRevoked] = useState(false);
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    mutationFn: () => send((headers) => api().POST('/me/calendar', { headers })),
    onSuccess: (answer) => {
      setFeed(answer);
      setRevoked(false);
      setCopied(false);
    },
  });
  const revoke = useMutation({
    mutationFn: () => unwrap(api().DELETE('/me/calendar')),
    onSuccess: () => {
      setFeed(null);
      setRevoked(true);
    },
  });
  const webcal = feed?.url.replace(/^https?:/, 'webcal:');
  return (
    <Page title="Calendar" lead="Your deadlines (reviews, evaluations, payments) in your own calendar app.">
      <Section title="Subscribe">
        <p>
          The address is private: anyone who has it sees your deadlines. Making a new one stops the old one,
          and you can revoke it at any time.
        </p>
        <ErrorSummary error={create.error ?? revoke.error} />
        {feed && (
          <div className="feed">
            <label htmlFor="feed-url">Your calendar address</label>
            <div className="copy-row">
              <input id="feed-url" readOnly value={feed.url} onFocus={(e) => e.currentTarget.select()} />
              <Button
                variant="secondary"
                onClick={async () => {
                  await navigator.clipboard.writeText(feed.url);
                  setCopied(true);
                }}
              >
                Copy
              </Button>
            </div>
            <p role="status">{copied ? 'Copied.' : ''}</p>
            <p>
              <a href={webcal}>Open in your calendar app</a> · made{' '}
              <When at={feed.createdAt} utcBeside={false} />
              {feed.replacedEarlier ? ' (the earlier address no longer works)' : ''}
            </p>
          </div>
        )}
        {revoked && <p role="status">Revoked: the address answers nothing from now on.</p>}
        <div className="form-actions">
          <Button
            pending={create.isPending}
            pendingLabel="Making the address…"
            onClick={() => create.mutate()}
          >
            {feed ? 'Make a new address' : 'Get my calendar address'}
          </Button>
          <Button
            variant="danger"
            pending={revoke.isPending}
            pendingLabel="Revoking…"
            onClick={() => revoke.mutate()}
          >
            Revoke my calendar address
          </Button>
        </div>
      </Section>
    </Page>
  );
}
