import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { menteesQuery } from '../../api/queries';
import { useSignedIn } from '../../auth/session';
import { Loaded, Page } from '../../components/Page';
import { Stage } from '../../components/Stage';
import { Table } from '../../components/Table';
import { When } from '../../components/When';

export function Mentees() {
  const session = useSignedIn();
  const query = useQuery(menteesQuery(session.userId));
  return (
    <Page title="My mentees">
      <Loaded
        query={query}
        what="your mentees"
        isEmpty={(p) => p.items.length === 0}
        empty={<p>You have no mentees yet: they appear here once you select them.</p>}
      >
        {(page) => (
          <Table
            caption="Mentees you selected"
            rows={page.items}
            rowKey={(a) => a.id}
            columns={[
              {
                label: 'Mentee',
                header: 'Mentee',
                cell: (a) => (
                  <Link
                    to="/review/$applicationId"
                    params={{ applicationId: a.id }}
                    search={{ program: a.programId, mentee: a.menteeId }}
                  >
                    {a.menteeId}
                  </Link>
                ),
              },
              { label: 'Program', header: 'Program', cell: (a) => a.programId },
              { label: 'Project', header: 'Project', cell: (a) => a.projectTitle ?? '—' },
              { label: 'Stage', header: 'Stage', cell: (a) => <Stage stage={a.stage} /> },
              {
                label: 'Next',
                header: 'Next',
                cell: (a) =>
                  a.next?.what ? (
                    <>
                      {a.next.what}
                      {a.next.deadline && (
                        <>
                          {' '}
                          by <When at={a.next.deadline} />
                        </>
                      )}
                    </>
                  ) : (
                    '—'
                  ),
              },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}
