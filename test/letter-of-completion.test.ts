import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import { PDFParse } from 'pdf-parse';
import { describe, expect, it } from 'vitest';
import {
  type LetterOfCompletion,
  newVerificationCode,
  normalizeLetterText,
  renderLetterOfCompletion,
  UnsupportedCharactersError,
} from '../certificates/render.js';
import { normalizeVerificationCode, VERIFICATION_CODE_ALPHABET } from '../domain/certificate-codes.js';

const run = promisify(execFile);

const letter: LetterOfCompletion = {
  verificationCode: 'ABCD-EFGH-JKMN',
  menteeName: 'Zoë Ångström',
  programName: 'LFX Mentorship',
  term: '2026 Term 2',
  projectTitle: 'CNCF Jaeger: Adaptive sampling for OpenTelemetry collectors',
  mentorName: 'José Núñez',
  termStartsAt: '2026-06-08T00:00:00Z',
  // An end of day west of UTC: still 28 August as far as the program is concerned.
  termEndsAt: '2026-08-28T23:59:59-07:00',
  issuedAt: '2026-09-04T10:00:00Z',
  verifyBaseUrl: 'https://mentorship.example.org/',
};

interface ParsedPdf {
  text: string;
  pages: { width: number; height: number }[];
  info: Record<string, unknown>;
  creationDate: Date | null | undefined;
}

async function parse(pdf: Buffer): Promise<ParsedPdf> {
  const parser = new PDFParse({ data: new Uint8Array(pdf) });
  try {
    const text = await parser.getText();
    const info = await parser.getInfo({ parsePageInfo: true });
    return {
      // Long lines wrap; compare text with runs of whitespace collapsed.
      text: text.text.replace(/\s+/g, ' '),
      pages: info.pages.map(({ width, height }) => ({ width, height })),
      info: info.info,
      creationDate: info.getDateNode().CreationDate,
    };
  } finally {
    await parser.destroy();
  }
}

describe('Letter of Completion', () => {
  it('prints the mentee, program, project, dates and verification link on one A4 landscape page', async () => {
    const pdf = await renderLetterOfCompletion(letter);
    expect(pdf.subarray(0, 5).toString()).toBe('%PDF-');
    const parsed = await parse(pdf);

    expect(parsed.pages).toHaveLength(1);
    const [page] = parsed.pages;
    expect(page!.width).toBeGreaterThan(page!.height);
    expect(page!.width).toBeCloseTo(841.89, 0);
    expect(page!.height).toBeCloseTo(595.28, 0);

    for (const expected of [
      'Letter of Completion',
      'Zoë Ångström',
      'José Núñez',
      'LFX Mentorship',
      '2026 Term 2',
      '“CNCF Jaeger: Adaptive sampling for OpenTelemetry collectors”',
      '8 June 2026 – 28 August 2026',
      '4 September 2026',
      'ABCD-EFGH-JKMN',
      'Verify at https://mentorship.example.org/certificates/ABCD-EFGH-JKMN',
    ]) {
      expect(parsed.text).toContain(expected);
    }

    expect(parsed.info.Title).toBe('Letter of Completion — Zoë Ångström');
    expect(parsed.info.Author).toBe('LFX Mentorship');
    expect(parsed.creationDate?.toISOString()).toBe('2026-09-04T10:00:00.000Z');
  });

  it('renders the same letter to the same bytes', async () => {
    const [first, second] = await Promise.all([
      renderLetterOfCompletion(letter),
      renderLetterOfCompletion(letter),
    ]);
    expect(first.equals(second)).toBe(true);
  });

  it('keeps a very long name, title and program on the one page', async () => {
    const menteeName =
      'Maximiliano Alejandro Bartholomew Sebastián de la Santísima Trinidad Cruz-Fernández y Montenegro-Villavicencio';
    const parsed = await parse(
      await renderLetterOfCompletion({
        ...letter,
        menteeName,
        programName: 'Google Summer of Code with the Cloud Native Computing Foundation',
        term: '2026 Extended Summer Term (Large projects)',
        projectTitle: 'Improve the reliability and observability of the kubelet eviction manager '.repeat(3),
        mentorName: 'Bartholomew Alexander Featherstonehaugh-Montgomery',
      }),
    );
    expect(parsed.pages).toHaveLength(1);
    expect(parsed.text).toContain(menteeName);
    expect(parsed.text).toContain('Verify at https://mentorship.example.org/certificates/ABCD-EFGH-JKMN');

    const surname = await parse(
      await renderLetterOfCompletion({ ...letter, menteeName: 'Hubert Wolfeschlegelsteinhausenbergerdorff' }),
    );
    expect(surname.pages).toHaveLength(1);
    expect(surname.text).toContain('Hubert Wolfeschlegelsteinhausenbergerdorff');
  });

  it('prints decomposed accents and letters beyond Latin-1 as written', async () => {
    const parsed = await parse(
      await renderLetterOfCompletion({
        ...letter,
        menteeName: 'Jose\u0301 Nu\u0301n\u0303ez',
        mentorName: 'Łukasz Dvořák',
        projectTitle: 'Nguyễn Thị Minh 🎓',
      }),
    );
    expect(parsed.text).toContain('José Núñez');
    expect(parsed.text).toContain('Łukasz Dvořák');
    expect(parsed.text).toContain('“Nguyễn Thị Minh”');
    expect(normalizeLetterText('  Nguyễn  Thị\tMinh 🎓 \u200b')).toBe('Nguyễn Thị Minh');
  });

  it('refuses a script none of its fonts covers rather than printing boxes', async () => {
    const error = await renderLetterOfCompletion({ ...letter, menteeName: 'สมชาย ใจดี' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(UnsupportedCharactersError);
    expect(error).toMatchObject({ field: 'menteeName' });
    expect((error as UnsupportedCharactersError).characters).toContain('ส');
  });

  it('rejects dates and URLs it cannot print', async () => {
    await expect(renderLetterOfCompletion({ ...letter, issuedAt: 'yesterday' })).rejects.toThrow(RangeError);
    await expect(
      renderLetterOfCompletion({ ...letter, verifyBaseUrl: 'javascript:alert(1)' }),
    ).rejects.toThrow(RangeError);
  });
});

/** A name in each script the letter's fonts cover, and the face that should draw it. */
const NAMES = [
  { name: '张伟', face: 'NotoSansSC-Bold' },
  { name: '山田太郎', face: 'NotoSansSC-Bold' },
  { name: 'やまだ たろう', face: 'NotoSansJP-Bold' },
  { name: '김민준', face: 'NotoSansKR-Bold' },
  { name: 'Иван Петров', face: 'NotoSerif-Bold' },
  { name: 'Γιώργος Παπαδόπουλος', face: 'NotoSerif-Bold' },
  { name: 'अर्जुन शर्मा', face: 'NotoSansDevanagari-Bold' },
  { name: 'محمد علي', face: 'NotoSansArabic-Bold' },
  { name: 'Zoë Ñúñez', face: 'NotoSerif-Bold' },
];

/** poppler's pdftotext, with the direction marks it puts around right-to-left text removed. */
async function pdftotext(file: string): Promise<string> {
  const { stdout } = await run('pdftotext', ['-enc', 'UTF-8', file, '-']);
  return stdout.replace(/[\u202a-\u202e\u2066-\u2069]/g, '');
}

/** `pdffonts` rows: the font name (without the subset tag) and whether it is embedded. */
async function pdffonts(file: string): Promise<{ name: string; embedded: boolean }[]> {
  const { stdout } = await run('pdffonts', [file]);
  return stdout
    .split('\n')
    .slice(2)
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const [name, ...rest] = line.trim().split(/\s+/);
      // columns: name, type (one or two words), encoding, emb, sub, uni, object, generation
      const embedded = rest.at(-5);
      return { name: name!.replace(/^[A-Z]{6}\+/, ''), embedded: embedded === 'yes' };
    });
}

