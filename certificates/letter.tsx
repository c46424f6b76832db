/**
 * The Letter of Completion a mentee receives when they complete a program: one A4 landscape page.
 *
 * Set in Noto Serif and Noto Sans, embedded (see `fonts.ts`): every viewer draws the same glyphs, and a name in
 * any script the letter's faces cover (Latin, Cyrillic, Greek, Chinese, Japanese, Korean, Devanagari, Arabic)
 * prints as written. Each text that can hold a name or a title gets its own font list (`LetterFonts`), so a
 * Japanese name is drawn with Japanese glyph forms and a Korean one with Korean.
 */
import { Circle, Document, Link, Page, Polygon, StyleSheet, Svg, Text, View } from '@react-pdf/renderer';
import { LETTER_SANS, LETTER_SERIF } from './fonts.js';
import type { LetterOfCompletion } from './render.js';

/** The `fontFamily` list of each text that comes from the letter's fields. */
export interface LetterFonts {
  programNameSans: string[];
  body: string[];
  menteeName: string[];
  projectTitle: string[];
  mentorName: string[];
}

const INK = '#23272F';
const NAVY = '#1B2A4A';
const GOLD = '#A8843F';
const GOLD_LIGHT = '#D9C08A';
const MUTED = '#6A6F7A';
const PAPER = '#FDFBF6';

/**
 * Words are not hyphenated: a name or a project title split as "Fernán-dez" looks like a typo. Only a word
 * too long for any line may break, every 16 characters, rather than run off the page.
 */
const noHyphenation = (word: string) => (word.length <= 36 ? [word] : (word.match(/.{1,16}/gsu) ?? [word]));

const styles = StyleSheet.create({
  page: { backgroundColor: PAPER, padding: 22, fontFamily: LETTER_SERIF, color: INK },
  outerFrame: { flexGrow: 1, borderWidth: 2.5, borderColor: NAVY, padding: 5 },
  innerFrame: {
    flexGrow: 1,
    borderWidth: 0.75,
    borderColor: GOLD,
    paddingTop: 40,
    paddingBottom: 16,
    paddingHorizontal: 64,
    alignItems: 'center',
  },
  eyebrow: { fontFamily: LETTER_SANS, fontSize: 9, color: GOLD, maxLines: 1, textOverflow: 'ellipsis' },
  title: { fontFamily: LETTER_SERIF, fontSize: 40, color: NAVY, marginTop: 10, letterSpacing: 0.6 },
  ornament: { flexDirection: 'row', alignItems: 'center', marginTop: 12, marginBottom: 14 },
  ornamentRule: { width: 90, height: 0.75, backgroundColor: GOLD },
  certify: { fontFamily: LETTER_SERIF, fontStyle: 'italic', fontSize: 15, color: MUTED },
  nameBlock: { width: '100%', alignItems: 'center', marginTop: 12 },
  name: { fontWeight: 700, color: NAVY, textAlign: 'center', maxLines: 2, textOverflow: 'ellipsis' },
  nameRule: { width: 360, height: 0.75, backgroundColor: GOLD_LIGHT, marginTop: 8 },
  body: {
    fontSize: 14.5,
    lineHeight: 1.45,
    textAlign: 'center',
    marginTop: 18,
    maxLines: 2,
    textOverflow: 'ellipsis',
  },
  strong: { fontWeight: 700 },
  project: {
    fontWeight: 700,
    fontStyle: 'italic',
    color: NAVY,
    textAlign: 'center',
    marginTop: 6,
    maxLines: 2,
    textOverflow: 'ellipsis',
  },
  dates: { fontFamily: LETTER_SERIF, fontStyle: 'italic', fontSize: 13, color: MUTED, marginTop: 10 },
  spacer: { flexGrow: 1 },
  topSpacer: { flexGrow: 0.5 },
  signatures: {
    width: '100%',
    flexDirection: 'row',
    alignItems: 'flex-end',
    justifyContent: 'space-between',
  },
  signature: { width: 210, alignItems: 'center' },
  signatureValue: {
    fontStyle: 'italic',
    fontSize: 15,
    textAlign: 'center',
    maxLines: 2,
    textOverflow: 'ellipsis',
  },
  signatureRule: { width: '100%', height: 0.75, backgroundColor: INK, marginTop: 5 },
  signatureLabel: { fontFamily: LETTER_SANS, fontSize: 8, letterSpacing: 2, color: MUTED, marginTop: 5 },
  seal: { width: 92, height: 92, alignItems: 'center', justifyContent: 'center' },
  sealText: { position: 'absolute', top: 0, left: 0, width: 92, height: 92, justifyContent: 'center' },
  sealSmall: {
    fontFamily: LETTER_SANS,
    fontWeight: 700,
    fontSize: 6.5,
    letterSpacing: 1.4,
    color: PAPER,
    textAlign: 'center',
  },
  sealYear: {
    fontFamily: LETTER_SERIF,
    fontWeight: 700,
    fontSize: 17,
    color: PAPER,
    textAlign: 'center',
    marginVertical: 1,
  },
  footer: {
    width: '100%',
    marginTop: 18,
    paddingTop: 8,
    borderTopWidth: 0.5,
    borderTopColor: GOLD_LIGHT,
    flexDirection: 'row',
    justifyContent: 'center',
    fontFamily: LETTER_SANS,
    fontSize: 8.5,
    color: MUTED,
  },
  footerCode: { fontWeight: 700, color: INK, letterSpacing: 0.8 },
  link: { color: MUTED, textDecoration: 'none' },
});

