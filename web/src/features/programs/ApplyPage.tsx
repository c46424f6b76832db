import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api, type Schemas, send, unwrap } from '../../api/client';
import { uploadFile } from '../../api/files';
import { answerLimit, type ProgramDefinition, type Question } from '../../api/program';
import { contentQuery, keys, myApplicationsQuery, profileQuery, programQuery } from '../../api/queries';
import { useSignedIn } from '../../auth/session';
import { Button } from '../../components/Button';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field, FieldSet } from '../../components/Field';
import { Markdown } from '../../components/Markdown';
import { LoadError, Page, Section } from '../../components/Page';
import { viewerTimeZone, When } from '../../components/When';

const route = getRouteApi('/signed-in/programs/$programId/apply');

interface Draft {
  profile: { name: string; email: string; country: string; timeZone: string; pronouns: string };
  projectIds: string[];
  answers: Record<string, string>;
  proposal: { fileId: string; name: string } | null;
  motivation: string;
}

const TIME_ZONES = ['UTC', ...Intl.supportedValuesOf('timeZone').filter((z) => z !== 'UTC')];

export function ApplyPage() {
  const { programId } = route.useParams();
  const session = useSignedIn();
  const program = useQuery(programQuery(programId));
  const profile = useQuery(profileQuery());
  const mine = useQuery(myApplicationsQuery());
  const existing = mine.data?.items.find((a) => a.programId === programId && a.stage !== 'withdrawn');
  const content = useQuery({
    ...contentQuery(existing?.id ?? ''),
    enabled: Boolean(existing && program.data && hasForm(program.data.definition)),
  });

  // what the form starts from is read once: later refreshes (the draft just created) must not reset what is typed
  const [start, setStart] = useState<{ existing: typeof existing; content: typeof content.data } | null>(
    null,
  );
  const failed = [program, profile, mine].find((q) => q.isError);
  const ready =
    program.data &&
    !profile.isPending &&
    !mine.isPending &&
    !(content.fetchStatus === 'fetching' && !content.data);
  useEffect(() => {
    if (ready && !start) setStart({ existing, content: content.data });
  }, [ready, start, existing, content.data]);
  if (failed)
    return <LoadError error={failed.error} what="the application form" retry={() => void failed.refetch()} />;
  if (!program.data || !start) {
    return (
      <Page title="Apply">
        <p className="state state-loading" role="status">
          <span className="spinner" aria-hidden="true" /> Loading the application form…
        </p>
      </Page>
    );
  }
  const definition = program.data.definition;
  if (start.existing && (start.content?.state === 'submitted' || !hasForm(definition))) {
    return (
      <Page title={`Apply to ${program.data.name}`}>
        <div className="state state-empty">
          <p>You have applied to this program.</p>
          <Link to="/applications/$applicationId" params={{ applicationId: start.existing.id }}>
            Follow your application
          </Link>
        </div>
      </Page>
    );
  }
  return (
    <ApplyForm
      programId={programId}
      name={`${program.data.name}: ${program.data.term}`}
      definition={definition}
      userId={session.userId}
      profile={profile.data ?? null}
      application={start.existing && start.content ? { id: start.existing.id, content: start.content } : null}
    />
  );
}

const hasForm = (p: ProgramDefinition) =>
  (p.questions ?? []).length > 0 || (p.projects ?? []).length > 0 || (p.proposal ?? 'none') !== 'none';