describe('Letter of Completion in every script', () => {
  for (const { name, face } of NAMES) {
    it(`prints "${name}" with embedded fonts, and pdftotext reads it back`, async () => {
      const pdf = await renderLetterOfCompletion({ ...letter, menteeName: name, mentorName: name });
      expect(pdf.length).toBeLessThan(300 * 1024);
      await mkdir('.tmp', { recursive: true });
      const file = `.tmp/letter-${NAMES.findIndex((n) => n.name === name)}.pdf`;
      await writeFile(file, pdf);

      const fonts = await pdffonts(file);
      expect(fonts.length).toBeGreaterThan(0);
      expect(fonts.filter((font) => !font.embedded)).toEqual([]);
      expect(fonts.map((font) => font.name)).toContain(face);
      // No standard (unembedded) font is referenced at all.
      expect(fonts.map((font) => font.name)).not.toContain('Helvetica');

      const text = await pdftotext(file);
      expect(text).toContain('Letter of Completion');
      if (/\p{Script=Devanagari}/u.test(name)) {
        // poppler reads Devanagari in glyph order: a reph (र्) comes after the consonant it sits on, so
        // "अर्जुन" reads "अजुर्न". Every character is there, drawn from the Devanagari face.
        const sorted = (word: string) => [...word].sort().join('');
        const words = text.split(/\s+/).map(sorted);
        for (const word of name.split(' ')) expect(words).toContain(sorted(word));
      } else {
        expect(text.split('\n').map((line) => line.trim())).toContain(name);
      }
    });
  }
});

describe('newVerificationCode', () => {
  it('makes grouped codes without look-alike characters', () => {
    const code = newVerificationCode();
    expect(code).toMatch(/^[A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4}$/);
    expect(code).not.toMatch(/[01OIL]/);
    expect(normalizeVerificationCode(code.toLowerCase().replaceAll('-', ' '))).toBe(code);
    expect(normalizeVerificationCode('ABCD-EFGH-JKL0')).toBeNull();
  });

  it('makes 1000 distinct codes that use the whole alphabet', () => {
    const codes = Array.from({ length: 1000 }, newVerificationCode);
    expect(new Set(codes).size).toBe(1000);
    for (const code of codes) expect(code).toMatch(/^[A-HJKMNP-Z2-9]{4}(-[A-HJKMNP-Z2-9]{4}){2}$/);
    expect(new Set(codes.join('').replaceAll('-', ''))).toEqual(new Set(VERIFICATION_CODE_ALPHABET));
  });
});
