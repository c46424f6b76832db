import { createHmac, randomBytes, randomUUID } from 'node:crypto';
import type { WorkflowClientInterceptor } from '@temporalio/client';
import type { Sql } from '../db/index.js';
import { decrypt, encrypt } from './aes.js';
import type { Keyring } from './keyring.js';

/**
 * Free text about one person that a workflow must carry (an evaluation's comments, a reason, a note) travels
 * sealed with that person's own key: `sealed:pd1:<key id>:<base64url>`. The workflow keeps it as an opaque string;
 * the worker's activities open it where it is shown (the read model, an email). Erasure destroys the key, so the
 * text in immutable histories can never be read again, whatever keyring reads them.
 */
const SEALED = /sealed:pd1:([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}):([A-Za-z0-9_-]+)/g;
const MARK = 'sealed:pd1:';
/** What a sealed text reads as once its person was erased. */
export const ERASED_TEXT = '[erased]';
/** The fields of a message that are free text about the mentee, sealed wherever they are in its arguments. */
const FREE_TEXT_FIELDS = new Set(['comments', 'reason', 'note']);

interface PersonKey {
  keyId: string;
  key: Buffer;
}

/** The person no longer has a key to seal with: they were erased. */
export class PersonErasedError extends Error {}

export class PersonalTexts {
  constructor(
    private readonly sql: Sql,
    private readonly keyring: Keyring,
  ) {}

  /** The person's key, made on first use; refused once the person was erased. */
  async keyOf(personId: string): Promise<PersonKey> {
    const [row] = await this.sql<{ keyId: string; wrapped: Buffer | null; wrappedWith: string | null }[]>`
      SELECT key_id AS "keyId", wrapped, wrapped_with AS "wrappedWith" FROM person_keys WHERE person_id = ${personId}`;
    if (row) return this.unwrap(row, personId);
    const key = randomBytes(32);
    const { id, key: wrapping } = this.keyring.current();
    await this.sql`
      INSERT INTO person_keys (person_id, key_id, wrapped, wrapped_with)
      VALUES (${personId}, ${randomUUID()}, ${encrypt(wrapping, key)}, ${id})
      ON CONFLICT (person_id) DO NOTHING`;
    // whoever inserted first, everyone uses that key
    return this.keyOf(personId);
  }

  /**
   * Seals text with the person's key. The same text seals to the same string (the IV is derived from it), so a
   * workflow that compares a resubmission with the first one still sees they are equal.
   */
  async seal(personId: string, text: string): Promise<string> {
    if (text === '' || text.startsWith(MARK)) return text;
    return sealWith(await this.keyOf(personId), text);
  }

  /** Seals the free-text fields (comments, reason, note) anywhere in a message's arguments. */
  async sealFields<T>(personId: string, value: T): Promise<T> {
    let key: PersonKey | undefined;
    const walk = async (node: unknown, field?: string): Promise<unknown> => {
      if (
        typeof node === 'string' &&
        field &&
        FREE_TEXT_FIELDS.has(field) &&
        node !== '' &&
        !node.startsWith(MARK)
      ) {
        key ??= await this.keyOf(personId);
        return sealWith(key, node);
      }
      if (Array.isArray(node)) return Promise.all(node.map((item) => walk(item)));
      if (node && typeof node === 'object') {
        const entries = await Promise.all(
          Object.entries(node).map(async ([k, v]) => [k, await walk(v, k)] as const),
        );
        return Object.fromEntries(entries);
      }
      return node;
    };
    return (await walk(value)) as T;
  }

