import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
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

const route = getRouteApi('/signed-in/admin');

export function AdminHome() {
  const session = useSignedIn();
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const shown = search.programs?.split(',') ?? [];
  const [extra, setExtra] = useState(search.programs ?? '');
  useEffect(() => setExtra(search.programs ?? ''), [search.programs]);
  const programs = [...new Set([...session.programs, ...shown])];
  return (
    <Page
      title={session.role === 'ops' ? 'Programs' : 'Programs I run'}
      lead="The pipeline by stage, approvals and exports. Open a program for its schedule, ranking, conflicts and certificates."
      actions={
        <>
          <Link to="/admin/terms" search={{}} className="button button-secondary">
            Terms
          </Link>
          <Link to="/admin/programs/new" search={{}} className="button button-primary">
            Create a program
          </Link>
        </>
      }
    >
      <form
        className="card filters"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate({ search: { programs: extra.trim() || undefined } });
        }}
      >
        <Field
          label="Show programs"
          hint={
            session.role === 'ops'
              ? 'Program ids, separated by commas'
              : 'Program ids, separated by commas: you see those your token names'
          }
        >
          {(p) => <input {...p} value={extra} onChange={(e) => setExtra(e.target.value)} />}
        </Field>
        <div className="filter-actions">
          <Button type="submit">Show</Button>
        </div>
      </form>
      {programs.length === 0 && (
        <p className="state state-empty">
          Your token names no programs: type a program id above, or{' '}
          <Link to="/admin/programs/new">create one</Link>.
        </p>
      )}
      {programs.map((programId) => (
        <ProgramPanel key={programId} programId={programId} />
      ))}
      <Approvals />
    </Page>
  );
}

function ProgramPanel({ programId }: { programId: string }) {
  const counts = useQuery(stageCountsQuery(programId));
  const [exportError, setExportError] = useState<unknown>(null);
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
  return (
    <Section title={programId} id={`program-${programId}`}>
      <Loaded query={counts} what={`the pipeline of ${programId}`}>
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
        <Link
          to="/admin/programs/$programId"
          params={{ programId }}
          search={{}}
          className="button button-primary"
        >
          Manage<span className="visually-hidden"> {programId}</span>
        </Link>
        <Link to="/review" search={{ program: programId, sort: 'rank' }} className="button button-secondary">
          Applicants by rank<span className="visually-hidden"> of {programId}</span>
        </Link>
        <Button variant="secondary" onClick={() => void exportCsv()}>
          Export applications (CSV)<span className="visually-hidden"> of {programId}</span>
        </Button>
      </div>
      <ErrorSummary error={exportError} />
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
