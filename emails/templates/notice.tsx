import { Body, Button, Container, Head, Heading, Hr, Html, Preview, Text } from '@react-email/components';

export interface EmailContext {
  recipientName: string;
  menteeName: string;
  programName: string;
  term: string;
  publicBaseUrl: string;
  /** The recipient's IANA time zone: deadlines are shown in it, with UTC beside. */
  timeZone: string;
}

export interface NoticeContent {
  preview: string;
  heading: string;
  paragraphs: string[];
  list?: string[];
  closing?: string[];
  action?: { label: string; href: string };
}

/** The one frame every program email shares: greeting, paragraphs, an optional list and button, signature. */
export function Notice({ context, content }: { context: EmailContext; content: NoticeContent }) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{content.preview}</Preview>
      <Body style={{ backgroundColor: '#f6f7f9', fontFamily: 'Helvetica, Arial, sans-serif' }}>
        <Container style={{ backgroundColor: '#ffffff', padding: '32px', maxWidth: '560px' }}>
          <Heading as="h2" style={{ color: '#1d2939' }}>
            {content.heading}
          </Heading>
          <Text>Hi {context.recipientName},</Text>
          {content.paragraphs.map((paragraph) => (
            <Text key={paragraph}>{paragraph}</Text>
          ))}
          {content.list?.map((item) => (
            <Text key={item} style={{ margin: '0 0 4px 16px' }}>
              • {item}
            </Text>
          ))}
          {content.closing?.map((paragraph) => (
            <Text key={paragraph}>{paragraph}</Text>
          ))}
          {content.action ? (
            <Button
              href={content.action.href}
              style={{
                backgroundColor: '#1570ef',
                color: '#ffffff',
                padding: '10px 18px',
                borderRadius: '6px',
              }}
            >
              {content.action.label}
            </Button>
          ) : null}
          <Hr />
          <Text style={{ color: '#667085', fontSize: '12px' }}>
            {context.programName} ({context.term}) mentorship program team
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

/**
 * The plain-text part of the same email, written from the content rather than converted from the HTML: the
 * conversion (html-to-text) cost more CPU than rendering the HTML itself.
 */
export function noticeText({ context, content }: { context: EmailContext; content: NoticeContent }): string {
  const blocks = [
    content.heading.toUpperCase(),
    `Hi ${context.recipientName},`,
    ...content.paragraphs,
    ...(content.list?.length ? [content.list.map((item) => `• ${item}`).join('\n')] : []),
    ...(content.closing ?? []),
    ...(content.action ? [`${content.action.label}: ${content.action.href}`] : []),
    '-'.repeat(40),
    `${context.programName} (${context.term}) mentorship program team`,
  ];
  return blocks.join('\n\n');
}
