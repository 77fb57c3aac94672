import { randomUUID } from 'node:crypto';
import { describeAlert } from '../extract/index.js';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { AlertDescription, AlertJobData } from '../queue/job.js';
import { enqueueJobs, type EnqueuedJob, type PreparedJob, type ProducerOptions } from '../queue/producer.js';
import { contentDigest, identityKey, jobIdFor, type AlertIdentity } from './alert-identity.js';
import type { AlertRevisions } from './ports.js';

export interface AlertRequest {
  readonly alert: unknown;
  readonly tenant?: string;
  readonly callbackUrl?: string;
}

export interface IntakeOptions extends ProducerOptions {
  readonly defaultTenant: string;
  /** Remembers each alert's latest revision, so a new one says which it replaces (absent: it says none). */
  readonly revisions?: AlertRevisions;
  readonly now?: () => number;
}

interface Prepared extends PreparedJob {
  readonly meta: AlertDescription;
  readonly identity: AlertIdentity;
  readonly digest: string;
}

/**
 * ① The alert is described once, here: its format, title, severity, time, incident and revision
 * travel with the job, so neither the ingress' answer nor the worker reads the alert for them again.
 * Its identity (tenant, format, alert id) and content digest make the job id: the same alert is
 * enriched once, and different content under the same id is a new revision.
 */
function prepareAlertJob(request: AlertRequest, options: IntakeOptions): Prepared {
  const now = options.now ?? Date.now;
  const meta = describeAlert(request.alert);
  const tenant = request.tenant ?? options.defaultTenant;
  const digest = contentDigest(request.alert);
  const identity: AlertIdentity = { tenant, format: meta.format, alertId: meta.id ?? digest };
  const description: AlertDescription = {
    format: meta.format,
    title: meta.title,
    severity: meta.severity,
    time: meta.time,
    incidentArmId: meta.incidentArmId,
    revision: meta.revision ?? null,
  };
  const data: AlertJobData = {
    alert: request.alert,
    tenant,
    format: meta.format,
    alertId: identity.alertId,
    meta: description,
    digest,
    receivedAt: new Date(now()).toISOString(),
    enqueueId: randomUUID(),
    ...(request.callbackUrl === undefined ? {} : { callbackUrl: request.callbackUrl }),
  };
  return { jobId: jobIdFor(identity, digest), data, meta: description, identity, digest };
}

export type AcceptedAlert = EnqueuedJob & { readonly meta: AlertDescription };

/**
 * Describes and queues alerts, all or none; each answer says whether the alert was already known.
 * A new revision of a known alert carries the digest of the one it replaces (by arrival).
 */
export async function acceptAlerts(queue: AlertsQueue, requests: readonly AlertRequest[], options: IntakeOptions): Promise<AcceptedAlert[]> {
  const prepared = requests.map((request) => prepareAlertJob(request, options));
  const jobs = options.revisions ? await withReplaced(prepared, options.revisions) : prepared;
  const queued = await enqueueJobs(queue, jobs, options);
  return queued.map((job, index) => {
    const meta = prepared[index]?.meta;
    if (!meta) throw new Error('unreachable: one answer per prepared job');
    return { ...job, meta };
  });
}

async function withReplaced(prepared: readonly Prepared[], revisions: AlertRevisions): Promise<PreparedJob[]> {
  return await Promise.all(
    prepared.map(async (job) => {
      const previous = await revisions.swap(identityKey(job.identity), job.digest);
      return previous === null || previous === job.digest ? job : { ...job, data: { ...job.data, replaces: previous } };
    }),
  );
}
