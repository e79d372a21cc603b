/** Names, uids and times for generated objects, all drawn from one seeded sequence so a seed fixes the cluster. */
import { seededRandom } from './random';

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no look-alikes). */
const SUFFIX_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

export class Ids {
  private readonly random: () => number;

  constructor(
    seed: number,
    readonly now: number,
  ) {
    this.random = seededRandom(seed);
  }

  /** A version-4 UUID. */
  uid(): string {
    const hex = this.hex(32).split('');
    hex[12] = '4';
    hex[16] = '89ab'[this.int(0, 3)] ?? '8';
    const h = hex.join('');
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  /** A generated-name suffix such as the `7d9f8b6c4d` of a ReplicaSet or the `x2k9p` of a pod. */
  suffix(length: number): string {
    let out = '';
    for (let i = 0; i < length; i++) out += SUFFIX_ALPHABET[Math.floor(this.random() * SUFFIX_ALPHABET.length)];
    return out;
  }

  hex(length: number): string {
    let out = '';
    while (out.length < length)
      out += Math.floor(this.random() * 2 ** 32)
        .toString(16)
        .padStart(8, '0');
    return out.slice(0, length);
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(probability: number): boolean {
    return this.random() < probability;
  }

  pick<T>(items: readonly T[]): T {
    const item = items[Math.floor(this.random() * items.length)];
    if (item === undefined) throw new Error('pick from an empty list');
    return item;
  }

  /** An RFC 3339 time (seconds precision, as the API server writes) `ms` before now. */
  ago(ms: number): string {
    return timestamp(this.now - ms);
  }
}

export function timestamp(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;
