import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { ApiError, api, type Schemas, send } from '../../api/client';
import { downloadFile } from '../../api/files';
import { type ProgramDefinition, titles as titlesOf } from '../../api/program';
import {
  applicationQuery,
  contentQuery,
  contributionsQuery,
  keys,
  profileQuery,
  programQuery,
  reviewQuery,
  tasksQuery,
} from '../../api/queries';
import { type Session, useSignedIn } from '../../auth/session';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field, FieldSet } from '../../components/Field';
import { LoadError, Loaded, Page, Section } from '../../components/Page';
import { Badge, Stage, TASK_TONE } from '../../components/Stage';
import { Day, When } from '../../components/When';
import { MenteeEvaluations, Onboarding } from './Mentorship';

const route = getRouteApi('/signed-in/review/$applicationId');
type Status = Schemas['ApplicationStatus'];

export function ReviewApplication() {
  const { applicationId } = route.useParams();
  const search = route.useSearch();
  const session = useSignedIn();
  const queryClient = useQueryClient();
  const status = useQuery({ ...applicationQuery(applicationId), retry: false });
  // a program's mentors may read the application but not its status (only its own mentor may): the list row stands in
  const forbidden = status.error instanceof ApiError && status.error.status === 403;
  const row = queryClient
    .getQueriesData<Schemas['ApplicationPage']>({ queryKey: ['programs'] })
    .flatMap(([, page]) => page?.items ?? [])
    .find((a) => a?.id === applicationId);
  const summary =
    status.data ??
    (forbidden
      ? {
          programId: search.program ?? row?.programId,
          menteeId: search.mentee ?? row?.menteeId,
          stage: row?.stage,
        }
      : undefined);
  const programId = summary?.programId;
  const program = useQuery({ ...programQuery(programId ?? ''), enabled: Boolean(programId) });
  if (status.isError && !forbidden)
    return <LoadError error={status.error} what="the application" retry={() => void status.refetch()} />;
  const definition = program.data?.definition;
  const s = status.data;
  return (
    <Page
      title={summary?.menteeId ? `Application of ${summary.menteeId}` : 'Application'}
      lead={
        summary && (
          <>
            {summary.stage && <Stage stage={summary.stage} />} in{' '}
            {programId ? (
              <Link to="/review" search={{ program: programId }}>
                {programId}
              </Link>
            ) : (
              'its program'
            )}
          </>
        )
      }
    >
      {status.isPending ? (
        <p className="state state-loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the application…
        </p>
      ) : (
        <div className="columns">
          <div className="stack">
            <Answers applicationId={applicationId} definition={definition} />
            <ReviewTasks applicationId={applicationId} />
            <ContributionList applicationId={applicationId} />
          </div>
          <div className="stack">
            {(!summary?.stage || summary.stage === 'in_review' || summary.stage === 'awaiting_selection') &&
              programId && (
                <Decide
                  applicationId={applicationId}
                  programId={programId}
                  status={s}
                  session={session}
                  definition={definition}
                />
              )}
            {s?.selection && (
              <Section title="Selection">
                <p>
                  Selected for <strong>{s.selection.projectTitle}</strong> with {s.selection.mentorId},{' '}
                  <When at={s.selection.decidedAt} />.
                </p>
              </Section>
            )}
            {s && ['onboarding', 'active', 'completed', 'offer_lapsed'].includes(s.stage) && (
              <Onboarding
                applicationId={applicationId}
                status={s}
                session={session}
                titles={titlesOf(definition)}
              />
            )}
            {s && s.evaluations.length > 0 && ['active', 'completed', 'terminated'].includes(s.stage) && (
              <MenteeEvaluations applicationId={applicationId} status={s} session={session} />
            )}
            <Review applicationId={applicationId} />
            {s && (
              <Section title="Progress">
                <p>
                  Tasks done:{' '}
                  {s.prerequisites.done.map((id) => titlesOf(definition)[id] ?? id).join(', ') || 'none'}
                  <br />
                  Still open:{' '}
                  {s.prerequisites.open.map((id) => titlesOf(definition)[id] ?? id).join(', ') || 'none'}
                </p>
                {s.next?.what && (
                  <p>
                    Next: {s.next.what}
                    {s.next.deadline && (
                      <>
                        {' '}
                        by <When at={s.next.deadline} />
                      </>
                    )}
                  </p>
                )}
                {s.conflicts.length > 0 && (
                  <p>
                    <Badge tone="warn">Conflict</Badge> also selected in{' '}
                    {s.conflicts.map((c) => c.programId).join(', ')}
                  </p>
                )}
              </Section>
            )}
          </div>
        </div>
      )}
    </Page>
  );
}

