import type { AlertResult, IpResult } from '../../src/result/schema.js';

/** One HEC event (JSON event protocol) plus the progress part it stands for. */
export interface HecEvent {
  /** `event:alert`, or `event:<ip>` when events are per IP. */
  readonly part: string;
  readonly json: string;
}

export interface EventMetadata {
  readonly index?: string | undefined;
  readonly source: string;
  readonly sourcetype: string;
  readonly host?: string | undefined;
}

/** Epoch seconds with milliseconds, as HEC's `time` expects (e.g. 1433188255.500). */
export function hecTime(iso: string): number {
  return Math.round(Date.parse(iso)) / 1_000;
}

function alertFields(result: AlertResult, deliveryId: string): Record<string, unknown> {
  return {
    deliveryId,
    alertId: result.alertId,
    tenant: result.tenant,
    format: result.format,
    title: result.title,
    severity: result.severity,
    incidentArmId: result.incidentArmId,
    alertTime: result.alertTime,
    completedAt: result.completedAt,
    partial: result.partial,
    truncated: result.truncated,
    summary: result.summary.text,
  };
}

function ipFields(ip: IpResult): Record<string, unknown> {
  const { paths: _paths, ...rest } = ip;
  return rest;
}

/**
 * The events for one result. Metadata sits beside `event` as HEC requires; `time` is the alert's
 * own time so searches line up with the SIEM. Each event carries `eventId` (deliveryId, plus the IP
 * when per IP), the same on every retry: at-least-once delivery can then be deduplicated in search
 * (`| dedup eventId`).
 * https://help.splunk.com/splunk-enterprise/get-data-in/collect-http-event-data/format-events-for-http-event-collector
 */
export function buildEvents(result: AlertResult, deliveryId: string, metadata: EventMetadata, perIp: boolean): HecEvent[] {
  const base = {
    time: hecTime(result.alertTime ?? result.completedAt),
    ...(metadata.host === undefined ? {} : { host: metadata.host }),
    source: metadata.source,
    sourcetype: metadata.sourcetype,
    ...(metadata.index === undefined ? {} : { index: metadata.index }),
  };
  const alert = alertFields(result, deliveryId);
  if (!perIp) {
    const event = { ...alert, eventId: deliveryId, cidrs: result.cidrs, counts: result.summary.counts, ips: result.ips.map(ipFields) };
    return [{ part: 'event:alert', json: JSON.stringify({ ...base, event }) }];
  }
  return result.ips.map((ip) => ({
    part: `event:${ip.ip}`,
    json: JSON.stringify({ ...base, event: { ...alert, eventId: `${deliveryId}:${ip.ip}`, ...ipFields(ip) } }),
  }));
}

/**
 * Groups events into request bodies of concatenated JSON objects (HEC batching: no array, no
 * commas) that stay under `maxBytes`; an event larger than that travels alone.
 */
export function batchEvents(events: readonly HecEvent[], maxBytes: number): HecEvent[][] {
  const batches: HecEvent[][] = [];
  let current: HecEvent[] = [];
  let size = 0;
  for (const event of events) {
    const bytes = Buffer.byteLength(event.json);
    if (current.length > 0 && size + bytes > maxBytes) {
      batches.push(current);
      current = [];
      size = 0;
    }
    current.push(event);
    size += bytes;
  }
  if (current.length > 0) batches.push(current);
  return batches;
}
