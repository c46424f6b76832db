/**
 * `npm run certificates:preview -- --name "张伟" --out letter.pdf`: renders a Letter of Completion with sample
 * data for any name (and optionally mentor, program, project) to a PDF file, to look at or to check a script.
 */
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { Command } from 'commander';
import { renderLetterOfCompletion } from '../certificates/render.js';

const options = new Command('certificates:preview')
  .description('Render a Letter of Completion for a name to a PDF file')
  .requiredOption('--name <name>', "the mentee's name, in any script")
  .option('--out <file>', 'where to write the PDF', 'letter.pdf')
  .option('--mentor <name>', "the mentor's name", 'Zoë Ångström')
  .option('--program <name>', 'the program', 'LFX Mentorship')
  .option('--term <term>', 'the term', '2026 Term 2')
  .option(
    '--project <title>',
    'the project title',
    'Kubernetes SIG Node: Improve the kubelet eviction manager',
  )
  .option('--code <code>', 'the verification code', 'ABCD-EFGH-JKMN')
  .parse()
  .opts<{
    name: string;
    out: string;
    mentor: string;
    program: string;
    term: string;
    project: string;
    code: string;
  }>();

const started = performance.now();
const pdf = await renderLetterOfCompletion({
  verificationCode: options.code,
  menteeName: options.name,
  programName: options.program,
  term: options.term,
  projectTitle: options.project,
  mentorName: options.mentor,
  termStartsAt: '2026-06-08T00:00:00Z',
  termEndsAt: '2026-08-28T23:59:59Z',
  issuedAt: '2026-09-04T10:00:00Z',
  verifyBaseUrl: 'https://mentorship.example.org',
});
const out = path.resolve(options.out);
await writeFile(out, pdf);
console.log(
  `${out}: ${(pdf.length / 1024).toFixed(1)} KiB, rendered in ${(performance.now() - started).toFixed(0)} ms`,
);
