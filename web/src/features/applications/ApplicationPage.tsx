import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { type FormEvent, useState } from 'react';
import { ApiError, api, apiUrl, type Schemas, send } from '../../api/client';
import { titles as titlesOf } from '../../api/program';
import {
  applicationQuery,
  contentQuery,
  keys,
  programQuery,
  stipendQuery,
  tasksQuery,
} from '../../api/queries';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field, FieldSet } from '../../components/Field';
import { LoadError, Loaded, Page, Section } from '../../components/Page';
import { Badge, Stage } from '../../components/Stage';
import { Table } from '../../components/Table';
import { Timeline } from '../../components/Timeline';
import { money, When } from '../../components/When';
import { Contributions, Tasks } from './Tasks';
import { applicationTimeline } from './timeline';

const route = getRouteApi('/signed-in/applications/$applicationId');
type Status = Schemas['ApplicationStatus'];

const OPEN_STAGES = ['in_review', 'awaiting_selection', 'onboarding', 'active'];

/** Refreshes everything shown about an application after one of its messages was answered. */
export function useRefresh(applicationId: string) {
  const queryClient = useQueryClient();
  return (status?: Status) => {
    if (status) queryClient.setQueryData(keys.application(applicationId), status);
    return queryClient.invalidateQueries({ queryKey: keys.application(applicationId) });
  };
}

export function ApplicationPage() {
  const { applicationId } = route.useParams();
  const status = useQuery(applicationQuery(applicationId));
  const program = useQuery({ ...programQuery(status.data?.programId ?? ''), enabled: Boolean(status.data) });
  const content = useQuery({ ...contentQuery(applicationId), enabled: Boolean(status.data?.form) });
  const tasks = useQuery({ ...tasksQuery(applicationId), enabled: Boolean(status.data) });
  if (status.isError)
    return <LoadError error={status.error} what="the application" retry={() => void status.refetch()} />;
  const titles = titlesOf(program.data?.definition);
  return (
    <Page
      title={program.data ? `${program.data.name}: ${program.data.term}` : 'Application'}
      lead={status.data && <Stage stage={status.data.stage} />}
    >
      <Loaded query={status} what="the application">
        {(s) => (
          <div className="columns">
            <div className="stack">
              <NextStep status={s} />
              {s.form && <FormState applicationId={applicationId} status={s} />}
              {(s.stage === 'in_review' || (s.tasks ?? []).length > 0 || s.prerequisites.open.length > 0) && (
                <Tasks applicationId={applicationId} open={s.stage === 'in_review'} />
              )}
              {s.stage === 'in_review' && (
                <Contributions
                  applicationId={applicationId}
                  projects={program.data?.definition.projects ?? []}
                />
              )}
              {s.selection && <Selection status={s} />}
              {['onboarding', 'active', 'completed', 'offer_lapsed'].includes(s.stage) && (
                <Checklist
                  title="Onboarding"
                  done={s.onboarding.done}
                  open={s.onboarding.open}
                  titles={titles}
                  note={
                    <>
                      The program's admins confirm each step. Deadline: <When at={s.onboarding.deadline} />
                    </>
                  }
                />
              )}
              {['active', 'completed', 'terminated'].includes(s.stage) && (
                <Participation applicationId={applicationId} status={s} titles={titles} />
              )}
              {s.evaluations.length > 0 && ['active', 'completed', 'terminated'].includes(s.stage) && (
                <Evaluations applicationId={applicationId} status={s} />
              )}
              {s.stipend.length > 0 &&
                ['active', 'completed', 'terminated', 'withdrawn'].includes(s.stage) && (
                  <Stipend applicationId={applicationId} />
                )}
              {['active', 'completed'].includes(s.stage) && !s.feedbackSubmitted && (
                <Survey applicationId={applicationId} />
              )}
              {s.certificateCode && <Certificate code={s.certificateCode} />}
              {OPEN_STAGES.includes(s.stage) && <Withdraw applicationId={applicationId} />}
            </div>
            <div className="stack">
              <Section title="Timeline">
                <Timeline
                  label="What happened and what comes next"
                  events={applicationTimeline(s, titles, {
                    submittedAt: content.data?.submittedAt,
                    tasks: tasks.data?.tasks,
                  })}
                />
              </Section>
            </div>
          </div>
        )}
      </Loaded>
    </Page>
  );
}

