/** A small seeded generator (mulberry32): the same seed gives the same faults, latencies and ids on every machine. */
export class Random {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let value = this.state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [low, high]. */
  int(low: number, high: number): number {
    return low + Math.floor(this.next() * (high - low + 1));
  }

  chance(probability: number): boolean {
    return probability > 0 && this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('Random.pick needs at least one item');
    return items[Math.floor(this.next() * items.length)] as T;
  }
}

/** A deterministic stand-in for `crypto.randomUUID` (the runtime's tab ids) drawn from `random`. */
export function uuidFrom(random: Random): () => `${string}-${string}-${string}-${string}-${string}` {
  const hex = (length: number): string => {
    let text = '';
    for (let index = 0; index < length; index += 1) text += Math.floor(random.next() * 16).toString(16);
    return text;
  };
  return () => `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`;
}