function ApplyForm({
  programId,
  name,
  definition,
  userId,
  profile,
  application,
}: {
  programId: string;
  name: string;
  definition: ProgramDefinition;
  userId: string;
  profile: Schemas['ProfileView'] | null;
  application: { id: string; content: Schemas['ApplicationContent'] } | null;
}) {
  const queryClient = useQueryClient();
  const navigate = useNavigate();
  const localKey = `mentorship.draft.${userId}.${programId}`;
  const [draft, setDraft] = useState<Draft>(() =>
    initialDraft(localKey, profile, application?.content ?? null),
  );
  const [applicationId, setApplicationId] = useState(application?.id ?? null);
  const version = useRef(application?.content.version ?? 0);
  const [saved, setSaved] = useState<{ at: string; state: 'saved' | 'saving' | 'failed' } | null>(
    application ? { at: application.content.updatedAt, state: 'saved' } : null,
  );
  const [error, setError] = useState<unknown>(null);
  const dirty = useRef(false);
  const withForm = hasForm(definition);
  const fields = error instanceof ApiError ? error.fields : {};
  const fieldError = (path: string) =>
    fields[path] ?? Object.entries(fields).find(([p]) => p.startsWith(`${path}.`))?.[1];

  const update = (change: (d: Draft) => Draft) => {
    dirty.current = true;
    setDraft(change);
  };

  // before the application exists, the draft is kept on this device
  useEffect(() => {
    if (applicationId) return;
    const timer = setTimeout(() => localStorage.setItem(localKey, JSON.stringify(draft)), 400);
    return () => clearTimeout(timer);
  }, [draft, applicationId, localKey]);

  const contentBody = (d: Draft) => ({
    projectIds: d.projectIds,
    answers: Object.fromEntries(Object.entries(d.answers).filter(([, v]) => v !== '')),
    ...(d.proposal ? { proposalFileId: d.proposal.fileId } : {}),
  });

  /** Writes the draft to the application, with the version read (If-Match); a stale version is read again once. */
  const saveContent = async (id: string, d: Draft, retried = false): Promise<void> => {
    try {
      const answer = await send((headers) =>
        api().PATCH('/applications/{applicationId}/content', {
          params: { path: { applicationId: id }, header: { 'if-match': `"${version.current}"` } },
          headers,
          body: { ...contentBody(d), proposalFileId: d.proposal?.fileId ?? null },
        }),
      );
      version.current = answer.version;
      queryClient.setQueryData(keys.part(id, 'content'), answer);
      setSaved({ at: answer.updatedAt, state: 'saved' });
    } catch (e) {
      if (!retried && e instanceof ApiError && e.status === 412) {
        const current = await unwrap(
          api().GET('/applications/{applicationId}/content', { params: { path: { applicationId: id } } }),
        );
        version.current = current.version;
        return saveContent(id, d, true);
      }
      throw e;
    }
  };

  // the application exists: each change is saved as you go, a moment after typing stops
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the draft changes; saveContent reads refs
  useEffect(() => {
    if (!applicationId || !dirty.current) return;
    const timer = setTimeout(() => {
      dirty.current = false;
      setSaved((s) => ({ at: s?.at ?? new Date().toISOString(), state: 'saving' }));
      saveContent(applicationId, draft).then(
        () => setError(null),
        (e) => {
          dirty.current = true;
          setSaved((s) => ({ at: s?.at ?? '', state: 'failed' }));
          setError(e);
        },
      );
    }, 1200);
    return () => clearTimeout(timer);
  }, [draft, applicationId]);

  const writeProfile = () =>
    send((headers) =>
      api().PUT('/me/profile', {
        headers,
        body: {
          skills: profile?.skills ?? [],
          links: profile?.links ?? {},
          resumeFileId: profile?.resumeFileId ?? null,
          name: draft.profile.name.trim(),
          email: draft.profile.email.trim(),
          country: draft.profile.country.trim().toUpperCase() || null,
          timeZone: draft.profile.timeZone as Schemas['Profile']['timeZone'],
          pronouns: draft.profile.pronouns.trim() || null,
        },
      }),
    );

  const apply = (submit: boolean) =>
    send((headers) =>
      api().POST('/programs/{programId}/applications', {
        params: { path: { programId } },
        headers,
        body: {
          motivation: draft.motivation,
          ...(withForm ? { ...contentBody(draft), submit } : {}),
        },
      }),
    );

  const saveDraft = useMutation({
    mutationFn: async () => {
      await writeProfile();
      return apply(false);
    },
    onMutate: () => setError(null),
    onSuccess: async (created) => {
      localStorage.removeItem(localKey);
      const read = await unwrap(
        api().GET('/applications/{applicationId}/content', {
          params: { path: { applicationId: created.id } },
        }),
      );
      version.current = read.version;
      setApplicationId(created.id);
      setSaved({ at: read.updatedAt, state: 'saved' });
      await queryClient.invalidateQueries({ queryKey: keys.myApplications() });
    },
    onError: setError,
  });

  const submitApplication = useMutation({
    mutationFn: async () => {
      if (!applicationId) {
        await writeProfile();
        return (await apply(true)).id;
      }
      dirty.current = false;
      await writeProfile();
      await saveContent(applicationId, draft);
      await send((headers) =>
        api().POST('/applications/{applicationId}/submit', { params: { path: { applicationId } }, headers }),
      );
      return applicationId;
    },
    onMutate: () => setError(null),
    onSuccess: async (id) => {
      localStorage.removeItem(localKey);
      await queryClient.invalidateQueries({ queryKey: keys.myApplications() });
      await queryClient.invalidateQueries({ queryKey: keys.application(id) });
      await navigate({ to: '/applications/$applicationId', params: { applicationId: id } });
    },
    onError: setError,
  });

  const upload = useMutation({
    mutationFn: uploadFile,
    onSuccess: (file) => update((d) => ({ ...d, proposal: { fileId: file.id, name: file.name } })),
  });

  const onSubmit = (event: FormEvent) => {
    event.preventDefault();
    submitApplication.mutate();
  };

  const projects = definition.projects ?? [];
  const perApplication = definition.projectsPerApplication ?? 1;
  const shown = [
    'name',
    'email',
    'country',
    'timeZone',
    'pronouns',
    'motivation',
    'proposalFileId',
    ...(error instanceof ApiError
      ? (error.problem?.errors ?? []).map((e) => e.path).filter((p) => /^(answers|projectIds)/.test(p))
      : []),
  ];

  return (
    <Page
      title={`Apply to ${name}`}
      lead={
        <>
          Applications close <When at={definition.applicationsCloseAt} />.
        </>
      }
    >
      <form className="apply-form" onSubmit={onSubmit} noValidate aria-describedby="draft-state">
        <p id="draft-state" className="draft-state" aria-live="polite">
          {!withForm ? null : saved?.state === 'saving' ? (
            'Saving draft…'
          ) : saved?.state === 'failed' ? (
            'The draft could not be saved; see the message below.'
          ) : saved ? (
            <>
              Draft saved <When at={saved.at} utcBeside={false} />. Changes are saved as you type.
            </>
          ) : (
            'Your answers are kept on this device until you save the draft.'
          )}
        </p>
        <ErrorSummary error={error} shown={shown} />
        <Section title="About you">
          <p className="hint">Kept as your profile and reused by your next application.</p>
          <div className="grid-2">
            <Field label="Name" required error={fieldError('name')}>
              {(p) => (
                <input
                  {...p}
                  name="name"
                  autoComplete="name"
                  value={draft.profile.name}
                  onChange={(e) => update((d) => ({ ...d, profile: { ...d.profile, name: e.target.value } }))}
                />
              )}
            </Field>
            <Field label="Email" required error={fieldError('email')}>
              {(p) => (
                <input
                  {...p}
                  type="email"
                  name="email"
                  autoComplete="email"
                  value={draft.profile.email}
                  onChange={(e) =>
                    update((d) => ({ ...d, profile: { ...d.profile, email: e.target.value } }))
                  }
                />
              )}
            </Field>
            <Field
              label="Country of residence"
              error={fieldError('country')}
              hint="Two letters (ISO 3166), e.g. IN; it sets the stipend"
            >
              {(p) => (
                <input
                  {...p}
                  name="country"
                  autoComplete="country"
                  maxLength={2}
                  value={draft.profile.country}
                  onChange={(e) =>
                    update((d) => ({ ...d, profile: { ...d.profile, country: e.target.value } }))
                  }
                />
              )}
            </Field>
            <Field
              label="Time zone"
              error={fieldError('timeZone')}
              hint="Emails and your calendar show deadlines in it"
            >
              {(p) => (
                <select
                  {...p}
                  name="timeZone"
                  value={draft.profile.timeZone}
                  onChange={(e) =>
                    update((d) => ({ ...d, profile: { ...d.profile, timeZone: e.target.value } }))
                  }
                >
                  {[...new Set([draft.profile.timeZone, ...TIME_ZONES])].map((z) => (
                    <option key={z}>{z}</option>
                  ))}
                </select>
              )}
            </Field>
            <Field label="Pronouns" error={fieldError('pronouns')}>
              {(p) => (
                <input
                  {...p}
                  name="pronouns"
                  value={draft.profile.pronouns}
                  onChange={(e) =>
                    update((d) => ({ ...d, profile: { ...d.profile, pronouns: e.target.value } }))
                  }
                />
              )}
            </Field>
          </div>
        </Section>

        {projects.length > 0 && (
          <Section title="Project">
            <FieldSet
              legend={
                perApplication === 1
                  ? 'The project you apply for'
                  : `Up to ${perApplication} projects you apply for`
              }
              error={fieldError('projectIds')}
            >
              <div className="choices">
                {projects.map((project) => {
                  const checked = draft.projectIds.includes(project.id);
                  return (
                    <label key={project.id} className="choice">
                      <input
                        type={perApplication === 1 ? 'radio' : 'checkbox'}
                        name="projectIds"
                        value={project.id}
                        checked={checked}
                        onChange={() =>
                          update((d) => ({
                            ...d,
                            projectIds:
                              perApplication === 1
                                ? [project.id]
                                : checked
                                  ? d.projectIds.filter((id) => id !== project.id)
                                  : [...d.projectIds, project.id],
                          }))
                        }
                      />
                      <span>
                        <strong>{project.title}</strong>
                        {(project.mentors ?? []).length > 0 && (
                          <span className="muted">
                            {' '}
                            — with {project.mentors!.map((m) => m.name).join(', ')}
                          </span>
                        )}
                      </span>
                    </label>
                  );
                })}
              </div>
            </FieldSet>
          </Section>
        )}

        {(definition.questions ?? []).length > 0 && (
          <Section title="Questions">
            {definition.questions!.map((question) => (
              <QuestionField
                key={question.id}
                question={question}
                value={draft.answers[question.id] ?? ''}
                error={fieldError(`answers.${question.id}`)}
                onChange={(value) =>
                  update((d) => ({ ...d, answers: { ...d.answers, [question.id]: value } }))
                }
              />
            ))}
          </Section>
        )}

        {(definition.proposal ?? 'none') !== 'none' && (
          <Section title="Proposal">
            <Field
              label="Proposal (PDF)"
              required={definition.proposal === 'required'}
              error={fieldError('proposalFileId') ?? (upload.error as Error | null)?.message}
              hint={
                draft.proposal
                  ? `Uploaded: ${draft.proposal.name}. Choose another file to replace it.`
                  : 'At most 5 MB'
              }
            >
              {(p) => (
                <input
                  {...p}
                  type="file"
                  accept="application/pdf"
                  onChange={(e) => {
                    const file = e.target.files?.[0];
                    if (file) upload.mutate(file);
                  }}
                />
              )}
            </Field>
            {upload.isPending && (
              <p role="status">
                <span className="spinner" aria-hidden="true" /> Uploading…
              </p>
            )}
          </Section>
        )}

        {!applicationId && (
          <Section title="Motivation">
            <Field
              label="Why this program?"
              error={fieldError('motivation')}
              hint="Optional; at most 5,000 characters"
            >
              {(p) => (
                <textarea
                  {...p}
                  name="motivation"
                  rows={5}
                  maxLength={5000}
                  value={draft.motivation}
                  onChange={(e) => update((d) => ({ ...d, motivation: e.target.value }))}
                />
              )}
            </Field>
          </Section>
        )}

        {definition.description && (
          <details className="card">
            <summary>About the program</summary>
            <Markdown text={definition.description} />
          </details>
        )}

        <div className="form-actions">
          <Button
            type="submit"
            pending={submitApplication.isPending}
            pendingLabel="Submitting…"
            disabled={saveDraft.isPending || upload.isPending}
          >
            {withForm ? 'Submit application' : 'Apply'}
          </Button>
          {withForm && !applicationId && (
            <Button
              variant="secondary"
              pending={saveDraft.isPending}
              pendingLabel="Saving…"
              disabled={submitApplication.isPending}
              onClick={() => saveDraft.mutate()}
            >
              Save draft
            </Button>
          )}
        </div>
      </form>
    </Page>
  );
}

