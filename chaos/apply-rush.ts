/**
 * A deadline rush as frontends send it: many people applying at once, each retrying its own request with its
 * Idempotency-Key until it gets an answer (through a crash of the API, its restart, 409 "in flight"), then
 * completing a prerequisite the same way. Shared by the crash-only test and bench/crash-rush.ts.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { bearer } from '../test/support/auth.js';

export const RUSH_PREREQUISITE = 'intro-call';

export interface RushOptions {
  /**
   * Where the API is now (a restarted system may be elsewhere; here it keeps its port), or, with several API
   * processes, the one to try this attempt (a retry may go to another, with the same Idempotency-Key).
   */
  baseUrl: string | ((attempt: number) => string);
  programId: string;
  people: string[];
  concurrency: number;
  /** After each person is answered for good, with how many are. */
  onAnswered?: (answered: number) => void;
}

/** One attempt's outcome as the client saw it. */
export interface Answer {
  status: number;
  body: Record<string, unknown>;
  replayed: boolean;
  at: number;
  /** Attempts of this request that told the client to try again before this answer. */
  retries: number;
}

export interface PersonOutcome {
  person: string;
  apply: Answer;
  prerequisite: Answer;
  /** Attempts in all, the first ones included. */
  attempts: number;
  /** Answers that told the client to try again: 409 in flight, 5xx, no connection. */
  retried: { inFlight: number; serverError: number; noConnection: number };
}

const RETRY_DELAY_MS = 200;

export async function applyRush(options: RushOptions): Promise<PersonOutcome[]> {
  const outcomes: PersonOutcome[] = [];
  let next = 0;
  const client = async () => {
    while (next < options.people.length) {
      const person = options.people[next++]!;
      outcomes.push(await applyAndComplete(options, person));
      options.onAnswered?.(outcomes.length);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency }, client));
  return outcomes;
}

async function applyAndComplete(options: RushOptions, person: string): Promise<PersonOutcome> {
  const headers = {
    ...(await bearer({ userId: person, role: 'mentee' })),
    'content-type': 'application/json',
  };
  const retried = { inFlight: 0, serverError: 0, noConnection: 0 };
  let attempts = 0;
  const untilAnswered = async (path: string, key: string, body: unknown): Promise<Answer> => {
    for (let retries = 0; ; retries++) {
      attempts++;
      try {
        const base = typeof options.baseUrl === 'string' ? options.baseUrl : options.baseUrl(attempts);
        const response = await fetch(`${base}${path}`, {
          method: 'POST',
          headers: { ...headers, 'idempotency-key': key },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(60_000),
        });
        const answer = {
          status: response.status,
          body: (await response.json()) as Record<string, unknown>,
          replayed: response.headers.get('idempotent-replayed') === 'true',
          at: Date.now(),
          retries,
        };
        if (
          answer.status === 409 &&
          answer.body.type === 'urn:mentorship:problem:idempotency-key-in-flight'
        ) {
          retried.inFlight++;
        } else if (answer.status >= 500) retried.serverError++;
        else return answer;
      } catch {
        retried.noConnection++; // the API is down or died mid-request
      }
      await sleep(RETRY_DELAY_MS);
    }
  };
  const apply = await untilAnswered(
    `/programs/${options.programId}/applications`,
    `apply-${options.programId}-${person}`,
    {
      mentee: { name: `Applicant ${person}`, email: `${person}@example.org`, country: 'DE' },
    },
  );
  const prerequisite =
    apply.status === 201
      ? await untilAnswered(
          `/applications/${String(apply.body.id)}/prerequisites/${RUSH_PREREQUISITE}/complete`,
          `prerequisite-${options.programId}-${person}`,
          {},
        )
      : apply;
  return { person, apply, prerequisite, attempts, retried };
}
