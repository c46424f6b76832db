import { randomInt } from 'node:crypto';
import { renderToBuffer } from '@react-pdf/renderer';
import { VERIFICATION_CODE_ALPHABET } from '../domain/certificate-codes.js';
import { type FontRole, fontsFor } from './fonts.js';
import { formatLetterDate, LetterOfCompletionDocument } from './letter.js';

/** Everything printed on a mentee's Letter of Completion. Instants are ISO-8601 strings. */
export interface LetterOfCompletion {
  verificationCode: string;
  menteeName: string;
  programName: string;
  term: string;
  projectTitle: string;
  mentorName: string;
  termStartsAt: string;
  termEndsAt: string;
  issuedAt: string;
  /** Origin (and optional path prefix) of the public site; the letter links to `${verifyBaseUrl}/certificates/${code}`. */
  verifyBaseUrl: string;
}

/**
 * Renders the letter as a one-page A4 landscape PDF with its fonts embedded (see `fonts.ts`).
 *
 * The output is reproducible: the same letter gives the same bytes (the PDF creation date and file id derive
 * from `issuedAt` and the metadata, not from the clock).
 *
 * Every text is printed as given (NFC-normalised, whitespace collapsed, emoji dropped). A field with a character
 * that none of the letter's faces can draw (a script they do not cover, such as Thai or Ethiopic) makes this
 * throw an `UnsupportedCharactersError` instead of producing a letter with empty boxes.
 */
export async function renderLetterOfCompletion(letter: LetterOfCompletion): Promise<Buffer> {
  const prepared = prepareLetter(letter);
  const fonts = async (field: TextField, role: FontRole, text = prepared[field]) => {
    const { fontFamily, missing } = await fontsFor(text, role);
    if (missing.length > 0) throw new UnsupportedCharactersError(field, missing);
    return fontFamily;
  };
  const [programNameSans, term, menteeName, projectTitle, mentorName] = [
    await fonts('programName', 'sans', prepared.programName.toUpperCase()),
    await fonts('term', 'serif'),
    await fonts('menteeName', 'serif'),
    await fonts('projectTitle', 'serif'),
    await fonts('mentorName', 'serif'),
  ];
  const body = [...new Set([...(await fonts('programName', 'serif')), ...term])];
  return renderToBuffer(
    LetterOfCompletionDocument({
      letter: prepared,
      fonts: { programNameSans, body, menteeName, projectTitle, mentorName },
    }),
  );
}

type TextField = 'menteeName' | 'programName' | 'term' | 'projectTitle' | 'mentorName';

/** Validates the letter and normalises its text fields. */
export function prepareLetter(letter: LetterOfCompletion): LetterOfCompletion {
  if (!/^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(letter.verificationCode)) {
    throw new RangeError(`invalid verification code: ${JSON.stringify(letter.verificationCode)}`);
  }
  for (const field of ['termStartsAt', 'termEndsAt', 'issuedAt'] as const) formatLetterDate(letter[field]);
  const url = new URL(letter.verifyBaseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RangeError(`verifyBaseUrl must be an http(s) URL: ${letter.verifyBaseUrl}`);
  }
  const text = (field: TextField) => {
    const normalized = normalizeLetterText(letter[field]);
    if (normalized === '') throw new RangeError(`${field} must not be empty`);
    return normalized;
  };
  return {
    ...letter,
    menteeName: text('menteeName'),
    programName: text('programName'),
    term: text('term'),
    projectTitle: text('projectTitle'),
    mentorName: text('mentorName'),
    verifyBaseUrl: `${url.origin}${url.pathname}`.replace(/\/+$/, ''),
  };
}

/** A field of the letter contains characters none of the letter's fonts can draw. */
export class UnsupportedCharactersError extends Error {
  constructor(
    readonly field: string,
    readonly characters: string[],
  ) {
    super(
      `${field} contains characters the letter's fonts cannot print: ${characters.join(' ')} ` +
        `(${characters.map((c) => `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`).join(', ')})`,
    );
    this.name = 'UnsupportedCharactersError';
  }
}

/**
 * Invisible characters and emoji (no emoji font is embedded), dropped rather than printed as boxes. The
 * zero-width (non-)joiners stay: they change how Devanagari, Arabic and Persian names are shaped.
 */
const DROPPED = /[\u200b\u2060\ufeff]|\ufe0e|\ufe0f|\p{Extended_Pictographic}|\p{Emoji_Modifier}/gu;

/** NFC-normalised (a decomposed "José" prints as one), emoji and invisible characters dropped, whitespace collapsed. */
export function normalizeLetterText(input: string): string {
  return input.normalize('NFC').replace(DROPPED, '').replace(/\s+/gu, ' ').trim();
}

/**
 * A new code like "7KQM-X2HD-RW9P": 12 characters drawn uniformly (crypto `randomInt`) from a 31-character
 * alphabet, about 59 bits, so codes cannot be guessed or enumerated; grouped in fours to be read out and typed.
 */
export function newVerificationCode(): string {
  let code = '';
  for (let i = 0; i < 12; i++) {
    if (i > 0 && i % 4 === 0) code += '-';
    code += VERIFICATION_CODE_ALPHABET[randomInt(VERIFICATION_CODE_ALPHABET.length)];
  }
  return code;
}
