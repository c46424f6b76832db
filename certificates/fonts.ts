/**
 * The Letter of Completion's fonts: Noto, from the @expo-google-fonts packages (TrueType files that
 * @react-pdf/fontkit reads), registered from local files only. react-pdf embeds a subset of each face it uses,
 * so every viewer draws the same glyphs and the text extracts as written.
 *
 * The letter's serif (Noto Serif) and sans (Noto Sans) faces cover Latin, Cyrillic and Greek. Every other
 * script a name can be written in gets its own face, picked per text: react-pdf's font substitution draws each
 * character with the first face of the text's `fontFamily` list that has a glyph for it.
 */
import { createRequire } from 'node:module';
import { Font } from '@react-pdf/renderer';

const require = createRequire(import.meta.url);

/** One of the `<weight><Style>/<Family>_<weight><Style>.ttf` files of an @expo-google-fonts package. */
const ttf = (pkg: string, family: string, face: string) =>
  require.resolve(`@expo-google-fonts/${pkg}/${face}/${family}_${face}.ttf`);

export type FontRole = 'serif' | 'sans';
type Weight = 400 | 700;
type Style = 'normal' | 'italic';

interface Face {
  family: string;
  /** The file for each weight and style; a face without italics uses its upright file for italic text. */
  files: Record<`${Weight}-${Style}`, string>;
}

const uprightOnly = (pkg: string, family: string): Face['files'] => {
  const regular = ttf(pkg, family, '400Regular');
  const bold = ttf(pkg, family, '700Bold');
  return { '400-normal': regular, '400-italic': regular, '700-normal': bold, '700-italic': bold };
};

const withItalics = (pkg: string, family: string): Face['files'] => ({
  '400-normal': ttf(pkg, family, '400Regular'),
  '400-italic': ttf(pkg, family, '400Regular_Italic'),
  '700-normal': ttf(pkg, family, '700Bold'),
  '700-italic': ttf(pkg, family, '700Bold_Italic'),
});

const BASE: Record<FontRole, Face> = {
  serif: { family: 'Letter Serif', files: withItalics('noto-serif', 'NotoSerif') },
  sans: { family: 'Letter Sans', files: withItalics('noto-sans', 'NotoSans') },
};

/** Faces for the scripts the base faces lack, in the order they are tried. */
const SCRIPT_FACES = {
  sc: { family: 'Letter Sans SC', files: uprightOnly('noto-sans-sc', 'NotoSansSC') },
  jp: { family: 'Letter Sans JP', files: uprightOnly('noto-sans-jp', 'NotoSansJP') },
  kr: { family: 'Letter Sans KR', files: uprightOnly('noto-sans-kr', 'NotoSansKR') },
  devanagari: {
    family: 'Letter Sans Devanagari',
    files: uprightOnly('noto-sans-devanagari', 'NotoSansDevanagari'),
  },
  arabic: { family: 'Letter Sans Arabic', files: uprightOnly('noto-sans-arabic', 'NotoSansArabic') },
} satisfies Record<string, Face>;
type ScriptFace = keyof typeof SCRIPT_FACES;

for (const face of [...Object.values(BASE), ...Object.values(SCRIPT_FACES)]) {
  Font.register({
    family: face.family,
    fonts: Object.entries(face.files).map(([key, src]) => {
      const [weight, style] = key.split('-') as [string, Style];
      return { src, fontWeight: Number(weight), fontStyle: style };
    }),
  });
}

/**
 * Han characters are drawn in the Japanese face when the text also has kana, in the Korean face when it has
 * Hangul, else in the Simplified Chinese face: the same code point has a different customary form in each.
 */
function scriptFaceOrder(text: string): ScriptFace[] {
  const han: ScriptFace[] = /[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(text)
    ? ['jp', 'sc', 'kr']
    : /\p{Script=Hangul}/u.test(text)
      ? ['kr', 'sc', 'jp']
      : ['sc', 'jp', 'kr'];
  return [...han, 'devanagari', 'arabic'];
}

export interface TextFonts {
  /** The `fontFamily` list for the text: the base face, then the faces the text needs, best first. */
  fontFamily: string[];
  /** Characters no face has a glyph for (they would print as empty boxes). */
  missing: string[];
}

/** A face's regular font, loaded: every weight and style of a face covers the same characters. */
const loaded = async (family: string) => {
  const descriptor = { fontFamily: family, fontWeight: 400, fontStyle: 'normal' } as const;
  await Font.load(descriptor);
  return Font.getFont(descriptor).data!;
};

/**
 * The faces a text needs, starting with the role's base face. A script face is only loaded (the CJK ones are
 * 10 MB files, read once per process) when the base face lacks one of the text's characters.
 */
export async function fontsFor(text: string, role: FontRole): Promise<TextFonts> {
  const base = await loaded(BASE[role].family);
  const fontFamily = [BASE[role].family];
  const missing = new Set<string>();
  const order = scriptFaceOrder(text);
  for (const character of text) {
    const codePoint = character.codePointAt(0)!;
    // Joiners and marks of a script only shape within a run, never decide one.
    if (/[\s\u200c\u200d]/u.test(character) || base.hasGlyphForCodePoint(codePoint)) continue;
    let found = false;
    for (const script of order) {
      const face = SCRIPT_FACES[script];
      const font = await loaded(face.family);
      if (font.hasGlyphForCodePoint(codePoint)) {
        if (!fontFamily.includes(face.family)) fontFamily.push(face.family);
        found = true;
        break;
      }
    }
    if (!found) missing.add(character);
  }
  // Keep the faces in preference order, so shared characters (Han) go to the text's own face.
  const preference = [BASE[role].family, ...order.map((script) => SCRIPT_FACES[script].family)];
  fontFamily.sort((a, b) => preference.indexOf(a) - preference.indexOf(b));
  return { fontFamily, missing: [...missing] };
}

export const LETTER_SERIF = BASE.serif.family;
export const LETTER_SANS = BASE.sans.family;
