import { randomUUID } from 'node:crypto';
import { describeAlert } from '../extract/index.js';
import type { AlertsQueue } from '../queue/alerts-queue.js';
import type { AlertDescription, AlertJobData } from '../queue/job.js';
import { enqueueJobs, type EnqueuedJob, type PreparedJob, type ProducerOptions } from '../queue/producer.js';
import { contentId, jobIdFor } from './alert-identity.js';

export interface AlertRequest {
  readonly alert: unknown;
  readonly tenant?: string;
  readonly callbackUrl?: string;
}

export interface IntakeOptions extends ProducerOptions {
  readonly defaultTenant: string;
  readonly now?: () => number;
}

/**
 * ① The alert is described once, here: its format, title, severity, time, incident and revision
 * travel with the job, so neither the ingress' answer nor the worker reads the alert for them again.
 * Its identity (tenant, alert id, revision) is the job id, so the same alert is enriched once.
 */
function prepareAlertJob(request: AlertRequest, options: IntakeOptions): PreparedJob & { readonly meta: AlertDescription } {
  const now = options.now ?? Date.now;
  const meta = describeAlert(request.alert);
  const tenant = request.tenant ?? options.defaultTenant;
  const alertId = meta.id ?? contentId(request.alert);
  const revision = meta.revision ?? null;
  const description: AlertDescription = {
    format: meta.format,
    title: meta.title,
    severity: meta.severity,
    time: meta.time,
    incidentArmId: meta.incidentArmId,
    revision,
  };
  const data: AlertJobData = {
    alert: request.alert,
    tenant,
    format: meta.format,
    alertId,
    meta: description,
    receivedAt: new Date(now()).toISOString(),
    enqueueId: randomUUID(),
    ...(request.callbackUrl === undefined ? {} : { callbackUrl: request.callbackUrl }),
  };
  return { jobId: jobIdFor(tenant, revision ? `${alertId}@${revision}` : alertId), data, meta: description };
}

export type AcceptedAlert = EnqueuedJob & { readonly meta: AlertDescription };

/** Describes and queues alerts, all or none; each answer says whether the alert was already known. */
export async function acceptAlerts(
  queue: AlertsQueue,
  requests: readonly AlertRequest[],
  options: IntakeOptions,
): Promise<AcceptedAlert[]> {
  const prepared = requests.map((request) => prepareAlertJob(request, options));
  const queued = await enqueueJobs(queue, prepared, options);
  return queued.map((job, index) => {
    const meta = prepared[index]?.meta;
    if (!meta) throw new Error('unreachable: one answer per prepared job');
    return { ...job, meta };
  });
}
