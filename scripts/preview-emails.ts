import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { renderEmail } from '../emails/render.js';
import { SAMPLE_CONTEXT, SAMPLE_EMAILS } from '../emails/samples.js';

// `npm run emails:preview`: renders every email kind with sample data to HTML and text files.
const outDir = path.resolve(process.argv[2] ?? '.data/email-preview');
const context = { ...SAMPLE_CONTEXT, timeZone: process.env.PREVIEW_TIME_ZONE ?? SAMPLE_CONTEXT.timeZone };

await mkdir(outDir, { recursive: true });
for (const message of SAMPLE_EMAILS) {
  const { subject, html, text } = await renderEmail(message, context);
  await writeFile(path.join(outDir, `${message.kind}.html`), html);
  await writeFile(path.join(outDir, `${message.kind}.txt`), `Subject: ${subject}\n\n${text}\n`);
  process.stdout.write(
    `${message.kind.padEnd(22)} ${path.join(outDir, `${message.kind}.html`)}  "${subject}"\n`,
  );
}
