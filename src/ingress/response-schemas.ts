import { z } from 'zod';
import { ERROR_CODES, type ErrorCode } from '../errors.js';
import { alertResultSchema, ipResultSchema } from '../result/schema.js';

/** The one error shape of every non-2xx answer. */
export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(ERROR_CODES) as [ErrorCode, ...ErrorCode[]]).describe('A stable code from docs/ERRORS.md.'),
      message: z.string(),
      issues: z
        .array(z.object({ path: z.string(), message: z.string() }))
        .optional()
        .describe('For INPUT_INVALID: each problem, with its JSON path in the request.'),
    }),
  })
  .describe('Every error. Never holds a stack trace or a secret.')
  .meta({ id: 'Error' });

export const JOB_STATES = ['waiting', 'prioritized', 'active', 'delayed', 'waiting-children', 'completed', 'failed', 'unknown'] as const;
export type JobStateName = (typeof JOB_STATES)[number];

const statusUrl = z.string().describe('GET it for the job\'s state and result. Absolute when INGRESS_PUBLIC_URL is set.');

/**
 * Schemas with an `id` appear once under components.schemas of the OpenAPI document and are
 * referenced from every route. The result's schemas are given ids on copies (`.meta` clones), so
 * the shared originals carry no metadata of ours.
 */
const alertResult = alertResultSchema.meta({ id: 'AlertResult' });
const ipResult = ipResultSchema.meta({ id: 'IpResult' });

export const acceptedJob = z.object({
  jobId: z.string(),
  alertId: z.string().describe('The alert\'s own id (Sentinel incident ARM id, Splunk sid, Graph id…), or a hash of its content.'),
  tenant: z.string(),
  format: z.string().describe('Detected alert format: sentinel-incident, sentinel-alert, splunk-webhook, graph-alert, …, generic.'),
  incidentArmId: z.string().nullable().describe('The Sentinel incident ARM id, when the alert came from one.'),
  duplicate: z.boolean().describe('True when this alert was already queued or done: it is not enriched twice.'),
  statusUrl,
}).meta({ id: 'AcceptedJob' });

export const alertsAccepted = z.object({ jobs: z.array(acceptedJob) }).describe('Every alert is persisted in Redis before this answer.');

export const jobView = z.object({
  jobId: z.string(),
  state: z.enum(JOB_STATES).describe('delayed: waiting for API budget or for a retry; failed: in the dead-letter queue.'),
  alertId: z.string(),
  tenant: z.string(),
  format: z.string(),
  receivedAt: z.string(),
  attemptsMade: z.number().int().min(0),
  finishedAt: z.string().nullable(),
  statusUrl,
  result: alertResult.optional().describe('The enrichment result, once the job completed.'),
  failedReason: z.string().optional().describe('Why the job failed, once it failed.'),
  waitingFor: z
    .object({
      reason: z.enum(['budget', 'delivery', 'retry']).describe('budget: its IPs wait for API budget; delivery: the result is built and some destination failed (only those are tried again); retry: an error is retried with backoff.'),
      deliveries: z
        .array(
          z.object({
            sink: z.string(),
            failures: z.number().int().min(1),
            failingSince: z.string().nullable(),
            lastError: z.string().nullable().describe('As `failedReason` shows an error: destinations are hidden from a tenant-bound key.'),
          }),
        )
        .optional()
        .describe('With reason delivery: the destinations that have not accepted the result yet.'),
      lastError: z.string().nullable().optional().describe('With reason retry: the error being retried.'),
    })
    .optional()
    .describe('Why the job waits, while it is delayed.'),
}).meta({ id: 'JobView' });
export type JobView = z.infer<typeof jobView>;

export const enrichAnswer = jobView
  .extend({ duplicate: z.boolean().describe('True when this alert was already queued or done.') })
  .meta({ id: 'EnrichAnswer' });

export const lookupAnswer = z.object({
  tenant: z.string(),
  lookBackHours: z.number().int(),
  partial: z.boolean().describe('True when some IPs are deferred (no API budget before the answer was due) or failed.'),
  ips: z.array(ipResult),
  summary: z.string(),
});

