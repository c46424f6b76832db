import { render } from '@react-email/render';
import { createElement, type ReactElement } from 'react';
import type { EmailMessage } from '../domain/emails.js';
import { ApplicationReceived, NotAccepted, ReviewReminder } from './templates/application.js';
import type { EmailContext } from './templates/layout.js';

export interface RenderedEmail {
  subject: string;
  html: string;
  text: string;
}

/** Subject and template for every email kind; the compiler checks that no kind is missing. */
function compose(message: EmailMessage, context: EmailContext): { subject: string; element: ReactElement } {
  switch (message.kind) {
    case 'application-received':
      return {
        subject: `We received your application to ${context.programName}`,
        element: createElement(ApplicationReceived, { context, ...message }),
      };
    case 'review-reminder':
      return {
        subject: `Reminder: complete your prerequisites for ${context.programName}`,
        element: createElement(ReviewReminder, { context, ...message }),
      };
    case 'not-accepted':
      return {
        subject: `Your application to ${context.programName} was not accepted`,
        element: createElement(NotAccepted, { context, ...message }),
      };
  }
}

export async function renderEmail(message: EmailMessage, context: EmailContext): Promise<RenderedEmail> {
  const { subject, element } = compose(message, context);
  const [html, text] = await Promise.all([render(element), render(element, { plainText: true })]);
  return { subject, html, text };
}
