import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError, api, send, unwrap } from '../../api/client';
import { saveBlob } from '../../api/files';
import { installmentsQuery, keys, stageCountsQuery } from '../../api/queries';
import { useSignedIn } from '../../auth/session';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loaded, Page, Section } from '../../components/Page';
import { STAGES } from '../../components/Stage';
import { Table } from '../../components/Table';
import { money, When } from '../../components/When';

export function AdminHome() {
  const session = useSignedIn();
  const [extra, setExtra] = useState('');
  const [shown, setShown] = useState<string[]>([]);
  const programs = [...session.programs, ...shown];
  return (
    <Page
      title={session.role === 'ops' ? 'Programs' : 'Programs I run'}
      lead="The pipeline by stage, approvals and exports."
    >
      {session.role === 'ops' && (
        <form
          className="card filters"
          onSubmit={(e) => {
            e.preventDefault();
            if (extra.trim()) setShown((s) => [...new Set([...s, extra.trim()])]);
          }}
        >
          <Field label="Program id">
            {(p) => <input {...p} value={extra} onChange={(e) => setExtra(e.target.value)} />}
          </Field>
          <div className="filter-actions">
            <Button type="submit">Show</Button>
          </div>
        </form>
      )}
      {programs.length === 0 && <p className="state state-empty">Your token names no programs.</p>}
      {programs.map((programId) => (
        <ProgramPanel key={programId} programId={programId} />
      ))}
      <Approvals />
    </Page>
  );
}

