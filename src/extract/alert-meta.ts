import { createHash } from 'node:crypto';
import {
  field,
  first,
  firstSeverity,
  firstText,
  firstTime,
  isRecord,
  normalizeSeverity,
  text,
  TEN_POINT,
  type AlertSeverity,
  type JsonRecord,
  type SeverityScale,
} from './alert-fields.js';

;

type AlertFormat =
  | 'sentinel-incident'
  | 'sentinel-alert'
  | 'graph-alert'
  | 'mde-alert'
  | 'defender-for-cloud'
  | 'splunk-webhook'
  | 'splunk-notable'
  | 'ecs'
  | 'ocsf'
  | 'guardduty'
  | 'suricata'
  | 'zeek'
  | 'qradar'
  | 'cef'
  | 'o365-audit'
  | 'chronicle'
  | 'generic';

export interface AlertMeta {
  readonly format: AlertFormat;
  /** The alert's own id when it has one (SystemAlertId, incident ARM id, Graph id, sid + result digest, event id…). */
  readonly id: string | null;
  readonly title: string | null;
  readonly severity: AlertSeverity | null;
  /** ISO 8601 UTC. */
  readonly time: string | null;
  /** The Sentinel incident ARM id (`/subscriptions/…/providers/Microsoft.SecurityInsights/Incidents/…`). */
  readonly incidentArmId: string | null;
  /**
   * Which version of a changing alert this is (a Sentinel incident's last-modified time): an updated
   * incident that triggers the playbook again is enriched again, a resent identical one is not.
   */
  readonly revision?: string | null;
}

interface Description {
  readonly id: string | null;
  readonly title: string | null;
  readonly severity: AlertSeverity | null;
  readonly time: string | null;
  readonly incidentArmId?: string | null;
  readonly revision?: string | null;
}

interface FormatRule {
  readonly format: AlertFormat;
  /** The part of the alert this format describes (e.g. `object` of a Logic Apps trigger), or undefined. */
  match(root: JsonRecord): JsonRecord | undefined;
  describe(alert: JsonRecord): Description;
}

const INCIDENT_ARM_ID = /\/subscriptions\/[^/?#\s]+\/resourceGroups\/[^/?#\s]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/?#\s]+\/providers\/Microsoft\.SecurityInsights\/Incidents\/[^/?#\s"]+/i;

function armIdIn(value: unknown): string | null {
  const found = typeof value === 'string' ? INCIDENT_ARM_ID.exec(value) : null;
  return found ? found[0] : null;
}

function has(root: JsonRecord, ...paths: string[]): boolean {
  return paths.every((path) => field(root, path) !== undefined);
}

function matches(value: unknown, pattern: RegExp): boolean {
  return typeof value === 'string' && pattern.test(value);
}

/** Short, stable digest of a value (for alerts whose id is only unique together with their content). */
function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value) ?? '').digest('hex').slice(0, 16);
}

function ruleSeverityLabel(detection: unknown): unknown {
  const labels = field(detection, 'ruleLabels');
  if (!Array.isArray(labels)) return undefined;
  const label: unknown = labels.find((item) => isRecord(item) && typeof item.key === 'string' && item.key.toLowerCase() === 'severity');
  return isRecord(label) ? label.value : undefined;
}

const OCSF_SEVERITY: Readonly<Record<number, AlertSeverity>> = { 1: 'informational', 2: 'low', 3: 'medium', 4: 'high', 5: 'high', 6: 'high' };
/** Suricata priority: 1 is the most severe. */
const SURICATA_SEVERITY: Readonly<Record<number, AlertSeverity>> = { 1: 'high', 2: 'medium', 3: 'low', 4: 'informational' };
/** GuardDuty: low 1.0–3.9, medium 4.0–6.9, high 7.0–8.9, critical 9.0–10.0. */
const GUARDDUTY_SCALE: SeverityScale = { low: 1, medium: 4, high: 7 };
/** A CEF or LEEF header, for the CEF rule: vendor, product, version, class id, name, severity. */
const CEF_HEADER = /(?:^|[\s>])CEF:\s?\d+\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|((?:[^|\\]|\\.)*)\|/;