function NextStep({ status }: { status: Status }) {
  if (!status.next && !status.outcomeReason) return null;
  return (
    <section className="card next-step" aria-labelledby="next-step">
      <h2 id="next-step">{status.next ? 'Your next step' : 'Outcome'}</h2>
      {status.next && (
        <p>
          {status.next.what}
          {status.next.deadline && (
            <>
              {' '}
              — by <When at={status.next.deadline} />
            </>
          )}
        </p>
      )}
      {status.outcomeReason && <p>{status.outcomeReason}</p>}
    </section>
  );
}

function FormState({ applicationId, status }: { applicationId: string; status: Status }) {
  const content = useQuery(contentQuery(applicationId));
  const draft = status.form?.state === 'draft';
  return (
    <Section title="Your application">
      <p>
        {draft ? <Badge tone="warn">Draft</Badge> : <Badge tone="good">Submitted</Badge>}{' '}
        {content.data?.submittedAt ? (
          <>
            on <When at={content.data.submittedAt} />
          </>
        ) : (
          'not submitted yet: mentors read it once you submit it'
        )}
      </p>
      {draft && status.stage === 'in_review' && (
        <Link
          to="/programs/$programId/apply"
          params={{ programId: status.programId }}
          className="button button-primary"
        >
          Continue the application
        </Link>
      )}
    </Section>
  );
}

function Selection({ status }: { status: Status }) {
  const s = status.selection!;
  const announced = !status.announcement || status.announcement.announced;
  return (
    <Section title="Selection">
      {announced ? (
        <p>
          Selected for <strong>{s.projectTitle}</strong> with mentor <strong>{s.mentorId}</strong> on{' '}
          <When at={s.decidedAt} />.
        </p>
      ) : (
        <p>
          The result is announced <When at={status.announcement!.at} />.
        </p>
      )}
    </Section>
  );
}

function Checklist({
  title,
  done,
  open,
  titles,
  note,
}: {
  title: string;
  done: string[];
  open: string[];
  titles: Record<string, string>;
  note?: React.ReactNode;
}) {
  return (
    <Section title={title}>
      {note && <p className="hint">{note}</p>}
      <ul className="checklist">
        {[...done.map((id) => ({ id, done: true })), ...open.map((id) => ({ id, done: false }))].map(
          (item) => (
            <li key={item.id} className={item.done ? 'done' : 'open'}>
              <span aria-hidden="true">{item.done ? '✓' : '○'}</span> {titles[item.id] ?? item.id}
              <span className="visually-hidden">{item.done ? ' (done)' : ' (to do)'}</span>
            </li>
          ),
        )}
      </ul>
    </Section>
  );
}

