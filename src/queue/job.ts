import { z } from 'zod';

/** What the alert says about itself, read once when it is queued (src/extract/alert-meta.ts). */
const alertDescriptionSchema = z.object({
  /** Detected format, for logs and the result. */
  format: z.string(),
  title: z.string().nullable(),
  severity: z.string().nullable(),
  /** ISO 8601 UTC. */
  time: z.string().nullable(),
  incidentArmId: z.string().nullable(),
  /** Which version of a changing alert this is (a Sentinel incident's last-modified time). */
  revision: z.string().nullable(),
});
export type AlertDescription = z.infer<typeof alertDescriptionSchema>;

/** What a queued job carries. Validated when the worker picks it up: a bad job fails at once, it is never dropped. */
export const alertJobSchema = z.object({
  alert: z.custom<unknown>((value) => value !== undefined, 'alert is required'),
  tenant: z.string().min(1),
  /** Detected format (also in `meta`; kept at the top for `dlq list` and older readers). */
  format: z.string(),
  /** The alert's own id when it has one, otherwise a hash of its content. */
  alertId: z.string().min(1),
  /** Absent only on jobs queued by ipenrich 0.1, which described alerts in the worker. */
  meta: alertDescriptionSchema.optional(),
  /** Digest of the alert's content (`sha256:…`): with tenant, format and id, the alert's identity. */
  digest: z.string().optional(),
  /** Digest of the revision this alert replaces (same identity, other content, received before). */
  replaces: z.string().optional(),
  callbackUrl: z.url().optional(),
  receivedAt: z.iso.datetime(),
  /** Random per enqueue call: tells the producer whether the stored job is its own or an earlier one. */
  enqueueId: z.string().min(1),
});
export type AlertJobData = z.infer<typeof alertJobSchema>;
