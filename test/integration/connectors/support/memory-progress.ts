import type { DeliveryProgress } from '../../../../src/sinks/port.js';

/** The worker's per-job, per-sink progress record, kept in memory for connector tests. */
export function memoryProgress(): DeliveryProgress & { readonly parts: Set<string> } {
  const parts = new Set<string>();
  return {
    parts,
    completed: () => Promise.resolve(new Set(parts)),
    markCompleted: (done) => {
      for (const part of done) parts.add(part);
      return Promise.resolve();
    },
  };
}
