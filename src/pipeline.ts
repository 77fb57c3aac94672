import { IpenrichError, isErrorCode } from './errors.js';
import type { AlertJobData } from './queue/job.js';
import { buildResult, type FoundIp, type IpOutcome } from './result/build.js';
import type { AlertResult } from './result/schema.js';
import type { VerdictPolicy } from './result/verdict.js';

/**
 * The whole flow for one alert, with its dependencies passed in:
 * extract → enrich (cache → coalesce → limiter → Defender) → build the result.
 * Delivery to sinks is the worker's next step, so a result is built once and re-sent as is.
 */
export interface PipelineDeps {
  readonly extract: (alert: unknown) => { ips: readonly FoundIp[]; cidrs: readonly string[]; truncated: boolean };
  readonly describe: (alert: unknown) => {
    title: string | null;
    severity: string | null;
    time: string | null;
    incidentArmId: string | null;
  };
  readonly enrich: (
    tenant: string,
    ips: string[],
    options: { lookBackHours: number; deadline: number; signal?: AbortSignal },
  ) => Promise<readonly IpOutcome[]>;
  readonly lookBackHoursFor: (tenant: string) => number;
  readonly policy: VerdictPolicy;
  readonly now: () => number;
}

export interface PipelineOptions {
  /** Epoch ms: budget waits beyond this defer the alert instead of holding a worker slot. */
  readonly deadline: number;
  /** The alert has waited long enough: deliver what is known, the rest marked deferred. */
  readonly partialAllowed: boolean;
  /** Last attempt: deliver IPs that failed with retryable errors as `error` instead of retrying again. */
  readonly finalAttempt: boolean;
  readonly signal?: AbortSignal;
}

export type PipelineOutcome =
  | { readonly kind: 'done'; readonly result: AlertResult }
  | { readonly kind: 'defer'; readonly until: number; readonly deferredIps: number };

export async function runPipeline(job: AlertJobData, deps: PipelineDeps, options: PipelineOptions): Promise<PipelineOutcome> {
  const extraction = deps.extract(job.alert);
  const meta = deps.describe(job.alert);
  const lookBackHours = deps.lookBackHoursFor(job.tenant);
  const toEnrich = extraction.ips.filter((ip) => ip.enrich).map((ip) => ip.ip);

  const outcomes = toEnrich.length === 0
    ? []
    : await deps.enrich(job.tenant, toEnrich, {
        lookBackHours,
        deadline: options.deadline,
        ...(options.signal === undefined ? {} : { signal: options.signal }),
      });

  const deferred = outcomes.filter((outcome) => outcome.status === 'deferred');
  if (deferred.length > 0 && !options.partialAllowed) {
    const until = Math.min(...deferred.map((outcome) => outcome.retryAt ?? deps.now() + 1_000));
    return { kind: 'defer', until, deferredIps: deferred.length };
  }

  for (const outcome of outcomes) {
    if (outcome.status !== 'error' || !outcome.error) continue;
    const code = isErrorCode(outcome.error.code) ? outcome.error.code : 'INTERNAL';
    const failure = new IpenrichError(code, `${outcome.ip}: ${outcome.error.message}`);
    // A configuration problem (auth, permission) fails the alert at once; a transient one is retried
    // until the last attempt, which delivers what is known.
    if (!failure.retryable || !options.finalAttempt) throw failure;
  }

  const result = buildResult({
    facts: {
      alertId: job.alertId,
      tenant: job.tenant,
      format: job.format,
      title: meta.title,
      severity: meta.severity,
      incidentArmId: meta.incidentArmId,
      alertTime: meta.time,
      receivedAt: job.receivedAt,
    },
    found: extraction.ips,
    cidrs: extraction.cidrs,
    truncated: extraction.truncated,
    outcomes: new Map(outcomes.map((outcome) => [outcome.ip, outcome])),
    lookBackHours,
    policy: deps.policy,
    now: deps.now(),
  });
  return { kind: 'done', result };
}

export type { FoundIp, IpOutcome };
