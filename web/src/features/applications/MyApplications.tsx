import { useQuery } from '@tanstack/react-query';
import { Link } from '@tanstack/react-router';
import { myApplicationsQuery } from '../../api/queries';
import { Loaded, Page } from '../../components/Page';
import { Stage } from '../../components/Stage';
import { Table } from '../../components/Table';
import { When } from '../../components/When';

export function MyApplications() {
  const query = useQuery(myApplicationsQuery());
  return (
    <Page
      title="My applications"
      actions={
        <Link to="/programs" search={{ status: 'open' }} className="button button-secondary">
          Find programs
        </Link>
      }
    >
      <Loaded
        query={query}
        what="your applications"
        isEmpty={(page) => page.items.length === 0}
        empty={
          <>
            <p>You have not applied to a program yet.</p>
            <Link to="/programs" search={{ status: 'open' }} className="button button-primary">
              Find a program
            </Link>
          </>
        }
      >
        {(page) => (
          <Table
            caption="Your applications, newest first"
            rows={page.items}
            rowKey={(a) => a.id}
            columns={[
              {
                label: 'Program',
                header: 'Program',
                cell: (a) => (
                  <Link to="/applications/$applicationId" params={{ applicationId: a.id }}>
                    {a.programId}
                  </Link>
                ),
              },
              { label: 'Stage', header: 'Stage', cell: (a) => <Stage stage={a.stage} /> },
              {
                label: 'Project',
                header: 'Project',
                cell: (a) => a.projectTitle ?? <span className="muted">—</span>,
              },
              {
                label: 'Next step',
                header: 'Next step',
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
                    <span className="muted">Nothing to do</span>
                  ),
              },
              {
                label: 'Applied',
                header: 'Applied',
                cell: (a) => <When at={a.createdAt} utcBeside={false} />,
              },
            ]}
          />
        )}
      </Loaded>
    </Page>
  );
}