function cefDescription(line: string): Description | null {
  const header = CEF_HEADER.exec(line);
  if (!header) return null;
  const extension = line.slice(header.index + header[0].length);
  const value = (key: string): string | null => {
    const found = new RegExp(`(?:^|\\s)${key}=((?:[^=\\\\]|\\\\.)*?)(?=\\s\\w+=|$)`).exec(extension);
    return found?.[1]?.trim() || null;
  };
  return {
    id: value('externalId'),
    title: header[5]?.trim() || null,
    severity: normalizeSeverity(header[6], TEN_POINT),
    time: firstTime({ rt: value('rt'), end: value('end') }, ['rt', 'end']),
  };
}

/** Rules from the most specific shape to the least; the first match wins. */
const RULES: readonly FormatRule[] = [
  {
    // Logic Apps incident trigger ({object: incident}), the incidents REST API, and SecurityIncident rows.
    format: 'sentinel-incident',
    match: (root) => {
      const object = root.object;
      if (isRecord(object) && (matches(object.type, /SecurityInsights\/incidents/i) || has(object, 'properties.incidentNumber'))) return object;
      if (matches(root.type, /SecurityInsights\/incidents/i) || (isRecord(root.properties) && has(root, 'properties.incidentNumber'))) return root;
      if (root.Type === 'SecurityIncident' || has(root, 'IncidentNumber', 'IncidentName')) return root;
      return undefined;
    },
    describe: (incident) => {
      const armId = armIdIn(incident.id) ?? armIdIn(field(incident, 'properties.incidentUrl')) ?? armIdIn(incident.IncidentUrl);
      return {
        id: armId ?? firstText(incident, ['name', 'IncidentName', 'properties.incidentNumber', 'IncidentNumber']),
        title: firstText(incident, ['properties.title', 'Title']),
        severity: firstSeverity(incident, ['properties.severity', 'Severity']),
        time: firstTime(incident, ['properties.createdTimeUtc', 'CreatedTime', 'properties.firstActivityTimeUtc', 'TimeGenerated']),
        incidentArmId: armId,
        revision: firstText(incident, ['properties.lastModifiedTimeUtc', 'LastModifiedTime']),
      };
    },
  },
  {
    // Defender for Cloud: continuous export / alert trigger (SystemAlertId + MDC product) and the ARM alerts API.
    format: 'defender-for-cloud',
    match: (root) => {
      if (matches(root.type, /Microsoft\.Security\/locations\/alerts/i) && isRecord(root.properties)) return root;
      const product = root.ProductName;
      if (root.SystemAlertId !== undefined && root.Type !== 'SecurityAlert' && matches(product, /Defender for Cloud|Azure Security Center|Azure Defender/i)) return root;
      return undefined;
    },
    describe: (alert) => ({
      id: firstText(alert, ['SystemAlertId', 'properties.systemAlertId', 'name']),
      title: firstText(alert, ['AlertDisplayName', 'properties.alertDisplayName', 'DisplayName']),
      severity: firstSeverity(alert, ['Severity', 'properties.severity']),
      time: firstTime(alert, ['TimeGenerated', 'StartTimeUtc', 'properties.timeGeneratedUtc', 'properties.startTimeUtc']),
    }),
  },
  {
    // SecurityAlert table rows, the Sentinel alert trigger, and alert entities from the Sentinel API.
    format: 'sentinel-alert',
    match: (root) => {
      if (root.SystemAlertId !== undefined || root.Type === 'SecurityAlert') return root;
      return root.kind === 'SecurityAlert' && isRecord(root.properties) ? root : undefined;
    },
    describe: (alert) => ({
      id: firstText(alert, ['SystemAlertId', 'properties.systemAlertId', 'VendorOriginalId']),
      title: firstText(alert, ['AlertName', 'DisplayName', 'AlertDisplayName', 'properties.alertDisplayName']),
      severity: firstSeverity(alert, ['AlertSeverity', 'Severity', 'properties.severity']),
      time: firstTime(alert, ['TimeGenerated', 'StartTime', 'StartTimeUtc', 'properties.timeGenerated', 'properties.startTimeUtc']),
    }),
  },
  {
    // Microsoft Graph security alerts (alerts_v2) and the legacy Graph alert.
    format: 'graph-alert',
    match: (root) => {
      if (matches(root['@odata.type'], /microsoft\.graph\.(?:security\.)?alert$/i)) return root;
      return has(root, 'providerAlertId', 'serviceSource') ? root : undefined;
    },
    describe: (alert) => ({
      id: firstText(alert, ['id', 'providerAlertId']),
      title: firstText(alert, ['title']),
      severity: firstSeverity(alert, ['severity']),
      time: firstTime(alert, ['createdDateTime', 'firstActivityDateTime']),
    }),
  },
  {
    // Defender for Endpoint API alerts (/api/alerts), and Defender XDR streaming API alert records
    // (AdvancedHunting-AlertInfo / -AlertEvidence, fields under `properties`).
    format: 'mde-alert',
    match: (root) => {
      if (matches(root.category, /^AdvancedHunting-Alert/) && isRecord(root.properties)) return root.properties;
      const onDevice = root.machineId !== undefined || root.computerDnsName !== undefined;
      return onDevice && (root.alertCreationTime !== undefined || root.detectionSource !== undefined) ? root : undefined;
    },
    describe: (alert) => ({
      id: firstText(alert, ['id', 'alertId', 'AlertId']),
      title: firstText(alert, ['title', 'Title']),
      severity: firstSeverity(alert, ['severity', 'Severity']),
      time: firstTime(alert, ['alertCreationTime', 'firstEventTime', 'Timestamp']),
    }),
  },
  {
    // GuardDuty findings, bare or in an EventBridge event.
    format: 'guardduty',
    // Field names are camelCase from the API and PascalCase in some EventBridge exports.
    match: (root) => {
      if (root['detail-type'] === 'GuardDuty Finding' && isRecord(root.detail)) return root.detail;
      if (field(root, 'service.serviceName') === 'guardduty' || matches(root.arn ?? root.Arn, /:guardduty:/)) return root;
      return undefined;
    },
    describe: (finding) => ({
      id: firstText(finding, ['id', 'Id']),
      title: firstText(finding, ['title', 'Title', 'type', 'Type']),
      severity: firstSeverity(finding, ['severity', 'Severity'], GUARDDUTY_SCALE),
      time: firstTime(finding, ['createdAt', 'CreatedAt', 'updatedAt', 'UpdatedAt', 'service.eventFirstSeen']),
    }),
  },
  {
    format: 'ocsf',
    match: (root) => (typeof root.class_uid === 'number' && isRecord(root.metadata) ? root : undefined),
    describe: (event) => {
      const id = field(event, 'severity_id');
      return {
        id: firstText(event, ['finding_info.uid', 'finding.uid', 'metadata.uid', 'uid']),
        title: firstText(event, ['finding_info.title', 'finding.title', 'message']),
        severity: (typeof id === 'number' ? OCSF_SEVERITY[id] : undefined) ?? firstSeverity(event, ['severity']),
        time: firstTime(event, ['time', 'finding_info.created_time', 'metadata.original_time']),
      };
    },
  },
  {
    // Google SecOps (Chronicle) detections.
    format: 'chronicle',
    match: (root) => {
      if (matches(root.type, /^(?:RULE_DETECTION|GCTI_FINDING)$/)) return root;
      return field(first(root.detection), 'ruleName') !== undefined || Array.isArray(root.collectionElements) ? root : undefined;
    },
    describe: (root) => {
      const detection = first(root.detection);
      const severity = normalizeSeverity(field(detection, 'severity')) ?? normalizeSeverity(ruleSeverityLabel(detection));
      return {
        id: firstText(root, ['id']),
        title: text(field(detection, 'ruleName')),
        severity: severity ?? firstSeverity(first(field(root, 'event.securityResult')), ['severity']),
        time: firstTime(root, ['detectionTime', 'createdTime', 'timeWindow.endTime']),
      };
    },
  },
  {
    // Splunk's built-in webhook alert action: {result: first row, sid, search_name, results_link}.
    format: 'splunk-webhook',
    match: (root) => (isRecord(root.result) && (root.sid !== undefined || root.search_name !== undefined || root.results_link !== undefined) ? root : undefined),
    describe: (root) => {
      const sid = text(root.sid);
      const eventId = firstText(root.result, ['event_id']);
      return {
        // One search (sid) fires once per result row, so the row is part of the identity.
        id: eventId ?? (sid === null ? null : `${sid}:${digest(root.result)}`),
        title: firstText(root, ['search_name', 'result.search_name', 'result.rule_name']),
        severity: firstSeverity(root, ['result.severity', 'result.urgency', 'severity', 'urgency']),
        time: firstTime(root, ['result._time', '_time']),
      };
    },
  },
  {
    // Splunk Enterprise Security notable events.
    format: 'splunk-notable',
    match: (root) => {
      if (root.index === 'notable' || root.notable_type !== undefined || root.orig_sid !== undefined) return root;
      return root.event_id !== undefined && (root.search_name !== undefined || root.rule_name !== undefined) ? root : undefined;
    },
    describe: (notable) => ({
      id: firstText(notable, ['event_id', 'rule_id']),
      title: firstText(notable, ['rule_title', 'rule_name', 'search_name']),
      severity: firstSeverity(notable, ['urgency', 'severity']),
      time: firstTime(notable, ['_time', 'orig_time']),
    }),
  },
  {
    // QRadar offenses (REST API) and Ariel event rows.
    format: 'qradar',
    match: (root) => {
      if (root.offense_type !== undefined || root.offense_source !== undefined) return root;
      return root.qid !== undefined && (root.sourceip !== undefined || root.destinationip !== undefined) ? root : undefined;
    },
    describe: (offense) => ({
      id: firstText(offense, ['id']),
      title: firstText(offense, ['description', 'qidname_qid', 'qid_name']),
      severity: firstSeverity(offense, ['severity', 'magnitude'], TEN_POINT),
      time: firstTime(offense, ['start_time', 'starttime']),
    }),
  },
  {
    format: 'suricata',
    match: (root) => (typeof root.event_type === 'string' && (root.src_ip !== undefined || root.dest_ip !== undefined) && root.flow_id !== undefined ? root : undefined),
    describe: (event) => {
      const signatureId = text(field(event, 'alert.signature_id'));
      const severity = field(event, 'alert.severity');
      return {
        // EVE has no event id: the flow, the event type and the signature identify an alert.
        id: event.flow_id === undefined ? null : [text(event.flow_id), text(event.event_type), signatureId].filter((part) => part !== null).join(':'),
        title: firstText(event, ['alert.signature']),
        severity: typeof severity === 'number' ? (SURICATA_SEVERITY[severity] ?? 'informational') : null,
        time: firstTime(event, ['timestamp']),
      };
    },
  },
  {
    // Connection logs carry id.orig_h/resp_h (flat or nested); notice logs may carry only a
    // `Module::Name` note.
    format: 'zeek',
    match: (root) => {
      if (field(root, 'id.orig_h') !== undefined && (root.uid !== undefined || root.ts !== undefined)) return root;
      return root.ts !== undefined && matches(root.note, /^\w+::\w+$/) ? root : undefined;
    },
    describe: (event) => {
      const uid = firstText(event, ['uid', 'fuid']);
      const note = firstText(event, ['note']);
      return {
        // One connection (uid) can raise several notices.
        id: uid !== null && note !== null ? `${uid}:${note}` : uid,
        title: note ?? firstText(event, ['msg', 'name']),
        severity: null,
        time: firstTime(event, ['ts']),
      };
    },
  },
  {
    // Office 365 Management Activity API records, Security & Compliance alerts included.
    format: 'o365-audit',
    match: (root) => (root.RecordType !== undefined && root.CreationTime !== undefined && (root.Id !== undefined || root.Workload !== undefined) ? root : undefined),
    describe: (record) => ({
      id: firstText(record, ['Id']),
      title: firstText(record, ['Name', 'Operation']),
      severity: firstSeverity(record, ['Severity']),
      time: firstTime(record, ['CreationTime']),
    }),
  },
  {
    // Elastic: ECS documents and Kibana detection alerts (nested or flattened field names).
    format: 'ecs',
    match: (root) => (root['@timestamp'] !== undefined && (isRecord(root.ecs) || root['ecs.version'] !== undefined || isRecord(root.event) || field(root, 'kibana.alert.uuid') !== undefined) ? root : undefined),
    describe: (doc) => ({
      id: firstText(doc, ['kibana.alert.uuid', 'event.id', '_id']),
      title: firstText(doc, ['kibana.alert.rule.name', 'rule.name']),
      severity: firstSeverity(doc, ['kibana.alert.severity', 'event.severity', 'log.level']),
      time: firstTime(doc, ['@timestamp', 'event.created']),
    }),
  },
  {
    // CEF: Sentinel CommonSecurityLog rows, or a record whose raw text is one CEF line.
    format: 'cef',
    match: (root) => (root.DeviceVendor !== undefined && root.DeviceProduct !== undefined) || cefLine(root) !== null ? root : undefined,
    describe: (root) => {
      const line = cefLine(root);
      const parsed = line === null ? null : cefDescription(line);
      return {
        id: parsed?.id ?? firstText(root, ['ExtID', 'ExternalID']),
        title: parsed?.title ?? firstText(root, ['Activity', 'Name']),
        severity: parsed?.severity ?? firstSeverity(root, ['LogSeverity'], TEN_POINT),
        time: firstTime(root, ['TimeGenerated', 'ReceiptTime']) ?? parsed?.time ?? null,
      };
    },
  },
];

