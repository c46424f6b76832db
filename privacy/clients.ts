import { join } from 'node:path';
import type { ClientOptions } from '@temporalio/client';
import type { Config } from '../config/index.js';
import type { Sql } from '../db/index.js';
import { type Keyring, loadKeyring } from './keyring.js';
import { encryptedDataConverter } from './payload-codec.js';
import { PersonalTexts, sealingInterceptor } from './personal-texts.js';

/**
 * What every Temporal client of the project is built with: payloads and failures encrypted with the keyring and,
 * given the database, messages to mentees sealed with each mentee's key (privacy/personal-texts.ts).
 */
export function privateClientOptions(
  keyring: Keyring,
  sql?: Sql,
): Pick<ClientOptions, 'dataConverter' | 'interceptors'> {
  return {
    dataConverter: encryptedDataConverter(keyring),
    ...(sql && { interceptors: { workflow: [sealingInterceptor(sql, new PersonalTexts(sql, keyring))] } }),
  };
}

/** Where `npm start` keeps the development keyring it generates on first start. */
export const developmentKeyringFile = (config: Pick<Config, 'DATA_DIR'>) =>
  join(config.DATA_DIR, 'payload-keys.json');

/**
 * The configured keyring (PAYLOAD_KEYS or PAYLOAD_KEYS_FILE), else the development keyring in the data directory:
 * generated there when `generate` (npm start), read when it exists (the worker, API and ops CLI beside it).
 */
export function configuredKeyring(config: Config, { generate = false } = {}): Keyring {
  return loadKeyring(config, { developmentFile: developmentKeyringFile(config), generate });
}