function Participation({
  applicationId,
  status,
  titles,
}: {
  applicationId: string;
  status: Status;
  titles: Record<string, string>;
}) {
  const refresh = useRefresh(applicationId);
  const complete = useMutation({
    mutationFn: (itemId: string) =>
      send((headers) =>
        api().POST('/applications/{applicationId}/progress/{itemId}/complete', {
          params: { path: { applicationId, itemId } },
          headers,
        }),
      ),
    onSuccess: (answer) => refresh(answer.application),
  });
  return (
    <Section title="Project work">
      <ErrorSummary error={complete.error} />
      <ul className="checklist">
        {status.participation.done.map((id) => (
          <li key={id} className="done">
            <span aria-hidden="true">✓</span> {titles[id] ?? id}
            <span className="visually-hidden"> (done)</span>
          </li>
        ))}
        {status.participation.open.map((id) => (
          <li key={id} className="open">
            <span aria-hidden="true">○</span> {titles[id] ?? id}{' '}
            {status.stage === 'active' && (
              <Button
                variant="secondary"
                pending={complete.isPending && complete.variables === id}
                pendingLabel="Saving…"
                onClick={() => complete.mutate(id)}
              >
                Mark done<span className="visually-hidden">: {titles[id] ?? id}</span>
              </Button>
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

function Evaluations({ applicationId, status }: { applicationId: string; status: Status }) {
  const [writing, setWriting] = useState<number | null>(null);
  return (
    <Section title="Evaluations">
      <Table
        caption="Your mentor's evaluations, and yours of the mentor and the program"
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
            label: 'Your evaluation',
            header: 'Your evaluation',
            cell: (e) =>
              e.menteeEvaluation ? (
                <>
                  Sent <When at={e.menteeEvaluation.submittedAt} utcBeside={false} />
                </>
              ) : e.state === 'upcoming' ? (
                <span className="muted">
                  Opens <When at={e.opensAt} utcBeside={false} />
                </span>
              ) : status.stage === 'active' ? (
                <Button variant="secondary" onClick={() => setWriting(e.number)}>
                  Write evaluation {e.number}
                </Button>
              ) : (
                <span className="muted">—</span>
              ),
          },
        ]}
      />
      {writing !== null && (
        <MenteeEvaluation applicationId={applicationId} number={writing} done={() => setWriting(null)} />
      )}
    </Section>
  );
}

function Rating({
  legend,
  value,
  onChange,
  error,
}: {
  legend: string;
  value: number;
  onChange: (n: number) => void;
  error?: string | undefined;
}) {
  return (
    <FieldSet legend={legend} error={error} hint="1 (poor) to 5 (excellent)">
      <div className="rating">
        {[1, 2, 3, 4, 5].map((n) => (
          <label key={n} className="rating-choice">
            <input type="radio" name={legend} value={n} checked={value === n} onChange={() => onChange(n)} />
            <span>{n}</span>
          </label>
        ))}
      </div>
    </FieldSet>
  );
}

function MenteeEvaluation({
  applicationId,
  number,
  done,
}: {
  applicationId: string;
  number: number;
  done: () => void;
}) {
  const refresh = useRefresh(applicationId);
  const [mentor, setMentor] = useState(0);
  const [program, setProgram] = useState(0);
  const [comments, setComments] = useState('');
  const [share, setShare] = useState(false);
  const submit = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/evaluations/{number}/mentee-evaluation', {
          params: { path: { applicationId, number } },
          headers,
          body: { ratings: { mentor, program }, comments, shareWithMentor: share },
        }),
      ),
    onSuccess: async (answer) => {
      await refresh(answer.application);
      done();
    },
  });
  const fields = submit.error instanceof ApiError ? submit.error.fields : {};
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate();
  };
  return (
    <form className="subform" onSubmit={onSubmit} noValidate aria-labelledby={`me-${number}`}>
      <h3 id={`me-${number}`}>Your evaluation {number}</h3>
      <ErrorSummary error={submit.error} shown={['ratings.mentor', 'ratings.program', 'comments']} />
      <Rating
        legend="Your mentor"
        value={mentor}
        onChange={setMentor}
        error={fields['ratings.mentor'] ?? fields.ratings}
      />
      <Rating legend="The program" value={program} onChange={setProgram} error={fields['ratings.program']} />
      <Field label="Comments" error={fields.comments}>
        {(p) => <textarea {...p} rows={4} value={comments} onChange={(e) => setComments(e.target.value)} />}
      </Field>
      <label className="choice">
        <input type="checkbox" checked={share} onChange={(e) => setShare(e.target.checked)} /> Share it with
        my mentor (the program's admins always read it)
      </label>
      <div className="form-actions">
        <Button type="submit" pending={submit.isPending} pendingLabel="Sending…">
          Send evaluation
        </Button>
        <Button variant="secondary" onClick={done}>
          Cancel
        </Button>
      </div>
    </form>
  );
}

const INSTALLMENT_TONE: Record<string, 'good' | 'bad' | 'info' | 'warn' | 'plain'> = {
  paid: 'good',
  approved: 'info',
  requested: 'info',
  'awaiting-approval': 'warn',
  'payment-failed': 'bad',
  rejected: 'bad',
  declined: 'bad',
  forfeited: 'bad',
};

