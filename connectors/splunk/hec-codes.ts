import { isTemporaryStatus } from '../../src/http/temporary-status.js';

/**
 * HEC status codes and what each means for a sender (Splunk's "Troubleshoot HTTP Event Collector" table;
 * docs/splunk.md §4): busy/unhealthy/internal are temporary, everything else is a problem with
 * the token, index, channel or event format that a retry cannot fix.
 * https://help.splunk.com/en/splunk-enterprise/get-data-in/collect-http-event-data/troubleshoot-http-event-collector
 */
const HEC_TEMPORARY_CODES: ReadonlySet<number> = new Set([8, 9, 18, 19, 20]);
const HEC_PERMANENT_CODES: ReadonlySet<number> = new Set([1, 2, 3, 4, 5, 6, 7, 10, 11, 12, 13, 14, 15, 16, 21, 22]);

export type HecOutcome = 'accepted' | 'temporary' | 'permanent';

/**
 * The outcome of one HEC answer. The HEC code decides when there is one; otherwise the HTTP
 * status does, by the shared rule (a proxy or load balancer in front of Splunk answers without HEC codes).
 */
export function hecOutcome(status: number, code: number | undefined): HecOutcome {
  if (code !== undefined) {
    if (code === 0 && status >= 200 && status < 300) return 'accepted';
    if (HEC_TEMPORARY_CODES.has(code)) return 'temporary';
    if (HEC_PERMANENT_CODES.has(code)) return 'permanent';
  }
  if (status >= 200 && status < 300) return 'accepted';
  if (isTemporaryStatus(status)) return 'temporary';
  return 'permanent';
}
