import { z } from 'zod';

/** What a queued job carries. Validated when the worker picks it up: a bad job fails at once, it is never dropped. */
export const alertJobSchema = z.object({
  alert: z.custom<unknown>((value) => value !== undefined, 'alert is required'),
  tenant: z.string().min(1),
  /** Detected format (see src/extract/alert-meta.ts), for logs and the result. */
  format: z.string(),
  /** The alert's own id when it has one, otherwise a hash of its content. */
  alertId: z.string().min(1),
  callbackUrl: z.url().optional(),
  receivedAt: z.iso.datetime(),
  /** Random per enqueue call: tells the producer whether the stored job is its own or an earlier one. */
  enqueueId: z.string().min(1),
});
export type AlertJobData = z.infer<typeof alertJobSchema>;
