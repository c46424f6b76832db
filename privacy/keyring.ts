import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { z } from 'zod';

/**
 * The keys that encrypt what leaves our processes (Temporal payloads, persons' keys at rest). One key encrypts,
 * every key decrypts: a new key is added first, made current, and the old one kept until nothing uses it, so keys
 * rotate without re-encrypting a history. A KMS implements the same interface later.
 */
export interface Keyring {
  /** The id and bytes of the key new data is encrypted with. */
  current(): { id: string; key: Buffer };
  /** A key by id, or undefined when this keyring does not hold it. */
  get(id: string): Buffer | undefined;
  ids(): string[];
}

const KeyId = z
  .string()
  .regex(/^[A-Za-z0-9._-]{1,64}$/, 'a key id is 1-64 letters, digits, dot, dash or underscore');
const KeyringDocument = z.strictObject({
  current: KeyId,
  keys: z.record(
    KeyId,
    z
      .string()
      .refine((b64) => Buffer.from(b64, 'base64').length === 32, 'each key is 32 bytes, base64-encoded'),
  ),
});
export type KeyringDocument = z.infer<typeof KeyringDocument>;

export function keyringOf(document: KeyringDocument): Keyring {
  const parsed = KeyringDocument.parse(document);
  const keys = new Map(Object.entries(parsed.keys).map(([id, b64]) => [id, Buffer.from(b64, 'base64')]));
  const current = keys.get(parsed.current);
  if (!current) throw new Error(`The keyring's current key "${parsed.current}" is not among its keys`);
  return {
    current: () => ({ id: parsed.current, key: current }),
    get: (id) => keys.get(id),
    ids: () => [...keys.keys()],
  };
}

/** Parses a keyring from JSON (PAYLOAD_KEYS, or the file PAYLOAD_KEYS_FILE names), naming what is wrong. */
export function parseKeyring(json: string, source: string): Keyring {
  let document: unknown;
  try {
    document = JSON.parse(json);
  } catch {
    throw new Error(
      `${source} is not JSON: expected {"current":"<id>","keys":{"<id>":"<32 bytes, base64>"}}`,
    );
  }
  const parsed = KeyringDocument.safeParse(document);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`);
    throw new Error(`${source} is not a valid keyring: ${problems.join('; ')}`);
  }
  return keyringOf(parsed.data);
}

/** A new keyring of one random key, e.g. for a development data directory or a test. */
export function newKeyringDocument(id = `k${new Date().toISOString().slice(0, 10).replaceAll('-', '')}`) {
  return { current: id, keys: { [id]: randomBytes(32).toString('base64') } } satisfies KeyringDocument;
}

/**
 * The configured keyring: PAYLOAD_KEYS (the JSON itself), else the file PAYLOAD_KEYS_FILE names. With neither,
 * the development file (`npm start`'s `.data/payload-keys.json`), generated when `generate` and missing.
 */
export function loadKeyring(
  config: { PAYLOAD_KEYS?: string | undefined; PAYLOAD_KEYS_FILE?: string | undefined },
  development: { developmentFile?: string; generate?: boolean } = {},
): Keyring {
  if (config.PAYLOAD_KEYS) return parseKeyring(config.PAYLOAD_KEYS, 'PAYLOAD_KEYS');
  if (config.PAYLOAD_KEYS_FILE && !existsSync(config.PAYLOAD_KEYS_FILE)) {
    throw new Error(`PAYLOAD_KEYS_FILE ${config.PAYLOAD_KEYS_FILE} does not exist`);
  }
  const file = config.PAYLOAD_KEYS_FILE ?? development.developmentFile;
  if (!file || (!existsSync(file) && !development.generate)) {
    throw new Error(
      `No payload keyring: set PAYLOAD_KEYS or PAYLOAD_KEYS_FILE${file ? ` (or start once with npm start, which generates ${file})` : ''}`,
    );
  }
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    // wx: two processes starting at once keep the first one's keyring
    try {
      writeFileSync(file, `${JSON.stringify(newKeyringDocument(), null, 2)}\n`, { mode: 0o600, flag: 'wx' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  return parseKeyring(readFileSync(file, 'utf8'), file);
}
