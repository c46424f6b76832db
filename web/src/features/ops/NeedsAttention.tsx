import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type ReactNode, useEffect, useRef, useState } from 'react';
import { ApiError, api, send, unwrap } from '../../api/client';
import { installmentsQuery } from '../../api/queries';
import { useSignedIn } from '../../auth/session';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { LoadError, Page, Section } from '../../components/Page';
import { Badge, Stage } from '../../components/Stage';
import { Table } from '../../components/Table';
import { money, When } from '../../components/When';
import { WorkflowLink } from '../../components/WorkflowLink';
import { ATTENTION_KINDS, type AttentionSearch } from '../../router';

const route = getRouteApi('/signed-in/attention');

type Kind = (typeof ATTENTION_KINDS)[number];
const KIND_LABELS: Record<Kind, string> = {
  'payment-failed': 'Payment failed',
  'approval-overdue': 'Approval overdue',
  'evaluation-overdue': 'Evaluation overdue',
};
const FIX: Record<Kind, string> = {
  'payment-failed': "Fix the payee's details with the mentee, then retry the payment",
  'approval-overdue': 'Ask the program admin to approve or decline it',
  'evaluation-overdue': 'Nudge the mentor; to give more time, extend the mentee',
};

const DAY = 86_400_000;
/** The program setting's default (stipendApproval.alertOpsAfterDays): then the workflow flags it for ops. */
const APPROVAL_ALERT_DAYS = 7;

interface Item {
  key: string;
  kind: Kind;
  applicationId: string;
  programId: string;
  menteeId: string;
  what: ReactNode;
  since: string | null;
}

/**
 * The mentees whose workflow flags NeedsAttention, as far as the API lists them: failed payments and overdue
 * approvals from the installments, overdue evaluations from the evaluations due. Each with the runbook's repairs.
 */
