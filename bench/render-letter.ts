/**
 * How long a Letter of Completion takes to render: 1 cold and 30 warm renders, against a baseline of a
 * trivial one-line react-pdf document rendered in the same process (so the figure reads as a ratio).
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

const renderLetter = () => renderLetterOfCompletion(letter(newVerificationCode()));
const renderBaseline = () => renderToBuffer(trivialDocument());

const cold = await time(renderLetter);
const baselineFirst = await time(renderBaseline);
// Interleaved, so that load from other processes hits both series alike and the ratio stays meaningful.
const letterTimes: number[] = [];
const baselineTimes: number[] = [];
let letterBytes = 0;
let baselineBytes = 0;
for (let i = 0; i < WARM_RUNS; i++) {
  const rendered = await time(renderLetter);
  letterTimes.push(rendered.ms);
  letterBytes = rendered.result.length;
  const trivial = await time(renderBaseline);
  baselineTimes.push(trivial.ms);
  baselineBytes = trivial.result.length;
}
const warm = { ...summarize(letterTimes), bytes: letterBytes };
const baseline = { ...summarize(baselineTimes), bytes: baselineBytes };
const baselineCold = baselineFirst;

console.log(`Letter of Completion (node ${process.version}, ${WARM_RUNS} warm runs)`);
console.log(`  cold render         ${fmt(cold.ms)}`);
console.log(`  warm median         ${fmt(warm.median)}`);
console.log(`  warm p90            ${fmt(warm.p90)}`);
console.log(`  PDF size            ${warm.bytes} bytes (${(warm.bytes / 1024).toFixed(1)} KiB)`);
console.log('Baseline: one-line react-pdf document, same process');
console.log(`  first render        ${fmt(baselineCold.ms)}`);
console.log(`  warm median         ${fmt(baseline.median)}`);
console.log(`  warm p90            ${fmt(baseline.p90)}`);
console.log(`  PDF size            ${baseline.bytes} bytes`);
console.log(`Ratio (warm medians)  ${(warm.median / baseline.median).toFixed(1)}× the baseline`);