function Stipend({ applicationId }: { applicationId: string }) {
  const query = useQuery(stipendQuery(applicationId));
  return (
    <Section title="Stipend">
      <Loaded query={query} what="the stipend" isEmpty={(s) => s.installments.length === 0}>
        {({ installments }) => (
          <Table
            caption="Installments and their payments"
            rows={installments}
            rowKey={(i) => String(i.number)}
            columns={[
              {
                label: 'Installment',
                header: 'Installment',
                cell: (i) => `#${i.number} (after evaluation ${i.afterEvaluation})`,
              },
              { label: 'Amount', header: 'Amount', cell: (i) => money(i.amountCents, i.currency) },
              {
                label: 'State',
                header: 'State',
                cell: (i) => (
                  <Badge tone={INSTALLMENT_TONE[i.state] ?? 'plain'}>{i.state.replace(/-/g, ' ')}</Badge>
                ),
              },
              {
                label: 'Payment',
                header: 'Payment',
                cell: (i) =>
                  i.paidAt || i.payout?.paidAt ? (
                    <>
                      Paid <When at={i.paidAt ?? i.payout?.paidAt} />
                    </>
                  ) : i.payout?.returnedAt ? (
                    <>
                      Returned by the bank <When at={i.payout.returnedAt} />
                    </>
                  ) : i.payout?.expectedBy ? (
                    <>
                      Expected by <When at={i.payout.expectedBy} />
                    </>
                  ) : (
                    <span className="muted">{i.payout ? i.payout.state : 'not yet requested'}</span>
                  ),
              },
            ]}
          />
        )}
      </Loaded>
    </Section>
  );
}

function Survey({ applicationId }: { applicationId: string }) {
  const refresh = useRefresh(applicationId);
  const [rating, setRating] = useState(0);
  const [comments, setComments] = useState('');
  const submit = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/feedback-survey', {
          params: { path: { applicationId } },
          headers,
          body: { rating, comments },
        }),
      ),
    onSuccess: (answer) => refresh(answer.application),
  });
  const fields = submit.error instanceof ApiError ? submit.error.fields : {};
  return (
    <Section title="Feedback survey">
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit.mutate();
        }}
        noValidate
      >
        <ErrorSummary error={submit.error} shown={['rating', 'comments']} />
        <Rating
          legend="How was the program overall?"
          value={rating}
          onChange={setRating}
          error={fields.rating}
        />
        <Field label="Comments" error={fields.comments}>
          {(p) => <textarea {...p} rows={3} value={comments} onChange={(e) => setComments(e.target.value)} />}
        </Field>
        <Button type="submit" pending={submit.isPending} pendingLabel="Sending…">
          Send the survey
        </Button>
      </form>
    </Section>
  );
}

function Certificate({ code }: { code: string }) {
  return (
    <Section title="Letter of Completion">
      <p>Congratulations! Your letter is issued. Anyone can check it with its verification link.</p>
      <div className="form-actions">
        <a
          className="button button-primary"
          download
          href={apiUrl(`/certificates/${encodeURIComponent(code)}/pdf`)}
        >
          Download the letter (PDF)
        </a>
        <Link to="/certificates/$code" params={{ code }} className="button button-secondary">
          Verification page
        </Link>
      </div>
      <p className="hint">
        Verification link:{' '}
        <code>{new URL(`/certificates/${encodeURIComponent(code)}`, window.location.origin).toString()}</code>
      </p>
    </Section>
  );
}

function Withdraw({ applicationId }: { applicationId: string }) {
  const refresh = useRefresh(applicationId);
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const withdraw = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/withdraw', {
          params: { path: { applicationId } },
          headers,
          body: { reason },
        }),
      ),
    onSuccess: async (answer) => {
      await refresh(answer.application);
      setOpen(false);
    },
  });
  const fields = withdraw.error instanceof ApiError ? withdraw.error.fields : {};
  return (
    <Section title="Withdraw">
      {!open ? (
        <Button variant="danger" onClick={() => setOpen(true)}>
          Withdraw from this program…
        </Button>
      ) : (
        <form
          onSubmit={(e) => {
            e.preventDefault();
            withdraw.mutate();
          }}
          noValidate
        >
          <p>Withdrawing cannot be undone. An installment you have already earned is still paid.</p>
          <ErrorSummary error={withdraw.error} shown={['reason']} />
          <Field label="Why are you withdrawing?" required error={fields.reason}>
            {(p) => <textarea {...p} rows={3} value={reason} onChange={(e) => setReason(e.target.value)} />}
          </Field>
          <div className="form-actions">
            <Button type="submit" variant="danger" pending={withdraw.isPending} pendingLabel="Withdrawing…">
              Withdraw
            </Button>
            <Button variant="secondary" onClick={() => setOpen(false)}>
              Keep my application
            </Button>
          </div>
        </form>
      )}
    </Section>
  );
}
