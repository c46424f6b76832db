import { useMutation, useQueryClient } from '@tanstack/react-query';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { useState } from 'react';
import { ApiError, api, send } from '../../api/client';
import { useSignedIn } from '../../auth/session';
import { Button } from '../../components/Button';
import { DateTimeField } from '../../components/DateTimeField';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field, FieldSet } from '../../components/Field';
import { Page, Section } from '../../components/Page';
import { viewerTimeZone } from '../../components/When';

const route = getRouteApi('/signed-in/admin/programs/new');

const DAY = 86_400_000;
/** Midnight UTC `days` from now: a plausible default for each date of a new term. */
const inDays = (days: number) => {
  const d = new Date(Date.now() + days * DAY);
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), 18)).toISOString();
};

type Kind = 'confirmation' | 'text' | 'link' | 'file';
interface Prerequisite {
  id: string;
  title: string;
  kind: Kind;
  review: boolean;
}

interface Project {
  id: string;
  title: string;
  description: string;
  slots: string;
  mentorId: string;
  mentorName: string;
  mentorEmail: string;
}

interface Form {
  id: string;
  name: string;
  term: string;
  termId: string;
  adminEmail: string;
  adminTimeZone: string;
  slots: string;
  description: string;
  skills: string;
  applicationsCloseAt: string;
  reviewWindowDays: string;
  selectionDeadline: string;
  onboardingDeadline: string;
  termStartsAt: string;
  termEndsAt: string;
  evaluations: string[];
  stipendTotal: string;
  currency: string;
  countryAdjustments: string;
  prerequisites: Prerequisite[];
  projects: Project[];
}

const initial = (termId: string | undefined): Form => ({
  id: '',
  name: '',
  term: '',
  termId: termId ?? '',
  adminEmail: '',
  adminTimeZone: viewerTimeZone,
  slots: '',
  description: '',
  skills: '',
  applicationsCloseAt: inDays(21),
  reviewWindowDays: '14',
  selectionDeadline: inDays(37),
  onboardingDeadline: inDays(42),
  termStartsAt: inDays(44),
  termEndsAt: inDays(128),
  evaluations: [inDays(65), inDays(86), inDays(107), inDays(128)],
  stipendTotal: '6000',
  currency: 'USD',
  countryAdjustments: '',
  prerequisites: [{ id: 'intro-call', title: 'Attend the intro call', kind: 'confirmation', review: false }],
  projects: [],
});

/** Every field the form shows an error beside; the summary lists the others. */
const shownFields = (form: Form) => [
  'id',
  'name',
  'term',
  'termId',
  'adminEmail',
  'adminTimeZone',
  'slots',
  'description',
  'skills',
  'applicationsCloseAt',
  'reviewWindowDays',
  'selectionDeadline',
  'onboardingDeadline',
  'termStartsAt',
  'termEndsAt',
  'evaluations',
  ...form.evaluations.flatMap((_, i) => [`evaluations.${i}`, `evaluations.${i}.dueAt`]),
  'stipend',
  'stipend.total',
  'stipend.currency',
  'stipend.countryAdjustments',
  'prerequisites',
  ...form.prerequisites.flatMap((_, i) => [
    `prerequisites.${i}`,
    `prerequisites.${i}.id`,
    `prerequisites.${i}.title`,
    `prerequisites.${i}.kind`,
  ]),
  'projects',
  ...form.projects.flatMap((_, i) =>
    [
      '',
      '.id',
      '.title',
      '.description',
      '.slots',
      '.mentors',
      '.mentors.0.id',
      '.mentors.0.name',
      '.mentors.0.email',
    ].map((x) => `projects.${i}${x}`),
  ),
];

/** "IN=60, BR=80" as { IN: 60, BR: 80 }; a part that is not CODE=NUMBER is kept as NaN for the API to name. */
function adjustments(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(/[,;\n]/)) {
    if (!part.trim()) continue;
    const [code = '', percent = ''] = part.split(/[=:]/).map((x) => x.trim());
    out[code.toUpperCase()] = Number(percent);
  }
  return out;
}

