/** How many of a process's latest attempts the throttle looks at. */
const WINDOW = 32;
/** Share of them deferred for budget from which the process counts as going through a starved backlog. */
const STARVED_SHARE = 0.75;
/**
 * How long after another tenant's alert was answered that tenant counts as being served: a minute,
 * so the throttle is on when a flood starts, not only after the next answer (a tenant sending one
 * alert a minute still counts).
 */
const OTHERS_SERVED_MS = 60_000;

/** How an attempt ended, as the throttle sees it. */
export type AttemptEnd = 'waits-for-budget' | 'answered' | 'other';

/**
 * A look-up deferred for budget costs a worker about half a millisecond of CPU and three Redis round
 * trips, and all it learns is that the alert must wait. A tenant with a deep backlog of new IPs
 * sends every worker slot through them back to back (its first pass, every alert taken once); on
 * cores it saturates, another tenant's alerts, though they get a slot at once, run several times
 * slower (BENCHMARKS.md, fairness). So while most of this process's latest attempts were deferred
 * for budget and another tenant's alerts are being answered, the process takes fewer jobs at once:
 * the starved backlog is gone through more slowly, on the CPU the answered alerts leave.
 */
export class BudgetStarvedThrottle {
  readonly #latest: { readonly tenant: string; readonly starved: boolean }[] = [];
  #starvedCount = 0;
  #othersServedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly full: number,
    private readonly reduced: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Records one finished attempt; returns how many jobs the process should take at once from now. */
  record(tenant: string, end: AttemptEnd): number {
    const starved = end === 'waits-for-budget';
    this.#latest.push({ tenant, starved });
    if (starved) this.#starvedCount += 1;
    if (this.#latest.length > WINDOW && this.#latest.shift()?.starved) this.#starvedCount -= 1;
    // Answered for a tenant none of whose latest attempts waited for budget: another tenant is served.
    if (end === 'answered' && !this.#latest.some((attempt) => attempt.starved && attempt.tenant === tenant)) this.#othersServedAt = this.now();
    const flooded = this.#latest.length === WINDOW && this.#starvedCount >= STARVED_SHARE * WINDOW;
    return flooded && this.now() - this.#othersServedAt < OTHERS_SERVED_MS ? Math.min(this.reduced, this.full) : this.full;
  }
}
