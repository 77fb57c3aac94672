import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import type { Job, Queue } from 'bullmq';
import { redactUrl, redactUrlsIn } from '../http/redact-url.js';

type Options = ConstructorParameters<typeof BullMQAdapter>[1];

function callbackOf(data: unknown): string | undefined {
  if (typeof data !== 'object' || data === null || !('callbackUrl' in data)) return undefined;
  return typeof data.callbackUrl === 'string' ? data.callbackUrl : undefined;
}

function redactData(data: unknown): unknown {
  const callbackUrl = callbackOf(data);
  return callbackUrl === undefined ? data : { ...(data as object), callbackUrl: redactUrl(callbackUrl) };
}

/**
 * The job as the dashboard may show it. bull-board formats `data` through `setFormatter` but sends
 * `failedReason` and `stacktrace` (which quote the callback URL when delivering to it failed) as
 * `toJSON()` gives them, so that method is shadowed on the instance; the job still works for every
 * action. Data edited on the dashboard comes back with the redacted callback URL: the real one is
 * put back, or the edit would break the callback.
 */
function redactedForDashboard(job: Job): Job {
  const toJSON = job.toJSON.bind(job);
  const updateData = job.updateData.bind(job);
  const original = callbackOf(job.data);
  return Object.assign(job, {
    toJSON: () => {
      const json = toJSON();
      // Only a failed (or retried) job has a failedReason; every other state's toJSON leaves it undefined.
      const failedReason = typeof json.failedReason === 'string' ? redactUrlsIn(json.failedReason) : json.failedReason;
      return { ...json, failedReason, stacktrace: json.stacktrace?.map(redactUrlsIn) ?? null };
    },
    updateData: (data: unknown) =>
      updateData(original !== undefined && callbackOf(data) === redactUrl(original) ? { ...(data as object), callbackUrl: original } : data),
  });
}

/** bull-board's BullMQ adapter, showing jobs with the credentials in their callback URLs redacted. */
export class RedactingQueueAdapter extends BullMQAdapter {
  constructor(queue: Queue, options?: Options) {
    super(queue, options);
    this.setFormatter('data', redactData);
  }

  override async getJob(id: string): Promise<Job | undefined> {
    const job = await super.getJob(id);
    return job && redactedForDashboard(job);
  }

  override async getJobs(...args: Parameters<BullMQAdapter['getJobs']>): Promise<Job[]> {
    return (await super.getJobs(...args)).map(redactedForDashboard);
  }
}
