/**
 * A bounded, short-lived copy of values in this process, each until its own expiry (epoch ms). The
 * oldest entry goes first when it is full: Map keeps insertion order, and an entry set again moves
 * to the end.
 */
export class ProcessCache<Value> {
  readonly #entries = new Map<string, { readonly value: Value; readonly until: number }>();

  constructor(private readonly maxEntries: number) {}

  /** The value while `now` is before its expiry; an expired one is dropped. */
  get(key: string, now: number): Value | undefined {
    const held = this.#entries.get(key);
    if (held === undefined) return undefined;
    if (now < held.until) return held.value;
    this.#entries.delete(key);
    return undefined;
  }

  set(key: string, value: Value, until: number): void {
    this.#entries.delete(key);
    this.#entries.set(key, { value, until });
    if (this.#entries.size > this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (oldest.done !== true) this.#entries.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#entries.size;
  }
}
