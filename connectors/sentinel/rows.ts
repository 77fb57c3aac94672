import type { AlertResult, IpResult } from '../../src/result/schema.js';

/**
 * One row of the custom table (config/sentinel/ip-enrichment.json declares the same columns and
 * types). Column names follow Log Analytics rules: letters first, ≤45 chars, none reserved.
 */
export interface EnrichmentRow {
  readonly [column: string]: string | number | boolean | null;
  TimeGenerated: string;
  AlertId: string;
  IncidentId: string | null;
  Tenant: string;
  IpAddress: string;
  Status: string;
  OrgPrevalence: number | null;
  OrgFirstSeen: string | null;
  OrgLastSeen: string | null;
  LookBackHours: number;
  Verdict: string;
  Cached: boolean;
  /** Stable per alert and sink: KQL can drop rows a retry wrote twice (`summarize arg_max(...) by DeliveryId, IpAddress`). */
  DeliveryId: string;
  AlertTitle: string | null;
  Summary: string;
}

/** The incident's name (its GUID), the last segment of a Sentinel incident ARM id. */
export function incidentNameOf(incidentArmId: string | null): string | null {
  if (incidentArmId === null) return null;
  const match = /\/incidents\/([^/]+)$/i.exec(incidentArmId);
  return match?.[1] ?? null;
}

export function rowPart(ip: string): string {
  return `row:${ip}`;
}

function toRow(result: AlertResult, ip: IpResult, deliveryId: string): EnrichmentRow {
  return {
    TimeGenerated: result.completedAt,
    AlertId: result.alertId,
    IncidentId: incidentNameOf(result.incidentArmId),
    Tenant: result.tenant,
    IpAddress: ip.ip,
    Status: ip.status,
    OrgPrevalence: ip.prevalence,
    OrgFirstSeen: ip.firstSeen,
    OrgLastSeen: ip.lastSeen,
    LookBackHours: ip.lookBackHours,
    Verdict: ip.verdict.join(','),
    Cached: ip.cached,
    DeliveryId: deliveryId,
    AlertTitle: result.title,
    Summary: result.summary.text,
  };
}

/** One row per alert × IP. */
export function buildRows(result: AlertResult, deliveryId: string): EnrichmentRow[] {
  return result.ips.map((ip) => toRow(result, ip, deliveryId));
}
