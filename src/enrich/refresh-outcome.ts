import type { SpareAdmission } from './spare-budget.js';

/** How one refresh ahead of an entry ended (Enricher.refresh). */
export type RefreshOutcome =
  /** Refetched and cached again, fresh for a full TTL. */
  | { readonly kind: 'refreshed' }
  /** Someone refetched it meanwhile: it stays fresh past the refresh margin. No call. */
  | { readonly kind: 'fresh' }
  /** Another process is fetching it now (a real miss, most likely): it gets the answer. No call. */
  | { readonly kind: 'busy' }
  /** No spare budget: refreshes wait (ms until a window is under its ceiling, when known). No call. */
  | { readonly kind: 'no-budget'; readonly blockedBy: Extract<SpareAdmission, { admitted: false }>['blockedBy']; readonly retryInMs: number }
  /** The call failed (not cached; the entry stays as it was), with the error's code. */
  | { readonly kind: 'failed'; readonly code: string };
