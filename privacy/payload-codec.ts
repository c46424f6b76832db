import { fileURLToPath } from 'node:url';
import type { DataConverter, Payload, PayloadCodec } from '@temporalio/common';
import proto from '@temporalio/proto';
import { decrypt, encrypt } from './aes.js';
import type { Keyring } from './keyring.js';

/** The metadata encoding of an encrypted payload; anything else passes through (histories from before encryption). */
export const ENCRYPTED_ENCODING = 'binary/encrypted';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** A payload that claims to be encrypted but does not decrypt: changed, truncated, or not ours. */
export class UndecryptablePayloadError extends Error {}

/** A payload encrypted with a key this keyring does not hold: never decoded to an empty value. */
export class UnknownPayloadKeyError extends Error {
  constructor(readonly keyId: string) {
    super(
      `Payload encrypted with key "${keyId}", which this process's keyring does not hold (add it to PAYLOAD_KEYS)`,
    );
    this.name = 'UnknownPayloadKeyError';
  }
}

/**
 * AES-256-GCM over each whole payload (metadata and data), with the key id in the outer metadata so several keys
 * are readable at once. Runs outside the workflow sandbox, in clients and workers alike.
 */
export class EncryptionCodec implements PayloadCodec {
  constructor(private readonly keyring: Keyring) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    const { id, key } = this.keyring.current();
    return payloads.map((payload) => ({
      metadata: { encoding: encoder.encode(ENCRYPTED_ENCODING), 'encryption-key-id': encoder.encode(id) },
      data: encrypt(key, encodePayload(payload)),
    }));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => {
      const encoding = payload.metadata?.encoding;
      if (!encoding || decoder.decode(encoding) !== ENCRYPTED_ENCODING) return payload;
      const keyIdBytes = payload.metadata?.['encryption-key-id'];
      if (!keyIdBytes) throw new UndecryptablePayloadError('Encrypted payload without an encryption-key-id');
      const keyId = decoder.decode(keyIdBytes);
      const key = this.keyring.get(keyId);
      if (!key) throw new UnknownPayloadKeyError(keyId);
      if (!payload.data)
        throw new UndecryptablePayloadError(`Encrypted payload (key "${keyId}") without data`);
      const plain = decrypt(key, payload.data);
      if (!plain) {
        throw new UndecryptablePayloadError(
          `Payload encrypted with key "${keyId}" does not decrypt with it (changed, or another key of that id)`,
        );
      }
      try {
        return decodePayload(plain);
      } catch {
        throw new UndecryptablePayloadError(
          `Payload encrypted with key "${keyId}" holds no Temporal payload`,
        );
      }
    });
  }
}

/** privacy/failure-converter.ts, as the SDK loads it: by path, from source (tsx) or compiled (dist/). */
export const FAILURE_CONVERTER_PATH = fileURLToPath(
  new URL(`./failure-converter.${import.meta.url.endsWith('.ts') ? 'ts' : 'js'}`, import.meta.url),
);

/** The data converter of every client and worker: payloads and failures (messages, stack traces) encrypted. */
export function encryptedDataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyring)], failureConverterPath: FAILURE_CONVERTER_PATH };
}

// The inner payload as Temporal's own protobuf message, as the SDK's samples do: smaller and faster than JSON.
const PayloadMessage = proto.temporal.api.common.v1.Payload;
const encodePayload = (payload: Payload): Uint8Array => PayloadMessage.encode(payload).finish();
const decodePayload = (bytes: Uint8Array): Payload => PayloadMessage.decode(bytes);