export function NeedsAttention() {
  const session = useSignedIn();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const [draft, setDraft] = useState<AttentionSearch>(search);
  useEffect(() => setDraft(search), [search]);
  const programId = search.program;
  const pending = useQuery(installmentsQuery('pending', programId));
  const approvals = useQuery(installmentsQuery('awaiting-approval', programId));
  const overdue = useQuery({
    queryKey: ['evaluations', 'overdue', programId ?? null],
    queryFn: ({ signal }) =>
      unwrap(
        api().GET('/evaluations/due', {
          params: {
            query: {
              from: new Date(Date.now() - 365 * DAY).toISOString(),
              to: new Date().toISOString(),
              limit: 200,
              ...(programId ? { programId } : {}),
            },
          },
          signal,
        }),
      ),
  });
  const now = Date.now();
  const items: Item[] = [
    ...(pending.data?.items ?? [])
      .filter((i) => i.state === 'payment-failed' || i.state === 'rejected')
      .map((i) => ({
        key: `pay/${i.applicationId}/${i.number}`,
        kind: 'payment-failed' as const,
        applicationId: i.applicationId,
        programId: i.programId,
        menteeId: i.menteeId,
        what: (
          <>
            Installment #{i.number} ({money(i.amountCents, i.currency)}): {i.state}
          </>
        ),
        since: i.expectedAt,
      })),
    ...(approvals.data?.items ?? [])
      .filter((i) => i.expectedAt && Date.parse(i.expectedAt) < now - APPROVAL_ALERT_DAYS * DAY)
      .map((i) => ({
        key: `approval/${i.applicationId}/${i.number}`,
        kind: 'approval-overdue' as const,
        applicationId: i.applicationId,
        programId: i.programId,
        menteeId: i.menteeId,
        what: (
          <>
            Installment #{i.number} ({money(i.amountCents, i.currency)}) waits for the admin
          </>
        ),
        since: i.expectedAt,
      })),
    ...(overdue.data?.items ?? []).map((e) => ({
      key: `evaluation/${e.applicationId}/${e.number}`,
      kind: 'evaluation-overdue' as const,
      applicationId: e.applicationId,
      programId: e.programId,
      menteeId: e.menteeId,
      what: (
        <>
          Evaluation {e.number} by {e.mentorId ?? 'the mentor'}
        </>
      ),
      since: e.dueAt,
    })),
  ].filter((i) => !search.kind || i.kind === search.kind);
  const queries = [pending, approvals, overdue];
  const loading = queries.some((q) => q.isPending);
  const failed = queries.find((q) => q.isError);
  return (
    <Page
      title="Needs attention"
      lead="Mentees whose workflow waits on people: failed payments, overdue approvals and evaluations, with the runbook's repairs and a link to each workflow in the Temporal UI."
    >
      <form
        className="card filters"
        aria-label="Filter who needs attention"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate({
            search: { program: draft.program?.trim() || undefined, kind: draft.kind, app: search.app },
          });
        }}
      >
        <Field
          label="Program id"
          hint={session.role === 'admin' ? 'Empty: every program you run' : 'Empty: every program'}
        >
          {(p) => (
            <input
              {...p}
              value={draft.program ?? ''}
              onChange={(e) => setDraft({ ...draft, program: e.target.value })}
            />
          )}
        </Field>
        <Field label="Why">
          {(p) => (
            <select
              {...p}
              value={draft.kind ?? ''}
              onChange={(e) =>
                setDraft({ ...draft, kind: (e.target.value || undefined) as Kind | undefined })
              }
            >
              <option value="">Every reason</option>
              {ATTENTION_KINDS.map((k) => (
                <option key={k} value={k}>
                  {KIND_LABELS[k]}
                </option>
              ))}
            </select>
          )}
        </Field>
        <div className="filter-actions">
          <Button type="submit">Filter</Button>
          {(search.program || search.kind) && (
            <Link to="/attention" search={{ app: search.app }} className="button button-secondary">
              Clear
            </Link>
          )}
        </div>
      </form>
      {search.app && <Repairs applicationId={search.app} />}
      <Section title="Who needs attention">
        {loading ? (
          <p className="state state-loading" role="status">
            <span className="spinner" aria-hidden="true" /> Loading who needs attention…
          </p>
        ) : failed ? (
          <LoadError
            error={failed.error}
            what="who needs attention"
            retry={() => queries.forEach((q) => void q.refetch())}
          />
        ) : items.length === 0 ? (
          <div className="state state-empty">
            <p>
              Nobody needs attention{search.kind ? ` for “${KIND_LABELS[search.kind]}”` : ''}
              {programId ? ` in ${programId}` : ''}.
            </p>
          </div>
        ) : (
          <Table
            caption={`${items.length} ${items.length === 1 ? 'item' : 'items'}, oldest first`}
            rows={items.sort((a, b) => (a.since ?? '').localeCompare(b.since ?? ''))}
            rowKey={(i) => i.key}
            columns={[
              {
                label: 'Why',
                header: 'Why',
                cell: (i) => (
                  <Badge tone={i.kind === 'payment-failed' ? 'bad' : 'warn'}>{KIND_LABELS[i.kind]}</Badge>
                ),
              },
              { label: 'Mentee', header: 'Mentee', cell: (i) => i.menteeId },
              { label: 'Program', header: 'Program', cell: (i) => i.programId },
              { label: 'What', header: 'What', cell: (i) => i.what },
              { label: 'Due', header: 'Due', cell: (i) => <When at={i.since} /> },
              { label: 'Fix', header: 'Fix', cell: (i) => <span className="hint">{FIX[i.kind]}</span> },
              {
                label: 'Act',
                header: 'Act',
                cell: (i) => (
                  <div className="form-actions">
                    <Link
                      to="/attention"
                      search={{ ...search, app: i.applicationId }}
                      className="button button-secondary"
                      aria-current={search.app === i.applicationId ? 'true' : undefined}
                    >
                      Repair<span className="visually-hidden"> {i.menteeId}</span>
                    </Link>
                    <WorkflowLink applicationId={i.applicationId} />
                  </div>
                ),
              },
            ]}
          />
        )}
        <p className="hint">
          Refused emails (NeedsAttention <code>email-refused</code>) are not listed by the API:{' '}
          <code>npm run ops -- refused-emails</code> lists them; resend one from the repairs of its
          application.
        </p>
      </Section>
      <Section title="Repair another application">
        <RepairLookup current={search.app} onOpen={(app) => void navigate({ search: { ...search, app } })} />
      </Section>
    </Page>
  );
}

