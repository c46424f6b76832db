import { toPlainText } from '@react-email/render';
import { describe, expect, it } from 'vitest';
import { renderEmail } from '../emails/render.js';
import { SAMPLE_CONTEXT, SAMPLE_EMAILS } from '../emails/samples.js';

// the words a reader sees, in order: separators and the colon after a button's label aside
const words = (text: string) =>
  text
    .replace(/-{10,}/g, ' ')
    .split(/\s+/)
    .map((word) => word.replace(/:$/, ''))
    .filter(Boolean);

describe('the plain-text part of every email', () => {
  it.each(SAMPLE_EMAILS.map((message) => [message.kind, message] as const))(
    '%s says what its HTML says',
    async (_kind, message) => {
      const { html, text } = await renderEmail(message, SAMPLE_CONTEXT);
      // the converter the email library uses for its own plain text is the reference
      expect(words(text)).toEqual(words(toPlainText(html)));
      expect(text).toContain(`Hi ${SAMPLE_CONTEXT.recipientName},`);
    },
  );
});
