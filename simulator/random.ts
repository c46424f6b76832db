import type { Distribution } from './files.js';

/** mulberry32: a small seeded generator, so the same seed plans the same cohort on every run. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** One independent stream per (seed, parts...): a mentee's draws do not depend on how many others there are. */
export function streamFor(seed: number, ...parts: number[]): Random {
  let h = 0x811c9dc5 ^ seed;
  for (const part of [seed, ...parts]) {
    h = Math.imul(h ^ part, 0x01000193) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0x5bd1e995) >>> 0;
  }
  return new Random(seededRandom(h));
}

export class Random {
  constructor(readonly next: () => number) {}

  /** A sub-stream, e.g. one per program a person applies to. */
  fork(index: number): Random {
    return new Random(
      seededRandom((Math.floor(this.next() * 4294967296) ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0),
    );
  }

  chance(rate: number): boolean {
    return this.next() < rate;
  }

  /** A key of `shares` (which add up to 1), in the object's key order. */
  pick<K extends string>(shares: Record<K, number>): K {
    const keys = Object.keys(shares) as K[];
    let u = this.next();
    for (const key of keys) {
      u -= shares[key];
      if (u < 0) return key;
    }
    return keys[keys.length - 1]!;
  }

  /** A value of the distribution. */
  sample(d: Distribution): number {
    if (typeof d === 'number') return d;
    if ('values' in d) {
      const weights = d.weights ?? d.values.map(() => 1);
      const total = weights.reduce((s, w) => s + w, 0);
      let u = this.next() * total;
      for (const [i, w] of weights.entries()) {
        u -= w;
        if (u < 0) return d.values[i]!;
      }
      return d.values[d.values.length - 1]!;
    }
    if ('sd' in d) {
      // Box-Muller, clipped
      const z = Math.sqrt(-2 * Math.log(1 - this.next())) * Math.cos(2 * Math.PI * this.next());
      const v = d.mean + z * d.sd;
      return Math.min(d.max ?? Number.POSITIVE_INFINITY, Math.max(d.min ?? 0, v));
    }
    return d.min + this.next() * (d.max - d.min);
  }
}