function RepairLookup({ current, onOpen }: { current?: string | undefined; onOpen: (app: string) => void }) {
  const [id, setId] = useState(current ?? '');
  return (
    <form
      onSubmit={(e) => {
        e.preventDefault();
        if (id.trim()) onOpen(id.trim());
      }}
    >
      <Field label="Application id" hint="e.g. from an email, the CSV export or the Temporal UI">
        {(p) => (
          <input
            {...p}
            style={{ maxWidth: '28rem' }}
            spellCheck={false}
            value={id}
            onChange={(e) => setId(e.target.value)}
          />
        )}
      </Field>
      <Button type="submit">Open its repairs</Button>
    </form>
  );
}

/** The runbook's repairs of one application (`/admin/applications/{id}/...`), each safe to repeat. */
function Repairs({ applicationId }: { applicationId: string }) {
  const queryClient = useQueryClient();
  const search = route.useSearch();
  const done = () => queryClient.invalidateQueries({ queryKey: ['installments'] });
  const path = { params: { path: { applicationId } } };
  const retry = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/admin/applications/{applicationId}/retry-payment', { ...path, headers }),
      ),
    onSuccess: done,
  });
  const [days, setDays] = useState('7');
  const [extendReason, setExtendReason] = useState('');
  const extend = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/admin/applications/{applicationId}/extensions', {
          ...path,
          headers,
          body: { days: Number(days), reason: extendReason.trim() },
        }),
      ),
    onSuccess: done,
  });
  const [terminateReason, setTerminateReason] = useState('');
  const [confirmTerminate, setConfirmTerminate] = useState(false);
  const terminate = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/admin/applications/{applicationId}/terminate', {
          ...path,
          headers,
          body: { reason: terminateReason.trim() },
        }),
      ),
    onSuccess: () => {
      setConfirmTerminate(false);
      return done();
    },
  });
  const [email, setEmail] = useState('letter-of-completion');
  const [to, setTo] = useState<'' | 'mentee' | 'mentor' | 'admin'>('');
  const [requestId, setRequestId] = useState(() => `resend-${new Date().toISOString().slice(0, 10)}`);
  const resend = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/admin/applications/{applicationId}/emails/{email}/resend', {
          params: { path: { applicationId, email: email.trim() } },
          headers,
          body: { ...(to ? { to } : {}), ...(requestId.trim() ? { requestId: requestId.trim() } : {}) },
        }),
      ),
  });
  const f = (e: unknown) => (e instanceof ApiError ? e.fields : {});
  // opened from a row further down: the keyboard (and the screen reader) land on the repairs
  const heading = useRef<HTMLHeadingElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: again whenever another application is opened
  useEffect(() => {
    heading.current?.focus();
    heading.current?.scrollIntoView({ block: 'start' });
  }, [applicationId]);
  const application = useQuery({
    queryKey: ['applications', applicationId],
    queryFn: ({ signal }) =>
      unwrap(api().GET('/applications/{applicationId}', { params: { path: { applicationId } }, signal })),
    retry: false,
  });
  return (
    <section className="card" aria-labelledby="repairs-title">
      <div className="page-head">
        <h2 id="repairs-title" ref={heading} tabIndex={-1}>
          Repairs for {application.data?.menteeId ?? applicationId}
        </h2>
        <Link to="/attention" search={{ ...search, app: undefined }} className="button button-secondary">
          Close repairs
        </Link>
      </div>
      <p>
        Application <code>{applicationId}</code>
        {application.data && (
          <>
            {' '}
            of {application.data.programId}, <Stage stage={application.data.stage} />
            {application.data.next?.what && (
              <>
                ; next: {application.data.next.what} <When at={application.data.next.deadline} />
              </>
            )}
          </>
        )}
        . <WorkflowLink applicationId={applicationId} label="Open its workflow in the Temporal UI" />
      </p>
      {application.isError && (
        <LoadError
          error={application.error}
          what="the application"
          retry={() => void application.refetch()}
        />
      )}
      <div className="grid-2 repairs">
        <form
          className="subform"
          aria-labelledby="repair-retry"
          onSubmit={(e) => {
            e.preventDefault();
            retry.mutate();
          }}
        >
          <h3 id="repair-retry">Retry the payment</h3>
          <p className="hint">After the payee's details are fixed. Pays once, whatever the retries.</p>
          <ErrorSummary error={retry.error} />
          <Button type="submit" pending={retry.isPending} pendingLabel="Paying… (up to 10 seconds)">
            Retry payment
          </Button>
          {retry.data && (
            <p role="status">
              {retry.data.outcome === 'paid' &&
                `Paid installment #${retry.data.installment} (reference ${retry.data.reference}).`}
              {retry.data.outcome === 'rejected' &&
                `Rejected again: ${retry.data.reason ?? 'no reason given'}.`}
              {retry.data.outcome === 'pending' &&
                'Sent; the provider has not answered yet. Look again shortly.'}
              {retry.data.outcome === 'nothing-to-retry' && 'Nothing to retry: no installment failed.'}
              {retry.data.duplicate && ' (already done)'}
            </p>
          )}
        </form>
        <form
          className="subform"
          aria-labelledby="repair-extend"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            extend.mutate();
          }}
        >
          <h3 id="repair-extend">Extend the term</h3>
          <ErrorSummary error={extend.error} shown={['days', 'reason']} />
          <Field label="Days" required error={f(extend.error).days}>
            {(p) => (
              <input {...p} inputMode="numeric" value={days} onChange={(e) => setDays(e.target.value)} />
            )}
          </Field>
          <Field label="Reason for the extension" required error={f(extend.error).reason}>
            {(p) => <input {...p} value={extendReason} onChange={(e) => setExtendReason(e.target.value)} />}
          </Field>
          <Button type="submit" pending={extend.isPending} pendingLabel="Extending…">
            Extend
          </Button>
          {extend.data && (
            <p role="status">
              Extended by {extend.data.extensionDays} days in all; the term now ends{' '}
              <When at={extend.data.termEndsAt} />
              {extend.data.duplicate && ' (this request was already done)'}.
            </p>
          )}
        </form>
        <form
          className="subform"
          aria-labelledby="repair-resend"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            resend.mutate();
          }}
        >
          <h3 id="repair-resend">Send an email again</h3>
          <ErrorSummary error={resend.error} shown={['email', 'to', 'requestId']} />
          <Field
            label="Email"
            hint="Its kind, e.g. letter-of-completion, or its idempotency key"
            error={f(resend.error).email}
          >
            {(p) => <input {...p} value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
          <Field label="To" hint="When the kind went to several" error={f(resend.error).to}>
            {(p) => (
              <select {...p} value={to} onChange={(e) => setTo(e.target.value as typeof to)}>
                <option value="">Whoever it went to</option>
                <option value="mentee">The mentee</option>
                <option value="mentor">The mentor</option>
                <option value="admin">The admin</option>
              </select>
            )}
          </Field>
          <Field label="Request id" hint="Sent at most once per request id" error={f(resend.error).requestId}>
            {(p) => <input {...p} value={requestId} onChange={(e) => setRequestId(e.target.value)} />}
          </Field>
          <Button type="submit" pending={resend.isPending} pendingLabel="Sending…">
            Send again
          </Button>
          {resend.data && (
            <p role="status">
              {resend.data.kind} to the {resend.data.to}: {resend.data.state}
              {resend.data.refusedReason ? ` (${resend.data.refusedReason})` : ''}
              {resend.data.duplicate && ' (already sent for this request)'}.
            </p>
          )}
        </form>
        <form
          className="subform"
          aria-labelledby="repair-terminate"
          noValidate
          onSubmit={(e) => {
            e.preventDefault();
            if (confirmTerminate) terminate.mutate();
            else setConfirmTerminate(true);
          }}
        >
          <h3 id="repair-terminate">End the mentorship</h3>
          <ErrorSummary error={terminate.error} shown={['reason']} />
          <Field label="Reason for ending it" required error={f(terminate.error).reason}>
            {(p) => (
              <input {...p} value={terminateReason} onChange={(e) => setTerminateReason(e.target.value)} />
            )}
          </Field>
          {confirmTerminate && (
            <p role="alert">The mentee is told and their mentorship ends. Press again to confirm.</p>
          )}
          <div className="form-actions">
            <Button type="submit" variant="danger" pending={terminate.isPending} pendingLabel="Ending…">
              {confirmTerminate ? 'Yes, terminate' : 'Terminate…'}
            </Button>
            {confirmTerminate && (
              <Button variant="secondary" onClick={() => setConfirmTerminate(false)}>
                Cancel
              </Button>
            )}
          </div>
          {terminate.data && (
            <p role="status">
              Terminated (stage {terminate.data.stage}){terminate.data.duplicate && ', as it already was'}.
            </p>
          )}
        </form>
      </div>
    </section>
  );
}