function Answers({
  applicationId,
  definition,
}: {
  applicationId: string;
  definition: ProgramDefinition | undefined;
}) {
  const content = useQuery(contentQuery(applicationId));
  const [downloadError, setDownloadError] = useState<string | null>(null);
  const questions = definition?.questions ?? [];
  const projects = definition?.projects ?? [];
  return (
    <Section title="Answers">
      <Loaded query={content} what="the answers">
        {(c) => (
          <>
            <p>
              {c.state === 'submitted' ? (
                <Badge tone="good">Submitted</Badge>
              ) : (
                <Badge tone="warn">Draft</Badge>
              )}{' '}
              {c.submittedAt && <When at={c.submittedAt} />}
            </p>
            {c.projectIds.length > 0 && (
              <p>
                <strong>Projects:</strong>{' '}
                {c.projectIds.map((id) => projects.find((p) => p.id === id)?.title ?? id).join(', ')}
              </p>
            )}
            <dl className="answers">
              {questions.map((q) => (
                <div key={q.id}>
                  <dt>{q.prompt}</dt>
                  <dd>
                    {c.answers[q.id] ? (
                      <p className="pre">{c.answers[q.id]}</p>
                    ) : (
                      <span className="muted">No answer</span>
                    )}
                  </dd>
                </div>
              ))}
              {Object.entries(c.answers)
                .filter(([id]) => !questions.some((q) => q.id === id))
                .map(([id, answer]) => (
                  <div key={id}>
                    <dt>{id}</dt>
                    <dd className="pre">{answer}</dd>
                  </div>
                ))}
            </dl>
            {c.proposal && (
              <p>
                <strong>Proposal:</strong>{' '}
                <Button
                  variant="link"
                  onClick={() =>
                    downloadFile(c.proposal!.fileId, c.proposal!.name).catch((e: Error) =>
                      setDownloadError(e.message),
                    )
                  }
                >
                  {c.proposal.name}
                </Button>
                {downloadError && <span role="alert"> {downloadError}</span>}
              </p>
            )}
          </>
        )}
      </Loaded>
    </Section>
  );
}

