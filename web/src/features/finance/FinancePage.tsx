import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError, api, send } from '../../api/client';
import { saveBlob } from '../../api/files';
import { batchesQuery, keys } from '../../api/queries';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field, FieldSet } from '../../components/Field';
import { Loaded, Page, Section } from '../../components/Page';
import { Badge } from '../../components/Stage';
import { Table } from '../../components/Table';
import { When } from '../../components/When';

export function FinancePage() {
  const queryClient = useQueryClient();
  const batches = useQuery(batchesQuery());
  const [exportError, setExportError] = useState<unknown>(null);
  const refresh = () => queryClient.invalidateQueries({ queryKey: keys.batches() });
  const create = useMutation({
    mutationFn: () => send((headers) => api().POST('/finance/batches', { headers })),
    onSuccess: refresh,
  });
  const markSent = useMutation({
    mutationFn: (batchId: number) =>
      send((headers) =>
        api().POST('/finance/batches/{batchId}/sent', { params: { path: { batchId } }, headers }),
      ),
    onSuccess: refresh,
  });
  const download = async (batchId: number, format: 'csv' | 'json') => {
    setExportError(null);
    try {
      const { data, response } = await api().GET('/finance/batches/{batchId}/export', {
        params: { path: { batchId }, query: { format } },
        parseAs: 'blob',
      });
      if (!response.ok || !data) throw new ApiError(response.status, null);
      saveBlob(data as unknown as Blob, `payout-batch-${batchId}.${format}`);
    } catch (e) {
      setExportError(e);
    }
  };
  return (
    <Page
      title="Payouts"
      lead={
        <>
          Batches of requested payouts: export, send to the bank, record its answer. Failed payments and other
          repairs: <Link to="/attention">Needs attention</Link>.
        </>
      }
      actions={
        <Button pending={create.isPending} pendingLabel="Making the batch…" onClick={() => create.mutate()}>
          New batch of requested payouts
        </Button>
      }
    >
      <ErrorSummary error={create.error ?? markSent.error ?? exportError} />
      <Section title="Batches">
        <Loaded
          query={batches}
          what="payout batches"
          isEmpty={(b) => b.items.length === 0}
          empty={<p>No batches yet.</p>}
        >
          {({ items }) => (
            <Table
              caption="Payout batches, newest first"
              rows={items}
              rowKey={(b) => String(b.id)}
              columns={[
                { label: 'Batch', header: 'Batch', cell: (b) => `#${b.id}` },
                {
                  label: 'Made',
                  header: 'Made',
                  cell: (b) => (
                    <>
                      <When at={b.createdAt} /> by {b.createdBy}
                    </>
                  ),
                },
                { label: 'Payouts', header: 'Payouts', cell: (b) => b.payouts },
                {
                  label: 'Totals',
                  header: 'Totals',
                  cell: (b) =>
                    Object.entries(b.totals)
                      .map(([c, t]) => `${t} ${c}`)
                      .join(', ') || '—',
                },
                {
                  label: 'Sent',
                  header: 'Sent',
                  cell: (b) =>
                    b.sentAt ? (
                      <>
                        <Badge tone="good">Sent</Badge> <When at={b.sentAt} />
                      </>
                    ) : (
                      <Badge tone="warn">Not sent</Badge>
                    ),
                },
                {
                  label: 'Actions',
                  header: 'Actions',
                  cell: (b) => (
                    <div className="form-actions">
                      <Button variant="secondary" onClick={() => void download(b.id, 'csv')}>
                        CSV<span className="visually-hidden"> of batch {b.id}</span>
                      </Button>
                      <Button variant="secondary" onClick={() => void download(b.id, 'json')}>
                        JSON<span className="visually-hidden"> of batch {b.id}</span>
                      </Button>
                      {!b.sentAt && (
                        <Button
                          pending={markSent.isPending && markSent.variables === b.id}
                          pendingLabel="Marking…"
                          onClick={() => markSent.mutate(b.id)}
                        >
                          Mark sent<span className="visually-hidden"> batch {b.id}</span>
                        </Button>
                      )}
                    </div>
                  ),
                },
              ]}
            />
          )}
        </Loaded>
      </Section>
      <BankAnswer />
    </Page>
  );
}

function BankAnswer() {
  const [businessKey, setBusinessKey] = useState('');
  const [state, setState] = useState<'paid' | 'returned'>('paid');
  const [reason, setReason] = useState('');
  const report = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/finance/payouts/report', {
          headers,
          body: { businessKey, state, ...(state === 'returned' && reason ? { reason } : {}) },
        }),
      ),
  });
  const fields = report.error instanceof ApiError ? report.error.fields : {};
  return (
    <Section title="Record the bank's answer">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          report.mutate();
        }}
        noValidate
      >
        <ErrorSummary error={report.error} shown={['businessKey', 'state', 'reason']} />
        <Field
          label="Business key"
          required
          error={fields.businessKey}
          hint="From the batch export, e.g. <application id>/stipend/1"
        >
          {(p) => <input {...p} value={businessKey} onChange={(e) => setBusinessKey(e.target.value)} />}
        </Field>
        <FieldSet legend="The bank" error={fields.state}>
          <div className="choices">
            <label className="choice">
              <input type="radio" name="state" checked={state === 'paid'} onChange={() => setState('paid')} />{' '}
              paid it
            </label>
            <label className="choice">
              <input
                type="radio"
                name="state"
                checked={state === 'returned'}
                onChange={() => setState('returned')}
              />{' '}
              returned it
            </label>
          </div>
        </FieldSet>
        {state === 'returned' && (
          <Field label="Why it was returned" error={fields.reason}>
            {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
        )}
        <Button type="submit" pending={report.isPending} pendingLabel="Recording…">
          Record
        </Button>
        {report.data && <p role="status">Recorded.</p>}
      </form>
    </Section>
  );
}
