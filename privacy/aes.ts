import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

// AES-256-GCM as every encrypted thing here stores it: iv (12 bytes) | ciphertext | tag (16 bytes).
const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

export function encrypt(key: Buffer, plain: Uint8Array, iv: Uint8Array = randomBytes(IV_BYTES)): Buffer {
  const cipher = createCipheriv(ALGORITHM, key, iv);
  return Buffer.concat([iv, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
}

/** The plaintext, or undefined when the bytes were not sealed with this key (or were changed). */
export function decrypt(key: Buffer, sealed: Uint8Array): Buffer | undefined {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength);
  if (bytes.length < IV_BYTES + TAG_BYTES) return undefined;
  const decipher = createDecipheriv(ALGORITHM, key, bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG_BYTES));
  try {
    return Buffer.concat([
      decipher.update(bytes.subarray(IV_BYTES, bytes.length - TAG_BYTES)),
      decipher.final(),
    ]);
  } catch {
    return undefined;
  }
}
