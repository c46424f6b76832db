import { createRoute, z } from '@hono/zod-openapi';
import { normalizeVerificationCode } from '../../domain/certificate-codes.js';
import { notFound, ProblemError } from '../../domain/problems.js';
import type { ApiDeps } from '../deps.js';
import { EXAMPLES } from '../examples.js';
import { newRouter } from '../router.js';
import { Param, problemResponse } from '../schemas.js';

const Certificate = z
  .object({
    verificationCode: z.string(),
    valid: z.literal(true),
    menteeName: z.string(),
    programName: z.string(),
    term: z.string(),
    projectTitle: z.string(),
    mentorName: z.string(),
    termStartsAt: z.string(),
    termEndsAt: z.string(),
    issuedAt: z.string(),
    pdfUrl: z.string(),
  })
  .openapi({ example: EXAMPLES.Certificate })
  .openapi('Certificate');

const params = z.object({ code: Param.certificateCode });
const verify = createRoute({
  method: 'get',
  tags: ['Certificates'],
  path: '/certificates/{code}',
  summary: 'Verify a Letter of Completion by its code (public)',
  request: { params },
  responses: {
    200: { description: 'A genuine certificate', content: { 'application/json': { schema: Certificate } } },
    404: problemResponse('No certificate with this code'),
    410: problemResponse('The certificate was issued; its holder has since had their data erased'),
    429: problemResponse('Too many requests from this address; retry after `Retry-After` seconds'),
  },
});
const download = createRoute({
  method: 'get',
  tags: ['Certificates'],
  path: '/certificates/{code}/pdf',
  summary: 'Download the Letter of Completion PDF',
  request: { params },
  responses: {
    200: {
      description: 'The PDF',
      content: { 'application/pdf': { schema: z.string().openapi({ format: 'binary' }) } },
    },
    404: problemResponse('No certificate with this code'),
    410: problemResponse('The certificate was issued; its holder has since had their data erased'),
    429: problemResponse('Too many requests from this address; retry after `Retry-After` seconds'),
  },
});

export function certificateRoutes({ sql }: ApiDeps) {
  const app = newRouter();
  const find = async (raw: string) => {
    const code = normalizeVerificationCode(raw);
    const [row] = code ? await sql`SELECT * FROM certificates WHERE verification_code = ${code}` : [];
    if (!row) throw notFound('certificate', raw);
    if (row.erased_at) {
      throw new ProblemError(
        410,
        'certificate-erased',
        `Certificate ${row.verification_code} was issued, and its holder has since had their personal data erased`,
      );
    }
    return row;
  };

  app.openapi(verify, async (c) => {
    const row = await find(c.req.valid('param').code);
    return c.json(
      {
        verificationCode: row.verification_code,
        valid: true as const,
        menteeName: row.mentee_name,
        programName: row.program_name,
        term: row.term,
        projectTitle: row.project_title,
        mentorName: row.mentor_name,
        termStartsAt: row.term_starts_at.toISOString(),
        termEndsAt: row.term_ends_at.toISOString(),
        issuedAt: row.issued_at.toISOString(),
        pdfUrl: `/certificates/${row.verification_code}/pdf`,
      },
      200,
    );
  });

  app.openapi(download, async (c) => {
    const row = await find(c.req.valid('param').code);
    return c.body(new Uint8Array(row.pdf), 200, {
      'content-type': 'application/pdf',
      'content-disposition': `inline; filename="letter-of-completion-${row.verification_code}.pdf"`,
    });
  });
  return app;
}
