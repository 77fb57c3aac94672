import { IpenrichError } from '../errors.js';
import type { JobView } from './response-schemas.js';

/**
 * The answer for a job that failed for good, on the synchronous call and on every poll of its
 * status URL: JOB_FAILED, a final 4xx (src/errors.ts says which). A 200 would make a Logic Apps
 * action succeed with an error body (polling ends at the first answer that is not a 202, and a 200 continues the
 * workflow: https://github.com/logicappsio/LogicAppsAsyncResponseSample), and a 5xx would be retried four times for
 * a failure that will not change (https://learn.microsoft.com/azure/logic-apps/logic-apps-exception-handling#retry-policies;
 * docs/playbooks.md, "What the action sees").
 */
export function jobFailedError(view: Pick<JobView, 'jobId' | 'failedReason' | 'statusUrl'>): IpenrichError {
  return new IpenrichError(
    'JOB_FAILED',
    `job ${view.jobId} failed: ${view.failedReason ?? 'no reason recorded'}; it is in the dead-letter queue (${view.statusUrl})`,
  );
}