function QuestionField({
  question,
  value,
  error,
  onChange,
}: {
  question: Question;
  value: string;
  error?: string | undefined;
  onChange: (value: string) => void;
}) {
  const limit = answerLimit(question);
  const required = question.required !== false;
  if (question.kind === 'choice') {
    return (
      <FieldSet
        legend={
          <>
            {question.prompt}
            {required && <span className="required"> (required)</span>}
          </>
        }
        error={error}
      >
        <div className="choices">
          {(question.choices ?? []).map((choice) => (
            <label key={choice} className="choice">
              <input
                type="radio"
                name={`answers.${question.id}`}
                value={choice}
                checked={value === choice}
                onChange={() => onChange(choice)}
              />
              <span>{choice}</span>
            </label>
          ))}
        </div>
      </FieldSet>
    );
  }
  return (
    <Field
      label={question.prompt}
      required={required}
      error={error}
      hint={
        question.kind === 'url'
          ? 'A link, e.g. https://github.com/you'
          : `${value.length} of ${limit} characters`
      }
    >
      {(p) =>
        question.kind === 'long-text' ? (
          <textarea
            {...p}
            name={`answers.${question.id}`}
            rows={6}
            maxLength={limit}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        ) : (
          <input
            {...p}
            type={question.kind === 'url' ? 'url' : 'text'}
            name={`answers.${question.id}`}
            maxLength={limit}
            value={value}
            onChange={(e) => onChange(e.target.value)}
          />
        )
      }
    </Field>
  );
}

function initialDraft(
  localKey: string,
  profile: Schemas['ProfileView'] | null,
  content: Schemas['ApplicationContent'] | null,
): Draft {
  const fromProfile: Draft['profile'] = {
    name: profile?.name ?? '',
    email: profile?.email ?? '',
    country: profile?.country ?? '',
    timeZone: profile?.timeZone ?? viewerTimeZone,
    pronouns: profile?.pronouns ?? '',
  };
  if (content) {
    return {
      profile: fromProfile,
      projectIds: content.projectIds,
      answers: content.answers,
      proposal: content.proposal,
      motivation: '',
    };
  }
  try {
    const stored = JSON.parse(localStorage.getItem(localKey) ?? 'null') as Draft | null;
    if (stored) return stored;
  } catch {
    // a draft this version cannot read: start again
  }
  return { profile: fromProfile, projectIds: [], answers: {}, proposal: null, motivation: '' };
}
