import { createServer } from 'node:net';
import { ApplicationFailure } from '@temporalio/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingEmail } from '../activities/mailers/mailer.js';
import { createResendMailer } from '../activities/mailers/resend.js';
import { type FakeResend, startFakeResend } from './support/fake-resend.js';

const welcome: OutgoingEmail = {
  to: 'mentee@example.org',
  from: 'Mentorship Program <mentorship@example.org>',
  subject: 'Welcome to the program',
  html: '<p>Welcome!</p>',
  text: 'Welcome!',
  tags: [{ name: 'template', value: 'mentee-welcome' }],
};

async function failureOf(promise: Promise<unknown>): Promise<ApplicationFailure> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ApplicationFailure);
  return err as ApplicationFailure;
}

/** A port that was just free: nothing listens there, so connecting is refused. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('Resend mailer via the real SDK', () => {
  let resend: FakeResend;
  const mailer = () => createResendMailer({ apiKey: resend.apiKey, baseUrl: resend.baseUrl });

  beforeAll(async () => {
    resend = await startFakeResend();
  });
  afterAll(() => resend.close());
  beforeEach(() => resend.clear());

  it('delivers the email with its fields and idempotency key', async () => {
    const sent = await mailer().send(welcome, 'welcome/app-1');
    const [received] = resend.emails();
    expect(sent).toEqual({ provider: 'resend', providerMessageId: received?.id });
    expect(received).toMatchObject({
      to: [welcome.to],
      from: welcome.from,
      subject: welcome.subject,
      html: welcome.html,
      text: welcome.text,
      tags: welcome.tags,
      idempotencyKey: 'welcome/app-1',
    });
  });

  it('stores one email when the same idempotency key is sent twice', async () => {
    const first = await mailer().send(welcome, 'welcome/app-2');
    const second = await mailer().send(welcome, 'welcome/app-2');
    expect(second.providerMessageId).toBe(first.providerMessageId);
    expect(resend.emails()).toHaveLength(1);
  });

  it('rejects reusing an idempotency key for a different email, without retrying', async () => {
    await mailer().send(welcome, 'welcome/app-3');
    const failure = await failureOf(mailer().send({ ...welcome, subject: 'Changed' }, 'welcome/app-3'));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'EmailRejected' });
    expect(failure.message).toContain('invalid_idempotent_request');
  });

  it('turns a 422 validation error into a non-retryable failure', async () => {
    resend.failNext(1, 422);
    const failure = await failureOf(mailer().send(welcome, 'welcome/app-4'));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'EmailRejected' });
    expect(failure.message).toContain('422 validation_error');
    expect(failure.details).toEqual([{ provider: 'resend', name: 'validation_error', statusCode: 422 }]);
  });

  it('rejects a bad sender address from the server’s own validation', async () => {
    const failure = await failureOf(mailer().send({ ...welcome, from: 'not-an-address' }, 'welcome/app-5'));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'EmailRejected' });
    expect(resend.emails()).toHaveLength(0);
  });

  it('retries a 429 rate limit after the Retry-After the server asks for', async () => {
    resend.failNext(1, 429);
    const failure = await failureOf(mailer().send(welcome, 'welcome/app-6'));
    expect(failure).toMatchObject({
      nonRetryable: false,
      type: 'EmailProviderUnavailable',
      nextRetryDelay: 1000,
    });
  });

  it('waits an hour when the daily quota is spent', async () => {
    resend.failNext(1, 429, 'daily_quota_exceeded');
    const failure = await failureOf(mailer().send(welcome, 'welcome/app-7'));
    expect(failure).toMatchObject({ nonRetryable: false, nextRetryDelay: '1 hour' });
  });

  it('retries a 500 and then succeeds with the same key', async () => {
    resend.failNext(1, 500);
    const failure = await failureOf(mailer().send(welcome, 'welcome/app-8'));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'EmailProviderUnavailable' });
    await mailer().send(welcome, 'welcome/app-8');
    expect(resend.emails()).toHaveLength(1);
  });

  it('retries while the same key is still in flight (409 concurrent)', async () => {
    resend.failNext(1, 409, 'concurrent_idempotent_requests');
    const failure = await failureOf(mailer().send(welcome, 'welcome/app-9'));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'EmailProviderUnavailable' });
  });

  it('retries when the server cannot be reached', async () => {
    const unreachable = createResendMailer({
      apiKey: 're_test',
      baseUrl: `http://127.0.0.1:${await closedPort()}`,
    });
    const failure = await failureOf(unreachable.send(welcome, 'welcome/app-10'));
    expect(failure).toMatchObject({ nonRetryable: false, type: 'EmailProviderUnavailable' });
    expect(failure.details).toEqual([{ provider: 'resend', name: 'application_error', statusCode: null }]);
  });

  it('rejects a wrong API key without retrying', async () => {
    const wrongKey = createResendMailer({ apiKey: 're_wrong', baseUrl: resend.baseUrl });
    const failure = await failureOf(wrongKey.send(welcome, 'welcome/app-11'));
    expect(failure).toMatchObject({ nonRetryable: true, type: 'EmailRejected' });
  });
});