function ReviewTasks({ applicationId }: { applicationId: string }) {
  const query = useQuery(tasksQuery(applicationId));
  return (
    <Section title="Tasks">
      <Loaded
        query={query}
        what="tasks"
        isEmpty={(t) => t.tasks.length === 0}
        empty={<p>The program asks for no tasks.</p>}
      >
        {({ tasks }) => (
          <ul className="plain-list">
            {tasks.map((task) => (
              <li key={task.id} className="task">
                <div className="task-head">
                  <h3>{task.title}</h3>
                  <Badge tone={TASK_TONE[task.state]}>{task.state.replace('-', ' ')}</Badge>
                </div>
                {task.submission ? (
                  <div className="muted">
                    Handed in <When at={task.submission.submittedAt} /> (round {task.round})
                    {task.submission.text && <p className="pre">{task.submission.text}</p>}
                    {task.submission.url && (
                      <p>
                        <a href={task.submission.url}>{task.submission.url}</a>
                      </p>
                    )}
                    {task.submission.fileId && (
                      <p>
                        <Button
                          variant="link"
                          onClick={() => void downloadFile(task.submission!.fileId!, `${task.id}.pdf`)}
                        >
                          Download the file
                        </Button>
                      </p>
                    )}
                  </div>
                ) : (
                  <p className="muted">Not handed in yet.</p>
                )}
                {task.reviewComment && (
                  <blockquote className="review-comment">{task.reviewComment}</blockquote>
                )}
                {task.review && task.state === 'submitted' && (
                  <ReviewTask applicationId={applicationId} taskId={task.id} title={task.title} />
                )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Section>
  );
}

function ReviewTask({
  applicationId,
  taskId,
  title,
}: {
  applicationId: string;
  taskId: string;
  title: string;
}) {
  const queryClient = useQueryClient();
  const [comment, setComment] = useState('');
  const review = useMutation({
    mutationFn: (decision: 'accept' | 'request-changes') =>
      send((headers) =>
        api().POST('/applications/{applicationId}/tasks/{taskId}/review', {
          params: { path: { applicationId, taskId } },
          headers,
          body: { decision, comment },
        }),
      ),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.application(applicationId) }),
  });
  const fields = review.error instanceof ApiError ? review.error.fields : {};
  return (
    <fieldset className="subform review-task">
      <legend className="visually-hidden">Review: {title}</legend>
      <ErrorSummary error={review.error} shown={['comment']} />
      <Field label="Comment for the applicant" error={fields.comment} hint="Required when you send it back">
        {(p) => <textarea {...p} rows={2} value={comment} onChange={(e) => setComment(e.target.value)} />}
      </Field>
      <div className="form-actions">
        <Button
          pending={review.isPending && review.variables === 'accept'}
          pendingLabel="Accepting…"
          disabled={review.isPending}
          onClick={() => review.mutate('accept')}
        >
          Accept
        </Button>
        <Button
          variant="secondary"
          pending={review.isPending && review.variables === 'request-changes'}
          pendingLabel="Sending back…"
          disabled={review.isPending}
          onClick={() => review.mutate('request-changes')}
        >
          Send back
        </Button>
      </div>
    </fieldset>
  );
}

function ContributionList({ applicationId }: { applicationId: string }) {
  const query = useQuery(contributionsQuery(applicationId));
  return (
    <Section title="Contributions">
      <Loaded
        query={query}
        what="contributions"
        isEmpty={(c) => c.contributions.length === 0}
        empty={<p>None recorded.</p>}
      >
        {({ contributions }) => (
          <ul className="plain-list">
            {contributions.map((c) => (
              <li key={c.id}>
                <a href={c.url}>{c.description}</a>{' '}
                <span className="muted">
                  · <Day date={c.date} />
                  {c.projectId ? ` · ${c.projectId}` : ''}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Section>
  );
}

function Review({ applicationId }: { applicationId: string }) {
  const queryClient = useQueryClient();
  const query = useQuery(reviewQuery(applicationId));
  const [scores, setScores] = useState<Record<string, number>>({});
  const [note, setNote] = useState('');
  const [flagReason, setFlagReason] = useState('');
  useEffect(() => {
    if (query.data?.mine) setScores(query.data.mine.scores);
  }, [query.data?.mine]);
  const store = (view: Schemas['ReviewView']) => {
    queryClient.setQueryData(keys.part(applicationId, 'review'), view);
    void queryClient.invalidateQueries({ queryKey: ['programs'] });
  };
  const rate = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().PUT('/applications/{applicationId}/rating', {
          params: { path: { applicationId } },
          headers,
          body: { scores },
        }),
      ),
    onSuccess: store,
  });
  const addNote = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/notes', {
          params: { path: { applicationId } },
          headers,
          body: { note },
        }),
      ),
    onSuccess: (view) => {
      setNote('');
      store(view);
    },
  });
  const flag = useMutation({
    mutationFn: (reason: string | null) =>
      send((headers) =>
        api().PUT('/applications/{applicationId}/flag', {
          params: { path: { applicationId } },
          headers,
          body: { reason },
        }),
      ),
    onSuccess: (view) => {
      setFlagReason('');
      store(view);
    },
  });
  const rateFields = rate.error instanceof ApiError ? rate.error.fields : {};
  return (
    <Section title="Your review">
      <Loaded query={query} what="the review">
        {(r) => (
          <>
            <p className="hint">
              Others' average: {r.others.average != null ? r.others.average.toFixed(1) : '—'} (
              {r.others.count} rating{r.others.count === 1 ? '' : 's'}). The applicant sees none of this.
            </p>
            <form
              onSubmit={(e) => {
                e.preventDefault();
                rate.mutate();
              }}
              noValidate
              aria-label="Rating"
            >
              <ErrorSummary error={rate.error} shown={r.criteria.map((c) => `scores.${c.id}`)} />
              {r.criteria.map((c) => (
                <FieldSet key={c.id} legend={c.title} error={rateFields[`scores.${c.id}`]}>
                  <div className="rating">
                    {[1, 2, 3, 4, 5].map((n) => (
                      <label key={n} className="rating-choice">
                        <input
                          type="radio"
                          name={`score-${c.id}`}
                          value={n}
                          checked={scores[c.id] === n}
                          onChange={() => setScores((s) => ({ ...s, [c.id]: n }))}
                        />
                        <span>{n}</span>
                      </label>
                    ))}
                  </div>
                </FieldSet>
              ))}
              <Button type="submit" pending={rate.isPending} pendingLabel="Saving…">
                {r.mine ? 'Update rating' : 'Save rating'}
              </Button>
              {r.mine && <span className="muted"> Your average: {r.mine.average.toFixed(1)}</span>}
            </form>

            <h3>Private notes</h3>
            {r.notes.length > 0 ? (
              <ul className="plain-list notes">
                {r.notes.map((n) => (
                  <li key={n.id}>
                    <p className="pre">{n.note}</p>
                    <span className="muted">
                      <When at={n.createdAt} utcBeside={false} />
                    </span>
                  </li>
                ))}
              </ul>
            ) : (
              <p className="muted">No notes yet. Only you read your notes.</p>
            )}
            <form
              onSubmit={(e) => {
                e.preventDefault();
                addNote.mutate();
              }}
              noValidate
              aria-label="Add a note"
            >
              <ErrorSummary error={addNote.error} shown={['note']} />
              <Field
                label="New note"
                error={addNote.error instanceof ApiError ? addNote.error.fields.note : undefined}
              >
                {(p) => <textarea {...p} rows={2} value={note} onChange={(e) => setNote(e.target.value)} />}
              </Field>
              <Button type="submit" variant="secondary" pending={addNote.isPending} pendingLabel="Adding…">
                Add note
              </Button>
            </form>

            <h3>Flag</h3>
            {r.flag ? (
              <p>
                <Badge tone="warn">Flagged</Badge> {r.flag.reason}{' '}
                <Button variant="link" pending={flag.isPending} onClick={() => flag.mutate(null)}>
                  Remove my flag
                </Button>
              </p>
            ) : (
              <form
                onSubmit={(e) => {
                  e.preventDefault();
                  flag.mutate(flagReason);
                }}
                noValidate
                aria-label="Flag the application"
              >
                <ErrorSummary error={flag.error} shown={['reason']} />
                <Field
                  label="Reason to flag"
                  error={flag.error instanceof ApiError ? flag.error.fields.reason : undefined}
                >
                  {(p) => <input {...p} value={flagReason} onChange={(e) => setFlagReason(e.target.value)} />}
                </Field>
                <Button type="submit" variant="secondary" pending={flag.isPending} pendingLabel="Flagging…">
                  Flag
                </Button>
              </form>
            )}
            {r.flags > 0 && <p className="muted">Flags in all: {r.flags}</p>}
          </>
        )}
      </Loaded>
    </Section>
  );
}

