import { useQuery } from '@tanstack/react-query';
import { getRouteApi, Link } from '@tanstack/react-router';
import { programQuery } from '../../api/queries';
import { useSession } from '../../auth/session';
import { Markdown } from '../../components/Markdown';
import { LoadError, Loaded, Page, Section } from '../../components/Page';
import { Timeline } from '../../components/Timeline';

const route = getRouteApi('/signed-in/programs/$programId');

export function ProgramPage() {
  const { programId } = route.useParams();
  const session = useSession();
  const query = useQuery(programQuery(programId));
  if (query.isError)
    return <LoadError error={query.error} what="the program" retry={() => void query.refetch()} />;
  const program = query.data?.definition;
  const now = Date.now();
  const open =
    program &&
    now < Date.parse(program.applicationsCloseAt) &&
    (!program.applicationsOpenAt || now >= Date.parse(program.applicationsOpenAt));
  return (
    <Page
      title={query.data ? `${query.data.name}: ${query.data.term}` : 'Program'}
      actions={
        session?.role === 'mentee' && open ? (
          <Link to="/programs/$programId/apply" params={{ programId }} className="button button-primary">
            Apply
          </Link>
        ) : undefined
      }
    >
      <Loaded query={query} what="the program">
        {({ definition: p }) => (
          <div className="columns">
            <div className="stack">
              {p.description ? (
                <Section title="About">
                  <Markdown text={p.description} />
                </Section>
              ) : null}
              {(p.projects ?? []).length > 0 && (
                <Section title="Projects">
                  <ul className="plain-list">
                    {p.projects!.map((project) => (
                      <li key={project.id} className="project">
                        <h3>{project.title}</h3>
                        {project.description && <Markdown text={project.description} level={4} />}
                        <p className="muted">
                          Mentors:{' '}
                          {(project.mentors ?? []).map((m) => m.name).join(', ') || 'to be announced'}
                          {project.slots ? ` · ${project.slots} slot${project.slots === 1 ? '' : 's'}` : ''}
                        </p>
                        {(project.skills ?? []).length > 0 && (
                          <ul className="tags" aria-label={`Skills for ${project.title}`}>
                            {project.skills!.map((s) => (
                              <li key={s}>{s}</li>
                            ))}
                          </ul>
                        )}
                      </li>
                    ))}
                  </ul>
                </Section>
              )}
              {((p.prerequisites ?? []).length > 0 || (p.questions ?? []).length > 0) && (
                <Section title="What you will be asked">
                  {(p.questions ?? []).length > 0 && (
                    <>
                      <h3>Questions</h3>
                      <ul>
                        {p.questions!.map((q) => (
                          <li key={q.id}>
                            {q.prompt}
                            {q.required === false ? <span className="muted"> (optional)</span> : null}
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                  {(p.prerequisites ?? []).length > 0 && (
                    <>
                      <h3>Tasks during review</h3>
                      <ul>
                        {p.prerequisites!.map((t) => (
                          <li key={t.id}>
                            {t.title}
                            {t.review ? <span className="muted"> (reviewed by a mentor)</span> : null}
                          </li>
                        ))}
                      </ul>
                    </>
                  )}
                  {p.proposal && p.proposal !== 'none' && <p>A proposal (PDF) is {p.proposal}.</p>}
                </Section>
              )}
            </div>
            <div className="stack">
              <Section title="Dates">
                <Timeline
                  label="Program dates"
                  events={[
                    ...(p.applicationsOpenAt
                      ? [{ key: 'open', at: p.applicationsOpenAt, title: 'Applications open' }]
                      : []),
                    { key: 'close', at: p.applicationsCloseAt, title: 'Applications close' },
                    { key: 'selection', at: p.selectionDeadline, title: 'Selection deadline' },
                    { key: 'onboarding', at: p.onboardingDeadline, title: 'Onboarding deadline' },
                    { key: 'start', at: p.termStartsAt, title: 'Term starts' },
                    ...(p.evaluations ?? []).map((e, n) => ({
                      key: `e${n}`,
                      at: e.dueAt,
                      title: `Evaluation ${n + 1} due`,
                    })),
                    { key: 'end', at: p.termEndsAt, title: 'Term ends' },
                  ].map((e) => ({
                    ...e,
                    state: Date.parse(e.at) < now ? ('done' as const) : ('upcoming' as const),
                  }))}
                />
              </Section>
              {p.stipend && (
                <Section title="Stipend">
                  <p>
                    {new Intl.NumberFormat(undefined, {
                      style: 'currency',
                      currency: p.stipend.currency ?? 'USD',
                    }).format(p.stipend.total)}{' '}
                    in all, paid in installments after evaluations (adjusted by country of residence).
                  </p>
                </Section>
              )}
            </div>
          </div>
        )}
      </Loaded>
    </Page>
  );
}