const LETTER_DATE = new Intl.DateTimeFormat('en-GB', {
  day: 'numeric',
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/**
 * The calendar date an instant was written for ("2026-08-28T23:59:59-07:00" is 28 August), formatted like
 * "8 June 2026". Reading the date part, not converting to UTC, keeps the day the program's admin entered.
 */
export function formatLetterDate(iso: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!match || Number.isNaN(Date.parse(iso)))
    throw new RangeError(`not an ISO date-time: ${JSON.stringify(iso)}`);
  const [, year, month, day] = match;
  return LETTER_DATE.format(Date.UTC(Number(year), Number(month) - 1, Number(day)));
}

/** The public page where anyone can check that a letter is genuine. */
export function verificationUrl(
  letter: Pick<LetterOfCompletion, 'verifyBaseUrl' | 'verificationCode'>,
): string {
  return `${letter.verifyBaseUrl.replace(/\/+$/, '')}/certificates/${encodeURIComponent(letter.verificationCode)}`;
}

/** Width of the content column inside the frames, in points (A4 landscape minus margins, borders, padding). */
const CONTENT_WIDTH = 650;

/** Characters set a full em wide: Han, kana, Hangul. */
const FULL_WIDTH = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u;

/** Rough width of a text in ems in Noto Serif Bold, close enough to pick a font size without measuring. */
function widthInEms(text: string): number {
  let ems = 0;
  for (const character of text) {
    if (character === ' ') ems += 0.26;
    else if (FULL_WIDTH.test(character)) ems += 1;
    else if (character !== character.toLowerCase()) ems += 0.75;
    else ems += 0.57;
  }
  return ems;
}

/**
 * The largest font size, up to `max`, at which the text fits one line, or, when that would be smaller
 * than `minOneLine`, the size at which it fits two lines (never below `min`; `maxLines` ellipsises beyond).
 */
function fittedFontSize(text: string, sizes: { max: number; minOneLine: number; min: number }): number {
  const ems = widthInEms(text);
  const longestWord = Math.max(...text.split(' ').map(widthInEms));
  const fits = (lines: number) =>
    Math.min((0.95 * CONTENT_WIDTH) / longestWord, (0.9 * lines * CONTENT_WIDTH) / ems);
  const size =
    fits(1) >= sizes.minOneLine ? Math.min(sizes.max, fits(1)) : Math.min(sizes.minOneLine, fits(2));
  return Math.max(sizes.min, Math.floor(size * 2) / 2);
}

/** A 24-point starburst, the classic certificate seal. */
function Seal({ year }: { year: string }) {
  const points = Array.from({ length: 48 }, (_, i) => {
    const angle = (Math.PI * i) / 24;
    const radius = i % 2 === 0 ? 46 : 41;
    return `${(46 + radius * Math.sin(angle)).toFixed(2)},${(46 - radius * Math.cos(angle)).toFixed(2)}`;
  }).join(' ');
  return (
    <View style={styles.seal}>
      <Svg width={92} height={92} viewBox="0 0 92 92">
        <Polygon points={points} fill={GOLD} />
        <Circle cx={46} cy={46} r={34} fill={NAVY} stroke={GOLD_LIGHT} strokeWidth={1} />
      </Svg>
      <View style={styles.sealText}>
        <Text style={styles.sealSmall}>MENTORSHIP</Text>
        <Text style={styles.sealYear}>{year}</Text>
        <Text style={styles.sealSmall}>COMPLETED</Text>
      </View>
    </View>
  );
}

function Signature({ value, label, fontFamily }: { value: string; label: string; fontFamily?: string[] }) {
  return (
    <View style={styles.signature}>
      <Text style={[styles.signatureValue, { fontFamily }]} hyphenationCallback={noHyphenation}>
        {value}
      </Text>
      <View style={styles.signatureRule} />
      <Text style={styles.signatureLabel}>{label}</Text>
    </View>
  );
}

/**
 * The letter itself, with the font list of each field's text (`renderLetterOfCompletion` picks them);
 * the metadata makes the output reproducible.
 */
export function LetterOfCompletionDocument({
  letter,
  fonts,
}: {
  letter: LetterOfCompletion;
  fonts: LetterFonts;
}) {
  const issued = new Date(letter.issuedAt);
  const url = verificationUrl(letter);
  const termEnd = formatLetterDate(letter.termEndsAt);
  return (
    <Document
      title={`Letter of Completion — ${letter.menteeName}`}
      author={letter.programName}
      subject={`${letter.programName}, ${letter.term}: ${letter.projectTitle}`}
      keywords={`letter of completion, verification code ${letter.verificationCode}`}
      creator={letter.programName}
      producer="react-pdf"
      language="en"
      creationDate={issued}
      modificationDate={issued}
    >
      {/* Not wrap={false}: in react-pdf 4.9 that makes the page as tall as its content. Every text that
          can grow has maxLines instead, so the letter always fits the one page. */}
      <Page size="A4" orientation="landscape" style={styles.page}>
        <View style={styles.outerFrame}>
          <View style={styles.innerFrame}>
            <Text
              style={[
                styles.eyebrow,
                {
                  fontFamily: fonts.programNameSans,
                  letterSpacing: letter.programName.length > 36 ? 1.6 : 3.2,
                },
              ]}
              hyphenationCallback={noHyphenation}
            >
              {letter.programName.toUpperCase()}
            </Text>
            <Text style={styles.title}>Letter of Completion</Text>
            <View style={styles.ornament}>
              <View style={styles.ornamentRule} />
              <Svg width={26} height={10} viewBox="0 0 26 10">
                <Polygon points="13,0 18,5 13,10 8,5" fill={GOLD} />
                <Polygon points="3,3.5 4.5,5 3,6.5 1.5,5" fill={GOLD} />
                <Polygon points="23,3.5 24.5,5 23,6.5 21.5,5" fill={GOLD} />
              </Svg>
              <View style={styles.ornamentRule} />
            </View>
            <View style={styles.topSpacer} />

            <Text style={styles.certify}>This is to certify that</Text>
            <View style={styles.nameBlock}>
              <Text
                style={[
                  styles.name,
                  {
                    fontFamily: fonts.menteeName,
                    fontSize: fittedFontSize(letter.menteeName, { max: 40, minOneLine: 30, min: 18 }),
                  },
                ]}
                hyphenationCallback={noHyphenation}
              >
                {letter.menteeName}
              </Text>
              <View style={styles.nameRule} />
            </View>

            <Text style={[styles.body, { fontFamily: fonts.body }]} hyphenationCallback={noHyphenation}>
              has successfully completed <Text style={styles.strong}>{letter.programName}</Text>,{' '}
              {letter.term}, as a mentee on the project
            </Text>
            <Text
              style={[
                styles.project,
                {
                  fontFamily: fonts.projectTitle,
                  fontSize: fittedFontSize(`“${letter.projectTitle}”`, { max: 19, minOneLine: 16, min: 12 }),
                },
              ]}
              hyphenationCallback={noHyphenation}
            >
              {`“${letter.projectTitle}”`}
            </Text>
            <Text style={styles.dates}>{`${formatLetterDate(letter.termStartsAt)} – ${termEnd}`}</Text>

            <View style={styles.spacer} />

            <View style={styles.signatures}>
              <Signature value={formatLetterDate(letter.issuedAt)} label="DATE OF ISSUE" />
              <Seal year={termEnd.slice(-4)} />
              <Signature value={letter.mentorName} label="MENTOR" fontFamily={fonts.mentorName} />
            </View>

            <View style={styles.footer}>
              <Text>
                Verification code <Text style={styles.footerCode}>{letter.verificationCode}</Text>
                {'   ·   '}Verify at{' '}
                <Link src={url} style={styles.link}>
                  {url}
                </Link>
              </Text>
            </View>
          </View>
        </View>
      </Page>
    </Document>
  );
}
