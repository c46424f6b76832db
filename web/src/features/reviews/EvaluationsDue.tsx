import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { evaluationsDueQuery } from '../../api/queries';
import { useSignedIn } from '../../auth/session';
import { Loaded, Page } from '../../components/Page';
import { Badge } from '../../components/Stage';
import { Table } from '../../components/Table';
import { When } from '../../components/When';

export function EvaluationsDue() {
  const session = useSignedIn();
  const query = useQuery(evaluationsDueQuery());
  return (
    <Page title="Evaluations due" lead="Not yet submitted, due from four weeks ago to eight weeks ahead.">
      <Loaded
        query={query}
        what="evaluations"
        isEmpty={(p) => p.items.length === 0}
        empty={<p>No evaluations are due.</p>}
      >
        {(page) => (
          <Table
            caption="Evaluations to submit"
            rows={page.items}
            rowKey={(e) => `${e.applicationId}/${e.number}`}
            columns={[
              { label: 'Mentee', header: 'Mentee', cell: (e) => e.menteeId },
              { label: 'Program', header: 'Program', cell: (e) => e.programId },
              { label: 'Evaluation', header: 'Evaluation', cell: (e) => `#${e.number}` },
              {
                label: 'Due',
                header: 'Due',
                cell: (e) => (
                  <>
                    <When at={e.dueAt} />{' '}
                    {Date.parse(e.dueAt) < Date.now() && <Badge tone="bad">overdue</Badge>}
                  </>
                ),
              },
              {
                label: 'Action',
                header: 'Action',
                cell: (e) =>
                  session.role === 'mentor' && e.mentorId === session.userId ? (
                    <Link
                      to="/evaluations/$applicationId/$number"
                      params={{ applicationId: e.applicationId, number: String(e.number) }}
                    >
                      Evaluate
                      <span className="visually-hidden">
                        {' '}
                        {e.menteeId}, evaluation {e.number}
                      </span>
                    </Link>
                  ) : (
                    <span className="muted">{e.mentorId ?? 'no mentor'}</span>
                  ),
              },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}
