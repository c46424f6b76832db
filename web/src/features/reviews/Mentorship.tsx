import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { api, type Schemas, send } from '../../api/client';
import { keys } from '../../api/queries';
import type { Session } from '../../auth/session';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Section } from '../../components/Page';
import { Badge } from '../../components/Stage';
import { Table } from '../../components/Table';
import { When } from '../../components/When';

type Status = Schemas['ApplicationStatus'];

/** The onboarding checklist of a selected mentee; the program's admins (and ops) confirm each step. */
export function Onboarding({
  applicationId,
  status,
  session,
  titles,
}: {
  applicationId: string;
  status: Status;
  session: Session;
  titles: Record<string, string>;
}) {
  const queryClient = useQueryClient();
  const confirm = useMutation({
    mutationFn: (stepId: string) =>
      send((headers) =>
        api().POST('/applications/{applicationId}/onboarding/{stepId}/complete', {
          params: { path: { applicationId, stepId } },
          headers,
        }),
      ),
    onSuccess: (answer) => {
      queryClient.setQueryData(keys.application(applicationId), answer.application);
      return queryClient.invalidateQueries({ queryKey: keys.application(applicationId) });
    },
  });
  const staff = session.role === 'admin' || session.role === 'ops';
  const { done, open, deadline } = status.onboarding;
  return (
    <Section title="Onboarding">
      <p className="hint">
        Deadline: <When at={deadline} />
      </p>
      <ErrorSummary error={confirm.error} />
      <ul className="checklist">
        {done.map((id) => (
          <li key={id} className="done">
            <span aria-hidden="true">✓</span> {titles[id] ?? id}
            <span className="visually-hidden"> (done)</span>
          </li>
        ))}
        {open.map((id) => (
          <li key={id} className="open">
            <span aria-hidden="true">○</span> {titles[id] ?? id}{' '}
            {staff && status.stage === 'onboarding' ? (
              <Button
                variant="secondary"
                pending={confirm.isPending && confirm.variables === id}
                pendingLabel="Confirming…"
                disabled={confirm.isPending}
                onClick={() => confirm.mutate(id)}
              >
                Confirm<span className="visually-hidden">: {titles[id] ?? id}</span>
              </Button>
            ) : (
              <span className="visually-hidden"> (to do)</span>
            )}
          </li>
        ))}
      </ul>
    </Section>
  );
}

const EVALUATION_TONE = {
  upcoming: 'plain',
  open: 'info',
  overdue: 'warn',
  passed: 'good',
  failed: 'bad',
  missed: 'bad',
} as const;

/** A mentee's evaluations as their mentor and the program's staff see them; the mentor evaluates from here. */
export function MenteeEvaluations({
  applicationId,
  status,
  session,
}: {
  applicationId: string;
  status: Status;
  session: Session;
}) {
  const mine = session.role === 'mentor' && status.selection?.mentorId === session.userId;
  // the next one to submit: the status is a snapshot of the workflow's last step, so an evaluation whose window
  // opened since may still read "upcoming"; the API refuses one sent before its window opens
  const next = status.evaluations.find((e) => ['upcoming', 'open', 'overdue'].includes(e.state))?.number;
  return (
    <Section title="Evaluations">
      <Table
        caption="The mentor's evaluations of this mentee"
        rows={status.evaluations}
        rowKey={(e) => String(e.number)}
        columns={[
          { label: 'Evaluation', header: 'Evaluation', cell: (e) => `#${e.number}` },
          { label: 'Due', header: 'Due', cell: (e) => <When at={e.dueAt} /> },
          {
            label: 'State',
            header: 'State',
            cell: (e) => <Badge tone={EVALUATION_TONE[e.state]}>{e.state}</Badge>,
          },
          {
            label: 'Action',
            header: 'Action',
            cell: (e) =>
              mine && status.stage === 'active' && e.number === next ? (
                <Link
                  to="/evaluations/$applicationId/$number"
                  params={{ applicationId, number: String(e.number) }}
                >
                  Evaluate<span className="visually-hidden"> (evaluation {e.number})</span>
                </Link>
              ) : e.state === 'upcoming' ? (
                <span className="muted">
                  Opens <When at={e.opensAt} utcBeside={false} />
                </span>
              ) : (
                <span className="muted">—</span>
              ),
          },
        ]}
      />
    </Section>
  );
}
