import { Body, Container, Head, Heading, Hr, Html, Preview, Text } from '@react-email/components';
import type { ReactNode } from 'react';

export interface EmailContext {
  menteeName: string;
  programName: string;
  term: string;
}

/** The frame every program email shares: greeting, content, signature. */
export function Layout({
  preview,
  heading,
  context,
  children,
}: {
  preview: string;
  heading: string;
  context: EmailContext;
  children: ReactNode;
}) {
  return (
    <Html lang="en">
      <Head />
      <Preview>{preview}</Preview>
      <Body style={{ backgroundColor: '#f6f7f9', fontFamily: 'Helvetica, Arial, sans-serif' }}>
        <Container style={{ backgroundColor: '#ffffff', padding: '32px', maxWidth: '560px' }}>
          <Heading as="h2" style={{ color: '#1d2939' }}>
            {heading}
          </Heading>
          <Text>Hi {context.menteeName},</Text>
          {children}
          <Hr />
          <Text style={{ color: '#667085', fontSize: '12px' }}>
            {context.programName} ({context.term}) mentorship program team
          </Text>
        </Container>
      </Body>
    </Html>
  );
}

export const formatInstant = (iso: string) =>
  `${new Date(iso).toLocaleString('en-US', { dateStyle: 'long', timeStyle: 'short', timeZone: 'UTC' })} UTC`;
