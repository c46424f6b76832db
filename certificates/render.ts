import { randomInt } from 'node:crypto';
import { renderToBuffer } from '@react-pdf/renderer';
import { VERIFICATION_CODE_ALPHABET } from '../domain/certificate-codes.js';
import { formatLetterDate, isStandardFontCharacter, LetterOfCompletionDocument } from './letter.js';

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
 * Renders the letter as a one-page A4 landscape PDF.
 *
 * The output is reproducible: the same letter gives the same bytes (the PDF creation date and file id derive
 * from `issuedAt` and the metadata, not from the clock).
 *
 * Text is set in the built-in PDF standard fonts, which only cover Windows-1252 (see `toStandardFontText`):
 * characters outside it are folded to their closest Latin form ("Łukasz Dvořák" prints as "Lukasz Dvorák"),
 * and a field that still cannot be printed (Chinese, Cyrillic, Greek, ... script) makes this throw an
 * `UnsupportedCharactersError` instead of producing a letter with garbled glyphs.
 */
export async function renderLetterOfCompletion(letter: LetterOfCompletion): Promise<Buffer> {
  return renderToBuffer(LetterOfCompletionDocument({ letter: prepareLetter(letter) }));
}

/** Validates the letter and makes every text field printable in the standard fonts. */
export function prepareLetter(letter: LetterOfCompletion): LetterOfCompletion {
  if (!/^[A-Za-z0-9]+(-[A-Za-z0-9]+)*$/.test(letter.verificationCode)) {
    throw new RangeError(`invalid verification code: ${JSON.stringify(letter.verificationCode)}`);
  }
  for (const field of ['termStartsAt', 'termEndsAt', 'issuedAt'] as const) formatLetterDate(letter[field]);
  const url = new URL(letter.verifyBaseUrl);
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new RangeError(`verifyBaseUrl must be an http(s) URL: ${letter.verifyBaseUrl}`);
  }
  const text = (field: 'menteeName' | 'programName' | 'term' | 'projectTitle' | 'mentorName') => {
    const folded = toStandardFontText(letter[field]);
    if (folded.unsupported.length > 0) throw new UnsupportedCharactersError(field, folded.unsupported);
    if (folded.text === '') throw new RangeError(`${field} must not be empty`);
    return folded.text;
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

/** A field of the letter contains characters the standard PDF fonts cannot draw. */
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

/** Letters and punctuation with no decomposition to a printable character, and what to print instead. */
const FOLDS: Record<string, string> = {
  Ł: 'L',
  ł: 'l',
  Đ: 'D',
  đ: 'd',
  Ħ: 'H',
  ħ: 'h',
  ı: 'i',
  Ŀ: 'L',
  ŀ: 'l',
  ĸ: 'k',
  Ŋ: 'N',
  ŋ: 'n',
  Ŧ: 'T',
  ŧ: 't',
  ſ: 's',
  ẞ: 'SS',
  ʻ: '‘',
  ʼ: '’',
  '‐': '-',
  '‑': '-',
  '‒': '–',
  '―': '—',
  '−': '-',
  '′': "'",
  '″': '"',
};

/** Invisible characters and emoji, dropped rather than printed as boxes. */
const DROPPED = /[\u200b-\u200d\u2060\ufeff]|\ufe0e|\ufe0f|\p{Extended_Pictographic}|\p{Emoji_Modifier}/gu;

/**
 * Makes text printable in the built-in PDF fonts (Times, Helvetica), which draw only Windows-1252:
 * ASCII, Latin-1 (é ñ ü å ø ß ...), Š š Ž ž Œ œ Ÿ and typographic punctuation.
 *
 * The text is NFC-normalised (so a decomposed "José" still prints) and whitespace is collapsed. A character
 * outside Windows-1252 becomes its compatibility form if that is printable ("ﬁ" → "fi"), else its base
 * letter without diacritics ("ř" → "r", "ễ" → "e"), else an entry of a small table ("Ł" → "L", "ı" → "i").
 * Emoji and zero-width characters are dropped. Anything else (CJK, Cyrillic, Greek, Arabic, ...) is
 * returned in `unsupported`, so callers can reject a name before a letter is due.
 */
export function toStandardFontText(input: string): { text: string; unsupported: string[] } {
  const unsupported = new Set<string>();
  let text = '';
  for (const character of input.normalize('NFC').replace(DROPPED, '').replace(/\s+/gu, ' ')) {
    if (isStandardFontCharacter(character)) {
      text += character;
      continue;
    }
    const candidates = [
      FOLDS[character],
      character.normalize('NFKC'),
      character.normalize('NFKD').replace(/\p{M}/gu, ''),
    ];
    const printable = candidates.find(
      (candidate) =>
        candidate !== undefined && candidate !== '' && [...candidate].every(isStandardFontCharacter),
    );
    if (printable === undefined) unsupported.add(character);
    else text += printable;
  }
  return { text: text.replace(/ {2,}/g, ' ').trim(), unsupported: [...unsupported] };
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
