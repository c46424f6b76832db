import { useMutation, useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { useEffect, useState } from 'react';
import { ApiError, api, send, unwrap } from '../../api/client';
import { Button } from '../../components/Button';
import { DateTimeField } from '../../components/DateTimeField';
import { ErrorSummary } from '../../components/ErrorSummary';
import { Field } from '../../components/Field';
import { Loaded, Page, Section } from '../../components/Page';
import { When } from '../../components/When';

const route = getRouteApi('/signed-in/admin/terms');

const TERM_FIELDS = [
  'id',
  'organization',
  'name',
  'maxOpenApplications',
  'maxAcceptances',
  'oncePerPerson',
  'announcementAt',
  'onboardingDaysAfterAnnouncement',
  'slotsPerProgram',
  'menteesPerMentor',
];

const optionalInt = (value: string) => (value.trim() === '' ? undefined : Number(value));

/** Terms: create one with the rules across its programs, and look one up (its id in the URL). */
export function TermsPage() {
  const search = route.useSearch();
  const navigate = route.useNavigate();
  const [lookup, setLookup] = useState(search.term ?? '');
  useEffect(() => setLookup(search.term ?? ''), [search.term]);
  return (
    <Page
      title="Terms"
      lead="A term groups an organization's programs under rules that span them: open applications per person, acceptances, slots, one announcement day."
      actions={
        <Link to="/admin" search={{}} className="button button-secondary">
          Back to programs
        </Link>
      }
    >
      <form
        className="card filters"
        aria-label="Find a term"
        onSubmit={(e) => {
          e.preventDefault();
          void navigate({ search: { term: lookup.trim() || undefined } });
        }}
      >
        <Field label="Term id">
          {(p) => <input {...p} value={lookup} onChange={(e) => setLookup(e.target.value)} />}
        </Field>
        <div className="filter-actions">
          <Button type="submit">Show the term</Button>
        </div>
      </form>
      {search.term && <TermView termId={search.term} />}
      <CreateTerm onCreated={(id) => void navigate({ search: { term: id } })} />
    </Page>
  );
}

function TermView({ termId }: { termId: string }) {
  const term = useQuery({
    queryKey: ['terms', termId],
    queryFn: ({ signal }) => unwrap(api().GET('/terms/{termId}', { params: { path: { termId } }, signal })),
    retry: false,
  });
  return (
    <Section title={`Term ${termId}`} id="term-view">
      <Loaded query={term} what={`term ${termId}`}>
        {(t) => (
          <>
            <dl className="facts">
              <dt>Name</dt>
              <dd>{t.name}</dd>
              <dt>Organization</dt>
              <dd>{t.organization}</dd>
              <dt>Open applications a person may have</dt>
              <dd>{t.maxOpenApplications}</dd>
              <dt>Acceptances a person may hold</dt>
              <dd>{t.maxAcceptances}</dd>
              <dt>Once per person</dt>
              <dd>{t.oncePerPerson ? 'Yes' : 'No'}</dd>
              <dt>Slots per program</dt>
              <dd>{t.slotsPerProgram ?? 'No limit'}</dd>
              <dt>Mentees per mentor</dt>
              <dd>{t.menteesPerMentor ?? 'No limit'}</dd>
              <dt>Results announced</dt>
              <dd>{t.announcementAt ? <When at={t.announcementAt} /> : 'As soon as decided'}</dd>
              <dt>Onboarding due after the announcement</dt>
              <dd>{t.onboardingDaysAfterAnnouncement} days</dd>
              <dt>Created</dt>
              <dd>
                <When at={t.createdAt} />
              </dd>
            </dl>
            <h3>Programs</h3>
            {t.programs.length === 0 ? (
              <p className="muted">No program belongs to this term yet.</p>
            ) : (
              <ul>
                {t.programs.map((id) => (
                  <li key={id}>
                    <Link to="/admin/programs/$programId" params={{ programId: id }} search={{}}>
                      {id}
                    </Link>
                  </li>
                ))}
              </ul>
            )}
            <Link to="/admin/programs/new" search={{ termId: t.id }} className="button button-secondary">
              Create a program in this term
            </Link>
          </>
        )}
      </Loaded>
    </Section>
  );
}

function CreateTerm({ onCreated }: { onCreated: (id: string) => void }) {
  const [form, setForm] = useState({
    id: '',
    organization: '',
    name: '',
    maxOpenApplications: '3',
    maxAcceptances: '1',
    oncePerPerson: false,
    announcementAt: '',
    onboardingDaysAfterAnnouncement: '5',
    slotsPerProgram: '',
    menteesPerMentor: '',
  });
  const set = (patch: Partial<typeof form>) => setForm((f) => ({ ...f, ...patch }));
  const create = useMutation({
    mutationFn: () =>
      send((headers) =>
        api().POST('/terms', {
          headers,
          body: {
            id: form.id.trim(),
            organization: form.organization.trim(),
            name: form.name.trim(),
            maxOpenApplications: optionalInt(form.maxOpenApplications),
            maxAcceptances: optionalInt(form.maxAcceptances),
            oncePerPerson: form.oncePerPerson,
            announcementAt: form.announcementAt || null,
            onboardingDaysAfterAnnouncement: optionalInt(form.onboardingDaysAfterAnnouncement),
            slotsPerProgram: optionalInt(form.slotsPerProgram) ?? null,
            menteesPerMentor: optionalInt(form.menteesPerMentor) ?? null,
          },
        }),
      ),
    onSuccess: (term) => onCreated(term.id),
  });
  const fields = create.error instanceof ApiError ? create.error.fields : {};
  const number = (key: keyof typeof form, label: string, hint?: string) => (
    <Field label={label} hint={hint} error={fields[key]}>
      {(p) => (
        <input
          {...p}
          inputMode="numeric"
          value={form[key] as string}
          onChange={(e) => set({ [key]: e.target.value })}
        />
      )}
    </Field>
  );
  return (
    <Section title="Create a term">
      <form
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          create.mutate();
        }}
      >
        <ErrorSummary error={create.error} shown={TERM_FIELDS} />
        <div className="grid-2">
          <Field
            label="Term id"
            required
            hint="Lowercase letters, digits and dashes, e.g. lfx-2027-t1"
            error={fields.id}
          >
            {(p) => <input {...p} value={form.id} onChange={(e) => set({ id: e.target.value })} />}
          </Field>
          <Field label="Name" required hint="e.g. 2027 Term 1" error={fields.name}>
            {(p) => <input {...p} value={form.name} onChange={(e) => set({ name: e.target.value })} />}
          </Field>
          <Field label="Organization" required error={fields.organization}>
            {(p) => (
              <input
                {...p}
                value={form.organization}
                onChange={(e) => set({ organization: e.target.value })}
              />
            )}
          </Field>
          {number(
            'maxOpenApplications',
            'Open applications per person',
            'Withdrawn and ended ones do not count',
          )}
          {number(
            'maxAcceptances',
            'Acceptances per person',
            'Programs a person may be selected in at a time',
          )}
          {number('slotsPerProgram', 'Slots per program', 'Empty: no limit (a program may set its own)')}
          {number(
            'menteesPerMentor',
            'Mentees per mentor',
            'Across the programs of the term; empty: no limit',
          )}
          {number('onboardingDaysAfterAnnouncement', 'Onboarding days after the announcement')}
          <DateTimeField
            label="Announce results at"
            hint="Empty: each result is told as soon as it is decided."
            value={form.announcementAt}
            onChange={(announcementAt) => set({ announcementAt })}
            error={fields.announcementAt}
          />
        </div>
        <label className="choice">
          <input
            type="checkbox"
            checked={form.oncePerPerson}
            onChange={(e) => set({ oncePerPerson: e.target.checked })}
          />{' '}
          Once per person: whoever was active in or completed an earlier term of the organization may not
          apply
        </label>
        {fields.oncePerPerson && <p className="field-error">{fields.oncePerPerson}</p>}
        <div className="form-actions">
          <Button type="submit" pending={create.isPending} pendingLabel="Creating…">
            Create the term
          </Button>
        </div>
        {create.data && (
          <p role="status">
            Term <strong>{create.data.id}</strong> created.
          </p>
        )}
      </form>
    </Section>
  );
}
