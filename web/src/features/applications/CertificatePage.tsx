import { useQuery } from '@tanstack/react-query';
import { getRouteApi } from '@tanstack/react-router';
import { apiUrl } from '../../api/client';
import { certificateQuery } from '../../api/queries';
import { Loaded, Page } from '../../components/Page';
import { When } from '../../components/When';

const route = getRouteApi('/certificates/$code');

/** Public verification of a Letter of Completion: anyone with the code, no sign-in. */
export function CertificatePage() {
  const { code } = route.useParams();
  const query = useQuery(certificateQuery(code));
  return (
    <Page title="Letter of Completion" lead={`Verification code ${code}`}>
      <Loaded query={query} what="the certificate">
        {(c) => (
          <section className="card certificate" aria-label="Verified certificate">
            <p className="verified">
              <span aria-hidden="true">✓</span> Genuine: issued by the program.
            </p>
            <dl className="facts">
              <dt>Mentee</dt>
              <dd>{c.menteeName}</dd>
              <dt>Program</dt>
              <dd>
                {c.programName}, {c.term}
              </dd>
              <dt>Project</dt>
              <dd>{c.projectTitle}</dd>
              <dt>Mentor</dt>
              <dd>{c.mentorName}</dd>
              <dt>Term</dt>
              <dd>
                <When at={c.termStartsAt} utcBeside={false} /> to <When at={c.termEndsAt} utcBeside={false} />
              </dd>
              <dt>Issued</dt>
              <dd>
                <When at={c.issuedAt} />
              </dd>
            </dl>
            <a
              className="button button-primary"
              download
              href={apiUrl(`/certificates/${encodeURIComponent(c.verificationCode)}/pdf`)}
            >
              Download the letter (PDF)
            </a>
          </section>
        )}
      </Loaded>
    </Page>
  );
}
