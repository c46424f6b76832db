import { Text } from '@react-email/components';
import { type EmailContext, formatInstant, Layout } from './layout.js';

export function ApplicationReceived(props: {
  context: EmailContext;
  reviewClosesAt: string;
  openPrerequisites: string[];
}) {
  return (
    <Layout preview="We received your application" heading="Application received" context={props.context}>
      <Text>
        Thank you for applying to {props.context.programName}. Mentors review applications until{' '}
        {formatInstant(props.reviewClosesAt)}.
      </Text>
      <PrerequisiteList
        intro="Applications without completed prerequisites are not accepted. Please complete, before the review closes:"
        items={props.openPrerequisites}
      />
    </Layout>
  );
}

export function ReviewReminder(props: {
  context: EmailContext;
  reviewClosesAt: string;
  openPrerequisites: string[];
}) {
  return (
    <Layout
      preview="Prerequisites still open"
      heading="Your prerequisites are still open"
      context={props.context}
    >
      <Text>
        The review of applications to {props.context.programName} closes on{' '}
        {formatInstant(props.reviewClosesAt)}.
      </Text>
      <PrerequisiteList
        intro="Your application will not be accepted unless you complete:"
        items={props.openPrerequisites}
      />
    </Layout>
  );
}

export function NotAccepted(props: { context: EmailContext; missingPrerequisites: string[] }) {
  return (
    <Layout
      preview="Your application was not accepted"
      heading="Application not accepted"
      context={props.context}
    >
      <Text>
        The review window of {props.context.programName} has closed, and your application could not be
        accepted because these prerequisites were not completed:
      </Text>
      <PrerequisiteList intro="" items={props.missingPrerequisites} />
      <Text>You are welcome to apply again in a later term.</Text>
    </Layout>
  );
}

function PrerequisiteList({ intro, items }: { intro: string; items: string[] }) {
  if (items.length === 0) return null;
  return (
    <>
      {intro ? <Text>{intro}</Text> : null}
      {items.map((item) => (
        <Text key={item} style={{ margin: '0 0 4px 16px' }}>
          • {item}
        </Text>
      ))}
    </>
  );
}
