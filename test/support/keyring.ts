import { keyringOf, newKeyringDocument, parseKeyring } from '../../privacy/keyring.js';

/**
 * The payload keyring of the test run, as `npm start` generates one: the global setup puts it in PAYLOAD_KEYS, so
 * the processes the tests spawn (an API, a worker, npm start) read the same keys.
 */
export const TEST_KEYRING = process.env.PAYLOAD_KEYS
  ? parseKeyring(process.env.PAYLOAD_KEYS, 'PAYLOAD_KEYS')
  : keyringOf(newKeyringDocument('test-key-1'));
