import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError, api, type Schemas, send } from '../../api/client';
import { uploadFile } from '../../api/files';
import type { ProgramDefinition } from '../../api/program';
import { contributionsQuery, keys, tasksQuery } from '../../api/queries';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loaded, Section } from '../../components/Page';
import { Badge, TASK_TONE } from '../../components/Stage';
import { Day, When } from '../../components/When';

type Task = Schemas['Task'];

const TASK_STATE = {
  pending: 'To do',
  submitted: 'Waiting for review',
  accepted: 'Accepted',
  'changes-requested': 'Changes requested',
} as const;

/** The review-window tasks: hand each in as it asks, read the reviewer's comments, hand it in again. */
export function Tasks({ applicationId, open }: { applicationId: string; open: boolean }) {
  const query = useQuery(tasksQuery(applicationId));
  return (
    <Section title="Tasks">
      <Loaded
        query={query}
        what="tasks"
        isEmpty={(t) => t.tasks.length === 0}
        empty={<p>This program asks for no tasks.</p>}
      >
        {({ tasks }) => (
          <ul className="plain-list">
            {tasks.map((task) => (
              <li key={task.id} className="task">
                <div className="task-head">
                  <h3>{task.title}</h3>
                  <Badge tone={TASK_TONE[task.state]}>{TASK_STATE[task.state]}</Badge>
                </div>
                {task.submission && (
                  <p className="muted">
                    Handed in <When at={task.submission.submittedAt} />
                    {task.round > 1 ? ` (round ${task.round})` : ''}
                    {task.submission.url && (
                      <>
                        {' '}
                        · <a href={task.submission.url}>{task.submission.url}</a>
                      </>
                    )}
                  </p>
                )}
                {task.reviewComment && (
                  <blockquote className="review-comment">
                    <p>{task.reviewComment}</p>
                    <footer>
                      — {task.reviewedBy}, <When at={task.reviewedAt} utcBeside={false} />
                    </footer>
                  </blockquote>
                )}
                {open &&
                  task.id !== 'application' &&
                  (task.state === 'pending' || task.state === 'changes-requested') && (
                    <HandIn applicationId={applicationId} task={task} />
                  )}
              </li>
            ))}
          </ul>
        )}
      </Loaded>
    </Section>
  );
}

function HandIn({ applicationId, task }: { applicationId: string; task: Task }) {
  const queryClient = useQueryClient();
  const [text, setText] = useState(task.submission?.text ?? '');
  const [url, setUrl] = useState(task.submission?.url ?? '');
  const [file, setFile] = useState<File | null>(null);
  const submit = useMutation({
    mutationFn: async () => {
      const body =
        task.kind === 'text'
          ? { text }
          : task.kind === 'link'
            ? { url }
            : task.kind === 'file'
              ? file
                ? { fileId: (await uploadFile(file)).id }
                : {}
              : {};
      return send((headers) =>
        api().POST('/applications/{applicationId}/tasks/{taskId}/submission', {
          params: { path: { applicationId, taskId: task.id } },
          headers,
          body,
        }),
      );
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: keys.application(applicationId) }),
  });
  const fields = submit.error instanceof ApiError ? submit.error.fields : {};
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit.mutate();
  };
  return (
    <form className="subform" onSubmit={onSubmit} noValidate aria-label={`Hand in: ${task.title}`}>
      <ErrorSummary error={submit.error} shown={['text', 'url', 'fileId']} />
      {task.kind === 'text' && (
        <Field label="Your answer" required error={fields.text}>
          {(p) => <textarea {...p} rows={4} value={text} onChange={(e) => setText(e.target.value)} />}
        </Field>
      )}
      {task.kind === 'link' && (
        <Field label="Link" required error={fields.url} hint="e.g. your pull request">
          {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} />}
        </Field>
      )}
      {task.kind === 'file' && (
        <Field label="File (PDF)" required error={fields.fileId}>
          {(p) => (
            <input
              {...p}
              type="file"
              accept="application/pdf"
              onChange={(e) => setFile(e.target.files?.[0] ?? null)}
            />
          )}
        </Field>
      )}
      <Button type="submit" pending={submit.isPending} pendingLabel="Handing in…">
        {task.kind === 'confirmation'
          ? 'Mark as done'
          : task.state === 'changes-requested'
            ? 'Hand in again'
            : 'Hand in'}
        <span className="visually-hidden">: {task.title}</span>
      </Button>
    </form>
  );
}

/** Outreachy-style contributions, recorded while applications are open. */
export function Contributions({
  applicationId,
  projects,
}: {
  applicationId: string;
  projects: NonNullable<ProgramDefinition['projects']>;
}) {
  const queryClient = useQueryClient();
  const query = useQuery(contributionsQuery(applicationId));
  const [url, setUrl] = useState('');
  const [description, setDescription] = useState('');
  const [date, setDate] = useState(new Date().toISOString().slice(0, 10));
  const [projectId, setProjectId] = useState('');
  const add = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/applications/{applicationId}/contributions', {
          params: { path: { applicationId } },
          headers,
          body: { url, description, date, ...(projectId ? { projectId } : {}) },
        }),
      ),
    onSuccess: async () => {
      setUrl('');
      setDescription('');
      await queryClient.invalidateQueries({ queryKey: keys.part(applicationId, 'contributions') });
    },
  });
  const fields = add.error instanceof ApiError ? add.error.fields : {};
  return (
    <Section title="Contributions">
      <Loaded
        query={query}
        what="contributions"
        isEmpty={(c) => c.contributions.length === 0}
        empty={<p>No contributions recorded yet.</p>}
      >
        {({ contributions }) => (
          <ul className="plain-list">
            {contributions.map((c) => (
              <li key={c.id}>
                <a href={c.url}>{c.description}</a>{' '}
                <span className="muted">
                  · <Day date={c.date} />
                </span>
              </li>
            ))}
          </ul>
        )}
      </Loaded>
      <form
        className="subform"
        aria-label="Record a contribution"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          add.mutate();
        }}
      >
        <ErrorSummary error={add.error} shown={['url', 'description', 'date', 'projectId']} />
        <div className="grid-2">
          <Field label="Link" required error={fields.url}>
            {(p) => <input {...p} type="url" value={url} onChange={(e) => setUrl(e.target.value)} />}
          </Field>
          <Field label="Date" required error={fields.date}>
            {(p) => <input {...p} type="date" value={date} onChange={(e) => setDate(e.target.value)} />}
          </Field>
        </div>
        <Field label="What you did" required error={fields.description}>
          {(p) => <input {...p} value={description} onChange={(e) => setDescription(e.target.value)} />}
        </Field>
        {projects.length > 0 && (
          <Field label="Project" error={fields.projectId}>
            {(p) => (
              <select {...p} value={projectId} onChange={(e) => setProjectId(e.target.value)}>
                <option value="">None</option>
                {projects.map((project) => (
                  <option key={project.id} value={project.id}>
                    {project.title}
                  </option>
                ))}
              </select>
            )}
          </Field>
        )}
        <Button type="submit" variant="secondary" pending={add.isPending} pendingLabel="Recording…">
          Record the contribution
        </Button>
      </form>
    </Section>
  );
}