  /** Opens every sealed text in a JSON document; a text whose person was erased reads as "[erased]". */
  async open<T>(value: T): Promise<T> {
    // most documents hold none: found without serialising them (a status is written at every change)
    if (!holdsSealed(value)) return value;
    const json = JSON.stringify(value);
    const keyIds = [...new Set([...json.matchAll(SEALED)].map((m) => m[1]!))];
    const rows = await this.sql<{ keyId: string; wrapped: Buffer | null; wrappedWith: string | null }[]>`
      SELECT key_id AS "keyId", wrapped, wrapped_with AS "wrappedWith" FROM person_keys WHERE key_id = ANY(${keyIds}::uuid[])`;
    const keys = new Map<string, Buffer>();
    for (const row of rows) {
      if (row.wrapped) keys.set(row.keyId, this.unwrap(row, row.keyId).key);
    }
    const opened = json.replace(SEALED, (_whole, keyId: string, body: string) => {
      const key = keys.get(keyId);
      const plain = key && decrypt(key, Buffer.from(body, 'base64url'));
      // the replacement lands inside a JSON string: escaped as one
      return JSON.stringify(plain ? plain.toString('utf8') : ERASED_TEXT).slice(1, -1);
    });
    return JSON.parse(opened) as T;
  }

  /** Destroys the person's key: everything sealed with it is unreadable from now on. */
  async destroy(personId: string): Promise<boolean> {
    const rows = await this.sql`
      UPDATE person_keys SET wrapped = NULL, wrapped_with = NULL, destroyed_at = now()
      WHERE person_id = ${personId} AND destroyed_at IS NULL RETURNING key_id`;
    return rows.length > 0;
  }

  private unwrap(
    row: { keyId: string; wrapped: Buffer | null; wrappedWith: string | null },
    who: string,
  ): PersonKey {
    if (!row.wrapped || !row.wrappedWith)
      throw new PersonErasedError(`The key of ${who} was destroyed (erased)`);
    const wrapping = this.keyring.get(row.wrappedWith);
    if (!wrapping) {
      throw new Error(
        `Person key ${row.keyId} is wrapped with key "${row.wrappedWith}", which the keyring lacks`,
      );
    }
    const key = decrypt(wrapping, row.wrapped);
    if (!key) throw new Error(`Person key ${row.keyId} does not unwrap with key "${row.wrappedWith}"`);
    return { keyId: row.keyId, key };
  }
}

function sealWith({ keyId, key }: PersonKey, text: string): string {
  const plain = Buffer.from(text, 'utf8');
  const iv = createHmac('sha256', key).update(plain).digest().subarray(0, 12);
  return `${MARK}${keyId}:${encrypt(key, plain, iv).toString('base64url')}`;
}

/** Whether a string holds a sealed text (for tests and checks). */
export const holdsSealedText = (text: string) => text.includes(MARK);

/** Whether any string in a JSON value holds a sealed text; walks it without copying. */
function holdsSealed(value: unknown): boolean {
  if (typeof value === 'string') return value.includes(MARK);
  if (Array.isArray(value)) return value.some(holdsSealed);
  if (value && typeof value === 'object') return Object.values(value).some(holdsSealed);
  return false;
}

/** Whether a message's arguments carry free text to seal: a non-empty comments, reason or note, at any depth. */
function carriesFreeText(value: unknown, field?: string): boolean {
  if (typeof value === 'string') return field !== undefined && FREE_TEXT_FIELDS.has(field) && value !== '';
  if (Array.isArray(value)) return value.some((item) => carriesFreeText(item));
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => carriesFreeText(v, k));
  return false;
}

const MENTEE_WORKFLOW = 'mentee-application/';

/**
 * The client interceptor that seals every message to a mentee's workflow where it is made (API, ops CLI, the
 * worker's bulk decisions): the free text in it is about that mentee, so it is sealed with their key.
 */
export function sealingInterceptor(sql: Sql, texts: PersonalTexts): WorkflowClientInterceptor {
  return {
    async startUpdate(input, next) {
      const { workflowId } = input.workflowExecution;
      if (!workflowId.startsWith(MENTEE_WORKFLOW) || !carriesFreeText(input.args)) return next(input);
      const [row] = await sql<{ menteeId: string }[]>`
        SELECT mentee_id AS "menteeId" FROM applications WHERE workflow_id = ${workflowId}`;
      if (!row) return next(input);
      return next({ ...input, args: await texts.sealFields(row.menteeId, input.args) });
    },
  };
}