function ProgramPanel({ programId }: { programId: string }) {
  const counts = useQuery(stageCountsQuery(programId));
  const queryClient = useQueryClient();
  const [exportError, setExportError] = useState<unknown>(null);
  const [reason, setReason] = useState('');
  const [confirming, setConfirming] = useState(false);
  const declineAll = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/programs/{programId}/decline-pending', {
          params: { path: { programId } },
          headers,
          body: reason ? { reason } : {},
        }),
      ),
    onSuccess: () => {
      setConfirming(false);
      return queryClient.invalidateQueries({ queryKey: ['programs', programId] });
    },
  });
  const exportCsv = async () => {
    setExportError(null);
    try {
      const { data, response } = await api().GET('/programs/{programId}/applications/export', {
        params: { path: { programId } },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw new ApiError(response.status, null);
      saveBlob(data as unknown as Blob, `${programId}-applications.csv`);
    } catch (e) {
      setExportError(e);
    }
  };
  const report = declineAll.data;
  return (
    <Section title={programId} id={`program-${programId}`}>
      <Loaded query={counts} what="the pipeline">
        {(c) => (
          <ul className="counts" aria-label={`${programId}: applications by stage`}>
            {Object.entries(c.counts).map(([stage, n]) => (
              <li key={stage}>
                <Link to="/review" search={{ program: programId, stage }}>
                  {STAGES[stage as keyof typeof STAGES] ?? stage}: <strong>{n}</strong>
                </Link>
              </li>
            ))}
            <li>
              Total: <strong>{c.total}</strong>
            </li>
          </ul>
        )}
      </Loaded>
      <div className="form-actions">
        <Link to="/review" search={{ program: programId, sort: 'rank' }} className="button button-secondary">
          Applicants by rank
        </Link>
        <Button variant="secondary" onClick={() => void exportCsv()}>
          Export applications (CSV)
        </Button>
        <Button variant="danger" onClick={() => setConfirming(true)}>
          Decline everyone still waiting…
        </Button>
      </div>
      <ErrorSummary error={exportError ?? declineAll.error} />
      {confirming && (
        <form
          className="subform"
          onSubmit={(e) => {
            e.preventDefault();
            declineAll.mutate();
          }}
          aria-label={`Decline all pending applicants of ${programId}`}
        >
          <p>
            Every applicant of {programId} still waiting for a decision is declined and told so. This cannot
            be undone.
          </p>
          <Field label="Reason (optional)">
            {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <div className="form-actions">
            <Button type="submit" variant="danger" pending={declineAll.isPending} pendingLabel="Declining…">
              Decline all pending
            </Button>
            <Button variant="secondary" onClick={() => setConfirming(false)}>
              Cancel
            </Button>
          </div>
        </form>
      )}
      {report && (
        <p role="status">
          {'state' in report
            ? 'Still running; the report will be ready shortly.'
            : `Declined ${report.declined.length}, already declined ${report.alreadyDeclined.length}, refused ${report.refused.length}.`}
        </p>
      )}
    </Section>
  );
}

function Approvals() {
  const queryClient = useQueryClient();
  const query = useQuery(installmentsQuery('awaiting-approval'));
  const [reason, setReason] = useState('');
  const decide = useMutation({
    mutationFn: (v: { applicationId: string; number: number; decision: 'approve' | 'decline' }) =>
      send((headers) =>
        api().POST('/applications/{applicationId}/stipend/{number}/approval', {
          params: { path: { applicationId: v.applicationId, number: v.number } },
          headers,
          body: { decision: v.decision, ...(v.decision === 'decline' ? { reason } : {}) },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['installments'] }),
  });
  const bulk = useMutation({
    mutationFn: (programId: string) =>
      unwrap(
        api().POST('/programs/{programId}/stipend-approvals', {
          params: { path: { programId } },
          headers: { 'idempotency-key': crypto.randomUUID() },
          body: { decision: 'approve' },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.installments('awaiting-approval') }),
  });
  return (
    <Section title="Installments awaiting approval">
      <ErrorSummary error={decide.error ?? bulk.error} shown={[]} />
      <Field label="Reason for a decline" hint="Required when you decline an installment">
        {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
      </Field>
      <Loaded
        query={query}
        what="installments"
        isEmpty={(p) => p.items.length === 0}
        empty={<p>Nothing waits for your approval.</p>}
      >
        {(page) => (
          <>
            <div className="form-actions">
              {[...new Set(page.items.map((i) => i.programId))].map((programId) => (
                <Button
                  key={programId}
                  variant="secondary"
                  pending={bulk.isPending && bulk.variables === programId}
                  pendingLabel="Approving…"
                  onClick={() => bulk.mutate(programId)}
                >
                  Approve all of {programId}
                </Button>
              ))}
            </div>
            <Table
              caption="Earned installments waiting for a decision"
              rows={page.items}
              rowKey={(i) => `${i.applicationId}/${i.number}`}
              columns={[
                { label: 'Mentee', header: 'Mentee', cell: (i) => i.menteeId },
                { label: 'Program', header: 'Program', cell: (i) => i.programId },
                {
                  label: 'Installment',
                  header: 'Installment',
                  cell: (i) => `#${i.number} (after evaluation ${i.afterEvaluation})`,
                },
                { label: 'Amount', header: 'Amount', cell: (i) => money(i.amountCents, i.currency) },
                { label: 'Expected', header: 'Expected', cell: (i) => <When at={i.expectedAt} /> },
                {
                  label: 'Decision',
                  header: 'Decision',
                  cell: (i) => {
                    const mine =
                      decide.isPending &&
                      decide.variables?.applicationId === i.applicationId &&
                      decide.variables.number === i.number;
                    return (
                      <div className="form-actions">
                        <Button
                          pending={mine && decide.variables?.decision === 'approve'}
                          disabled={decide.isPending}
                          onClick={() =>
                            decide.mutate({
                              applicationId: i.applicationId,
                              number: i.number,
                              decision: 'approve',
                            })
                          }
                        >
                          Approve
                          <span className="visually-hidden">
                            {' '}
                            {i.menteeId} #{i.number}
                          </span>
                        </Button>
                        <Button
                          variant="danger"
                          pending={mine && decide.variables?.decision === 'decline'}
                          disabled={decide.isPending}
                          onClick={() =>
                            decide.mutate({
                              applicationId: i.applicationId,
                              number: i.number,
                              decision: 'decline',
                            })
                          }
                        >
                          Decline
                          <span className="visually-hidden">
                            {' '}
                            {i.menteeId} #{i.number}
                          </span>
                        </Button>
                      </div>
                    );
                  },
                },
              ]}
            />
          </>
        )}
      </Loaded>
    </Section>
  );
}