function Decide({
  applicationId,
  programId,
  status,
  session,
  definition,
}: {
  applicationId: string;
  programId: string;
  status: Status | undefined;
  session: Session;
  definition: ProgramDefinition | undefined;
}) {
  const queryClient = useQueryClient();
  const profile = useQuery({ ...profileQuery(), enabled: session.role === 'mentor' });
  const content = useQuery(contentQuery(applicationId));
  const projects = definition?.projects ?? [];
  const appliedFor = content.data?.projectIds ?? [];
  const [projectId, setProjectId] = useState('');
  const project = projects.find((p) => p.id === (projectId || appliedFor[0]));
  const committed = (project?.mentors ?? []) as { id: string; name: string; email?: string }[];
  const [mentorId, setMentorId] = useState(session.role === 'mentor' ? session.userId : '');
  const chosen = committed.find((m) => m.id === mentorId);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [title, setTitle] = useState('');
  const [reason, setReason] = useState('');
  useEffect(() => {
    setName(chosen?.name ?? profile.data?.name ?? '');
    setEmail(chosen?.email ?? (session.role === 'mentor' ? (profile.data?.email ?? '') : ''));
  }, [chosen, profile.data, session.role]);
  useEffect(() => setTitle(project?.title ?? ''), [project]);
  const done = (answer: Schemas['MessageResult']) => {
    queryClient.setQueryData(keys.application(applicationId), answer.application);
    return queryClient.invalidateQueries({ queryKey: ['programs', programId] });
  };
  const select = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/selection', {
          params: { path: { applicationId } },
          headers,
          body: {
            decision: 'select',
            mentor: { id: mentorId, name, email },
            projectTitle: title,
            ...(project ? { projectId: project.id } : {}),
          },
        }),
      ),
    onSuccess: done,
  });
  const decline = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/selection', {
          params: { path: { applicationId } },
          headers,
          body: { decision: 'decline', ...(reason ? { reason } : {}) },
        }),
      ),
    onSuccess: done,
  });
  const fields = select.error instanceof ApiError ? select.error.fields : {};
  return (
    <Section title="Decision">
      {status?.stage === 'in_review' && (
        <p className="hint">
          The review window closes <When at={status.reviewClosesAt} />; selection is possible once the
          applicant is through review.
        </p>
      )}
      <form
        onSubmit={(e) => {
          e.preventDefault();
          select.mutate();
        }}
        noValidate
        aria-label="Select the applicant"
      >
        <ErrorSummary
          error={select.error}
          shown={['mentor.id', 'mentor.name', 'mentor.email', 'projectTitle', 'projectId']}
        />
        {projects.length > 0 && (
          <Field label="Project" error={fields.projectId}>
            {(p) => (
              <select {...p} value={project?.id ?? ''} onChange={(e) => setProjectId(e.target.value)}>
                {projects.map((pr) => (
                  <option key={pr.id} value={pr.id}>
                    {pr.title}
                    {appliedFor.includes(pr.id) ? ' (applied for)' : ''}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        {session.role === 'mentor' ? (
          <p>
            Mentor: <strong>{session.userId}</strong> (you)
          </p>
        ) : (
          <Field
            label="Mentor id"
            required
            error={fields['mentor.id']}
            hint={committed.length ? `Committed: ${committed.map((m) => m.id).join(', ')}` : undefined}
          >
            {(p) => (
              <input
                {...p}
                list="committed-mentors"
                value={mentorId}
                onChange={(e) => setMentorId(e.target.value)}
              />
            )}
          </Field>
        )}
        <datalist id="committed-mentors">
          {committed.map((m) => (
            <option key={m.id} value={m.id}>
              {m.name}
            </option>
          ))}
        </datalist>
        <div className="grid-2">
          <Field label="Mentor's name" required error={fields['mentor.name']}>
            {(p) => <input {...p} value={name} onChange={(e) => setName(e.target.value)} />}
          </Field>
          <Field label="Mentor's email" required error={fields['mentor.email']}>
            {(p) => <input {...p} type="email" value={email} onChange={(e) => setEmail(e.target.value)} />}
          </Field>
        </div>
        <Field label="Project title" required error={fields.projectTitle}>
          {(p) => <input {...p} value={title} onChange={(e) => setTitle(e.target.value)} />}
        </Field>
        <Button
          type="submit"
          pending={select.isPending}
          pendingLabel="Selecting…"
          disabled={decline.isPending}
        >
          Select
        </Button>
      </form>
      <form
        className="subform"
        onSubmit={(e) => {
          e.preventDefault();
          decline.mutate();
        }}
        noValidate
        aria-label="Decline the applicant"
      >
        <ErrorSummary error={decline.error} shown={['reason']} />
        <Field
          label="Reason (optional)"
          error={decline.error instanceof ApiError ? decline.error.fields.reason : undefined}
        >
          {(p) => <input {...p} value={reason} onChange={(e) => setReason(e.target.value)} />}
        </Field>
        <Button
          type="submit"
          variant="danger"
          pending={decline.isPending}
          pendingLabel="Declining…"
          disabled={select.isPending}
        >
          Decline
        </Button>
      </form>
    </Section>
  );
}
