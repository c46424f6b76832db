/**
 * How long a Letter of Completion takes to render, for a Latin name (the baseline) and for names that need the
 * other scripts' faces (Chinese, Devanagari, Arabic): the first render of each in the process (which loads
 * the faces it needs) and the median and p90 of 30 warm renders, interleaved, with every figure also given
 * as a ratio against the Latin letter's. A one-line react-pdf document shows the renderer's own floor.
 *
 *   npx tsx bench/render-letter.ts
 */
import { performance } from 'node:perf_hooks';
import { Document, Page, renderToBuffer, Text } from '@react-pdf/renderer';
import { createElement } from 'react';
import {
  type LetterOfCompletion,
  newVerificationCode,
  renderLetterOfCompletion,
} from '../certificates/render.js';

const WARM_RUNS = 30;

const letter = (verificationCode: string): LetterOfCompletion => ({
  verificationCode,
  menteeName: 'Maximiliano Alejandro de la Cruz-Fernández',
  programName: 'LFX Mentorship',
  term: '2026 Term 2',
  projectTitle: 'Kubernetes SIG Node: Improve the observability of the kubelet eviction manager',
  mentorName: 'Zoë Ångström',
  termStartsAt: '2026-06-08T00:00:00Z',
  termEndsAt: '2026-08-28T23:59:59Z',
  issuedAt: '2026-09-04T10:00:00Z',
  verifyBaseUrl: 'https://mentorship.example.org',
});

const trivialDocument = () =>
  createElement(
    Document,
    null,
    createElement(
      Page,
      { size: 'A4', orientation: 'landscape' },
      createElement(Text, null, 'Hello, mentee.'),
    ),
  );

async function time<T>(work: () => Promise<T>): Promise<{ ms: number; result: T }> {
  const start = performance.now();
  const result = await work();
  return { ms: performance.now() - start, result };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

function summarize(times: number[]) {
  const sorted = [...times].sort((x, y) => x - y);
  return { median: percentile(sorted, 50), p90: percentile(sorted, 90) };
}

const fmt = (ms: number) => `${ms.toFixed(1)} ms`;

const NAMES = {
  latin: 'Maximiliano Alejandro de la Cruz-Fernández',
  chinese: '欧阳志远',
  devanagari: 'अर्जुन शर्मा',
  arabic: 'محمد علي',
} as const;
type Series = keyof typeof NAMES | 'one-line document';

const render = (series: Series) =>
  series === 'one-line document'
    ? renderToBuffer(trivialDocument())
    : renderLetterOfCompletion({ ...letter(newVerificationCode()), menteeName: NAMES[series] });

const series: Series[] = ['latin', 'chinese', 'devanagari', 'arabic', 'one-line document'];
const first = new Map<Series, number>();
for (const name of series) first.set(name, (await time(() => render(name))).ms);
// Interleaved, so that load from other processes hits every series alike and the ratios stay meaningful.
const times = new Map<Series, number[]>(series.map((name) => [name, []]));
const bytes = new Map<Series, number>();
for (let i = 0; i < WARM_RUNS; i++) {
  for (const name of series) {
    const rendered = await time(() => render(name));
    times.get(name)!.push(rendered.ms);
    bytes.set(name, rendered.result.length);
  }
}

const latin = { first: first.get('latin')!, ...summarize(times.get('latin')!) };
const ratio = (value: number, base: number) => `${(value / base).toFixed(2)}×`;
console.log(
  `Letter of Completion (node ${process.version}, ${WARM_RUNS} warm runs each, ratios against the Latin name)`,
);
console.log(
  `  ${'name'.padEnd(19)} ${'first render'.padStart(22)} ${'warm median'.padStart(22)} ${'warm p90'.padStart(22)} ${'PDF size'.padStart(10)}`,
);
for (const name of series) {
  const warm = summarize(times.get(name)!);
  const cell = (ms: number, base: number) => `${fmt(ms)} (${ratio(ms, base)})`.padStart(22);
  console.log(
    `  ${name.padEnd(19)} ${cell(first.get(name)!, latin.first)} ${cell(warm.median, latin.median)} ${cell(warm.p90, latin.p90)} ${`${(bytes.get(name)! / 1024).toFixed(1)} KiB`.padStart(10)}`,
  );
}
console.log(
  'The first render of the Latin letter loads the Noto Serif/Sans faces; a later name in another script',
);
console.log('loads its own face then (the CJK faces are 10 MB files), so its first render includes that.');