const intOrText = (value: string) =>
  value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;

export function NewProgramPage() {
  const session = useSignedIn();
  const search = route.useSearch();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState<Form>(() => initial(search.termId));
  const set = (patch: Partial<Form>) => setForm((f) => ({ ...f, ...patch }));
  const create = useMutation({
    mutationFn: () => {
      const skills = form.skills
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const body = {
        id: form.id.trim(),
        name: form.name.trim(),
        term: form.term.trim(),
        ...(form.termId.trim() ? { termId: form.termId.trim() } : {}),
        ...(form.slots.trim() ? { slots: intOrText(form.slots) } : {}),
        adminEmail: form.adminEmail.trim(),
        ...(form.adminTimeZone.trim() ? { adminTimeZone: form.adminTimeZone.trim() } : {}),
        ...(form.description.trim() ? { description: form.description } : {}),
        ...(skills.length ? { skills } : {}),
        applicationsCloseAt: form.applicationsCloseAt,
        reviewWindowDays: intOrText(form.reviewWindowDays),
        selectionDeadline: form.selectionDeadline,
        onboardingDeadline: form.onboardingDeadline,
        termStartsAt: form.termStartsAt,
        termEndsAt: form.termEndsAt,
        evaluations: form.evaluations.map((dueAt) => ({ dueAt })),
        prerequisites: form.prerequisites.map((p) => ({
          id: p.id.trim(),
          title: p.title.trim(),
          kind: p.kind,
          review: p.review,
        })),
        ...(form.projects.length
          ? {
              projects: form.projects.map((p) => ({
                id: p.id.trim(),
                title: p.title.trim(),
                ...(p.description.trim() ? { description: p.description } : {}),
                ...(p.slots.trim() ? { slots: intOrText(p.slots) } : {}),
                mentors:
                  p.mentorId.trim() || p.mentorName.trim() || p.mentorEmail.trim()
                    ? [{ id: p.mentorId.trim(), name: p.mentorName.trim(), email: p.mentorEmail.trim() }]
                    : [],
              })),
            }
          : {}),
        stipend: {
          total: intOrText(form.stipendTotal),
          currency: form.currency.trim(),
          countryAdjustments: adjustments(form.countryAdjustments),
        },
      };
      // the fields are checked by the API, and each of its errors is shown at its field
      return send((headers) => api().POST('/programs', { headers, body: body as never }));
    },
    onSuccess: async () => {
      await queryClient.invalidateQueries({ queryKey: ['programs'] });
      const programId = form.id.trim();
      void navigate({ to: '/admin/programs/$programId', params: { programId }, search: {} });
    },
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const at = (path: string) => fields[path];
  const evaluationError = fields.evaluations;
  const prerequisitesError = fields.prerequisites;
  return (
    <Page
      title="Create a program"
      lead={
        <>
          A program term: its schedule, evaluations, stipend and prerequisites. Dates are in your time zone (
          {viewerTimeZone}); the UTC instant is shown under each.
        </>
      }
      actions={
        <Link to="/admin" search={{}} className="button button-secondary">
          Back to programs
        </Link>
      }
    >
      <form
        noValidate
        aria-label="Create a program"
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <ErrorSummary error={create.error} shown={shownFields(form)} />
        <Section title="The program">
          <div className="grid-2">
            <Field
              label="Program id"
              required
              hint={
                session.role === 'admin'
                  ? 'Lowercase letters, digits and dashes; your token must name it'
                  : 'Lowercase letters, digits and dashes, e.g. lfx-2027-t1-k8s'
              }
              error={at('id')}
            >
              {(p) => <input {...p} value={form.id} onChange={(e) => set({ id: e.target.value })} />}
            </Field>
            <Field label="Name" required error={at('name')}>
              {(p) => <input {...p} value={form.name} onChange={(e) => set({ name: e.target.value })} />}
            </Field>
            <Field
              label="Term label"
              required
              hint="As applicants read it, e.g. 2027 Term 1"
              error={at('term')}
            >
              {(p) => <input {...p} value={form.term} onChange={(e) => set({ term: e.target.value })} />}
            </Field>
            <Field
              label="Term id"
              hint={
                <>
                  Optional: the <Link to="/admin/terms">term</Link> whose rules the program follows
                </>
              }
              error={at('termId')}
            >
              {(p) => <input {...p} value={form.termId} onChange={(e) => set({ termId: e.target.value })} />}
            </Field>
            <Field label="Admins' email" required error={at('adminEmail')}>
              {(p) => (
                <input
                  {...p}
                  type="email"
                  autoComplete="off"
                  value={form.adminEmail}
                  onChange={(e) => set({ adminEmail: e.target.value })}
                />
              )}
            </Field>
            <Field label="Admins' time zone" hint="IANA name, e.g. Europe/Berlin" error={at('adminTimeZone')}>
              {(p) => (
                <input
                  {...p}
                  value={form.adminTimeZone}
                  onChange={(e) => set({ adminTimeZone: e.target.value })}
                />
              )}
            </Field>
            <Field
              label="Slots"
              hint="Mentees the program may select; empty: the term's rule"
              error={at('slots')}
            >
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  value={form.slots}
                  onChange={(e) => set({ slots: e.target.value })}
                />
              )}
            </Field>
            <Field label="Skills" hint="Separated by commas" error={at('skills')}>
              {(p) => <input {...p} value={form.skills} onChange={(e) => set({ skills: e.target.value })} />}
            </Field>
          </div>
          <Field label="Description" hint="Markdown: what an applicant reads first" error={at('description')}>
            {(p) => (
              <textarea
                {...p}
                rows={4}
                value={form.description}
                onChange={(e) => set({ description: e.target.value })}
              />
            )}
          </Field>
        </Section>

        <Section title="Schedule">
          <div className="grid-2">
            <DateTimeField
              label="Applications close"
              required
              value={form.applicationsCloseAt}
              onChange={(applicationsCloseAt) => set({ applicationsCloseAt })}
              error={at('applicationsCloseAt')}
            />
            <Field
              label="Review window (days)"
              required
              hint="After applications close; at least 14"
              error={at('reviewWindowDays')}
            >
              {(p) => (
                <input
                  {...p}
                  inputMode="numeric"
                  value={form.reviewWindowDays}
                  onChange={(e) => set({ reviewWindowDays: e.target.value })}
                />
              )}
            </Field>
            <DateTimeField
              label="Selection deadline"
              required
              value={form.selectionDeadline}
              onChange={(selectionDeadline) => set({ selectionDeadline })}
              error={at('selectionDeadline')}
            />
            <DateTimeField
              label="Onboarding deadline"
              required
              value={form.onboardingDeadline}
              onChange={(onboardingDeadline) => set({ onboardingDeadline })}
              error={at('onboardingDeadline')}
            />
            <DateTimeField
              label="Term starts"
              required
              value={form.termStartsAt}
              onChange={(termStartsAt) => set({ termStartsAt })}
              error={at('termStartsAt')}
            />
            <DateTimeField
              label="Term ends"
              required
              value={form.termEndsAt}
              onChange={(termEndsAt) => set({ termEndsAt })}
              error={at('termEndsAt')}
            />
          </div>
        </Section>

        <Section title="Evaluations">
          <FieldSet legend="Due dates" hint="Three or four evaluations, in order" error={evaluationError}>
            <div className="grid-2">
              {form.evaluations.map((dueAt, i) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: the n-th evaluation, edited in place
                <div key={`evaluation-${i + 1}`}>
                  <DateTimeField
                    label={`Evaluation ${i + 1} due`}
                    value={dueAt}
                    onChange={(v) => set({ evaluations: form.evaluations.map((x, j) => (j === i ? v : x)) })}
                    error={at(`evaluations.${i}.dueAt`) ?? at(`evaluations.${i}`)}
                  />
                </div>
              ))}
            </div>
            <div className="form-actions">
              <Button
                variant="secondary"
                disabled={form.evaluations.length >= 4}
                onClick={() => set({ evaluations: [...form.evaluations, form.termEndsAt] })}
              >
                Add an evaluation
              </Button>
              <Button
                variant="secondary"
                disabled={form.evaluations.length <= 1}
                onClick={() => set({ evaluations: form.evaluations.slice(0, -1) })}
              >
                Remove the last evaluation
              </Button>
            </div>
          </FieldSet>
        </Section>

        <Section title="Stipend">
          <div className="grid-2">
            <Field
              label="Total"
              required
              hint="Major units, before country adjustment"
              error={at('stipend.total')}
            >
              {(p) => (
                <input
                  {...p}
                  inputMode="decimal"
                  value={form.stipendTotal}
                  onChange={(e) => set({ stipendTotal: e.target.value })}
                />
              )}
            </Field>
            <Field label="Currency" hint="ISO 4217, e.g. USD" error={at('stipend.currency')}>
              {(p) => (
                <input {...p} value={form.currency} onChange={(e) => set({ currency: e.target.value })} />
              )}
            </Field>
          </div>
          <Field
            label="Country adjustments"
            hint="Percent of the total by country of residence, e.g. IN=60, BR=80"
            error={
              at('stipend.countryAdjustments') ??
              Object.entries(fields).find(([k]) => k.startsWith('stipend.countryAdjustments.'))?.[1]
            }
          >
            {(p) => (
              <input
                {...p}
                value={form.countryAdjustments}
                onChange={(e) => set({ countryAdjustments: e.target.value })}
              />
            )}
          </Field>
        </Section>

        <Section title="Prerequisites">
          {prerequisitesError && <p className="field-error">{prerequisitesError}</p>}
          {form.prerequisites.length === 0 && (
            <p className="muted">No prerequisites: applicants only apply.</p>
          )}
          {form.prerequisites.map((item, i) => {
            const change = (patch: Partial<Prerequisite>) =>
              set({ prerequisites: form.prerequisites.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, never reordered
              <fieldset key={i} className="field subform">
                <legend>Prerequisite {i + 1}</legend>
                <div className="grid-2">
                  <Field label={`Prerequisite ${i + 1} id`} error={at(`prerequisites.${i}.id`)}>
                    {(p) => <input {...p} value={item.id} onChange={(e) => change({ id: e.target.value })} />}
                  </Field>
                  <Field label={`Prerequisite ${i + 1} title`} error={at(`prerequisites.${i}.title`)}>
                    {(p) => (
                      <input {...p} value={item.title} onChange={(e) => change({ title: e.target.value })} />
                    )}
                  </Field>
                  <Field
                    label={`Prerequisite ${i + 1}: what the applicant hands in`}
                    error={at(`prerequisites.${i}.kind`)}
                  >
                    {(p) => (
                      <select
                        {...p}
                        value={item.kind}
                        onChange={(e) => change({ kind: e.target.value as Kind })}
                      >
                        <option value="confirmation">Nothing (a confirmation)</option>
                        <option value="text">A text answer</option>
                        <option value="link">A link</option>
                        <option value="file">A PDF file</option>
                      </select>
                    )}
                  </Field>
                  <label className="choice">
                    <input
                      type="checkbox"
                      checked={item.review}
                      onChange={(e) => change({ review: e.target.checked })}
                    />{' '}
                    A mentor or admin reviews it
                  </label>
                </div>
                <Button
                  variant="secondary"
                  onClick={() => set({ prerequisites: form.prerequisites.filter((_, j) => j !== i) })}
                >
                  Remove prerequisite {i + 1}
                </Button>
              </fieldset>
            );
          })}
          <div className="form-actions">
            <Button
              variant="secondary"
              onClick={() =>
                set({
                  prerequisites: [
                    ...form.prerequisites,
                    { id: '', title: '', kind: 'confirmation', review: false },
                  ],
                })
              }
            >
              Add a prerequisite
            </Button>
          </div>
        </Section>

        <Section title="Projects">
          <p className="hint">
            Optional: the ideas applicants apply for, each with a mentor committed to it (selecting the top N
            needs them).
          </p>
          {at('projects') && <p className="field-error">{at('projects')}</p>}
          {form.projects.map((item, i) => {
            const change = (patch: Partial<Project>) =>
              set({ projects: form.projects.map((x, j) => (j === i ? { ...x, ...patch } : x)) });
            const n = i + 1;
            const err = (k: string) => at(`projects.${i}.${k}`);
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place, never reordered
              <fieldset key={i} className="field subform">
                <legend>Project {n}</legend>
                <div className="grid-2">
                  <Field label={`Project ${n} id`} error={err('id')}>
                    {(p) => <input {...p} value={item.id} onChange={(e) => change({ id: e.target.value })} />}
                  </Field>
                  <Field label={`Project ${n} title`} error={err('title')}>
                    {(p) => (
                      <input {...p} value={item.title} onChange={(e) => change({ title: e.target.value })} />
                    )}
                  </Field>
                  <Field
                    label={`Project ${n} mentor's user id`}
                    error={err('mentors.0.id') ?? err('mentors')}
                  >
                    {(p) => (
                      <input
                        {...p}
                        value={item.mentorId}
                        onChange={(e) => change({ mentorId: e.target.value })}
                      />
                    )}
                  </Field>
                  <Field label={`Project ${n} mentor's name`} error={err('mentors.0.name')}>
                    {(p) => (
                      <input
                        {...p}
                        value={item.mentorName}
                        onChange={(e) => change({ mentorName: e.target.value })}
                      />
                    )}
                  </Field>
                  <Field label={`Project ${n} mentor's email`} error={err('mentors.0.email')}>
                    {(p) => (
                      <input
                        {...p}
                        type="email"
                        value={item.mentorEmail}
                        onChange={(e) => change({ mentorEmail: e.target.value })}
                      />
                    )}
                  </Field>
                  <Field label={`Project ${n} slots`} hint="Empty: no own limit" error={err('slots')}>
                    {(p) => (
                      <input
                        {...p}
                        inputMode="numeric"
                        value={item.slots}
                        onChange={(e) => change({ slots: e.target.value })}
                      />
                    )}
                  </Field>
                </div>
                <Field label={`Project ${n} description`} hint="Markdown" error={err('description')}>
                  {(p) => (
                    <textarea
                      {...p}
                      rows={2}
                      value={item.description}
                      onChange={(e) => change({ description: e.target.value })}
                    />
                  )}
                </Field>
                <Button
                  variant="secondary"
                  onClick={() => set({ projects: form.projects.filter((_, j) => j !== i) })}
                >
                  Remove project {n}
                </Button>
              </fieldset>
            );
          })}
          <div className="form-actions">
            <Button
              variant="secondary"
              onClick={() =>
                set({
                  projects: [
                    ...form.projects,
                    {
                      id: '',
                      title: '',
                      description: '',
                      slots: '',
                      mentorId: '',
                      mentorName: '',
                      mentorEmail: '',
                    },
                  ],
                })
              }
            >
              Add a project
            </Button>
          </div>
        </Section>

        <div className="form-actions">
          <Button type="submit" pending={create.isPending} pendingLabel="Creating…">
            Create the program
          </Button>
          <Link to="/admin" search={{}} className="button button-secondary">
            Cancel
          </Link>
        </div>
      </form>
    </Page>
  );
}
