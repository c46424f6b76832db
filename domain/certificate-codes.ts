/** Characters of verification codes: upper-case letters and digits without the look-alikes 0/O, 1/I/L. */
export const VERIFICATION_CODE_ALPHABET = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const VERIFICATION_CODE_PATTERN =
  /^[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{4}(-[ABCDEFGHJKMNPQRSTUVWXYZ2-9]{4}){2}$/;

/** Accepts a code as a person types it: any case, spaces or dashes anywhere. Null if it cannot be one. */
export function normalizeVerificationCode(input: string): string | null {
  const compact = input.toUpperCase().replace(/[\s-]/g, '');
  const code = `${compact.slice(0, 4)}-${compact.slice(4, 8)}-${compact.slice(8)}`;
  return VERIFICATION_CODE_PATTERN.test(code) ? code : null;
}