/** A top-level string field that is a CEF line (syslog forwarders: `message`, `_raw`, `raw`…). */
function cefLine(root: JsonRecord): string | null {
  for (const value of Object.values(root)) if (typeof value === 'string' && value.includes('CEF:') && CEF_HEADER.test(value)) return value;
  return null;
}

const GENERIC: FormatRule = {
  format: 'generic',
  match: (root) => root,
  describe: (root) => ({
    id: firstText(root, ['id', 'alertId', 'alert_id', 'AlertId', 'eventId', 'event_id', 'uuid', 'uid']),
    title: firstText(root, ['title', 'Title', 'name', 'Name', 'rule_name', 'ruleName', 'alert_name', 'AlertName', 'signature', 'summary']),
    severity: firstSeverity(root, ['severity', 'Severity', 'priority', 'Priority', 'urgency', 'level']),
    time: firstTime(root, ['timestamp', '@timestamp', 'time', 'created', 'createdAt', 'created_at', 'eventTime', 'TimeGenerated']),
  }),
};

const NOTHING: Description = { id: null, title: null, severity: null, time: null };

/**
 * Format, id, title, severity, time and Sentinel incident ARM id of an alert, from the field
 * names each source uses. Never throws; fields it cannot find are null.
 */
export function describeAlert(alert: unknown): AlertMeta {
  try {
    if (typeof alert === 'string') {
      const cef = cefDescription(alert);
      return cef ? { format: 'cef', incidentArmId: null, ...cef } : { format: 'generic', incidentArmId: null, ...NOTHING };
    }
    if (!isRecord(alert)) return { format: 'generic', incidentArmId: null, ...NOTHING };
    for (const rule of [...RULES, GENERIC]) {
      const part = rule.match(alert);
      if (part === undefined) continue;
      const { incidentArmId = null, ...description } = rule.describe(part);
      return { format: rule.format, ...description, incidentArmId };
    }
  } catch {
    // Only exotic non-JSON values (throwing getters, proxies) get here.
  }
  return { format: 'generic', incidentArmId: null, ...NOTHING };
}
