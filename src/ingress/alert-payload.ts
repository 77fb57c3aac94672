import { z } from 'zod';
import { jsonDepth, MAX_ALERT_DEPTH } from '../queue/json-depth.js';
import { ALERTS_EXAMPLES, ENRICH_EXAMPLES } from './openapi-examples.js';

export { jsonDepth, MAX_ALERT_DEPTH };

/**
 * What POST /v1/alerts and /v1/enrich accept. The body is the alert itself — exactly what a SIEM
 * or playbook already holds (Sentinel incident trigger, Sentinel alert, Splunk webhook action,
 * Graph security alert, any JSON object) — or an envelope that adds routing:
 *
 *   { "alert": {…}, "tenant"?: "contoso", "callbackUrl"?: "https://…" }
 *
 * An object is an envelope when `alert` holds an object and it has no keys besides `alert`,
 * `tenant` and `callbackUrl`, or has a key that reads `tenant` or `callbackUrl` in any case; so an
 * alert that merely has an `alert` field (Suricata EVE) stays an alert, and a malformed envelope
 * (`callbackURL`, or an extra key beside `tenant`) is refused instead of being queued as an alert,
 * for the default tenant, with its routing lost. A Graph list
 * response (`{"@odata.context": …, "value": [alerts]}`) and a JSON array are several alerts; each of
 * their elements is an alert or an envelope, checked as a body of one alert is.
 */
type JsonObject = Record<string, unknown>;

const ENVELOPE_KEYS = ['alert', 'tenant', 'callbackUrl'] as const;
function isJsonObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** A key that routes: a typo'd case of one must not send an alert to the default tenant instead. */
const ROUTING_KEY = /^(tenant|callbackurl)$/i;

function isEnvelopeLike(value: JsonObject): boolean {
  const keys = Object.keys(value);
  return isJsonObject(value.alert) && (keys.every((key) => (ENVELOPE_KEYS as readonly string[]).includes(key)) || keys.some((key) => ROUTING_KEY.test(key)));
}

function isGraphCollectionLike(value: JsonObject): boolean {
  return Array.isArray(value.value) && Object.keys(value).every((key) => key === 'value' || key.startsWith('@odata.'));
}

const tenantName = z
  .string()
  .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a tenant name: 1-64 letters, digits, _ . -')
  .describe('A configured tenant. Optional: a tenant-bound API key implies its tenant; otherwise IPENRICH_DEFAULT_TENANT.');

const callbackUrl = z
  .url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' })
  .max(2_048)
  .describe('Where to POST this alert\'s result (Standard Webhooks signed). The host must be on WEBHOOK_CALLBACK_ALLOWLIST.');

const alertObject = z
  .record(z.string(), z.unknown())
  .refine((value) => Object.keys(value).length > 0, 'an alert must be a JSON object with at least one field')
  .describe('The alert as the source sends it: any JSON object (Sentinel incident trigger, Sentinel alert, Splunk webhook action, Graph security alert, …).');

const alertEnvelope = z
  .strictObject({ alert: alertObject, tenant: tenantName.optional(), callbackUrl: callbackUrl.optional() })
  .describe('An alert with routing: the tenant to enrich it for, and a per-alert callback URL.');

const oneAlert = z.union([alertEnvelope, alertObject]);

const graphAlertList = z
  .object({ value: z.array(oneAlert).min(1) })
  .catchall(z.unknown())
  .describe('A Microsoft Graph list response (GET /security/alerts_v2): each element of value is one alert, or one envelope, checked as an element of an array is. Only @odata.* keys may accompany value.');

/** For the OpenAPI document; requests are checked by parseAlertsBody, which tells the shapes apart first. */
export const alertsBody = z
  .union([alertEnvelope, graphAlertList, alertObject, z.array(oneAlert).min(1)])
  .describe('One alert, an envelope, a Graph list response, or an array of alerts/envelopes (at most INGRESS_MAX_BATCH, default 100).')
  .meta({ 'x-examples': ALERTS_EXAMPLES });

/** For the OpenAPI document; requests are checked by parseEnrichBody. */
export const enrichBody = oneAlert
  .describe('One alert, or one envelope. Batches go to POST /v1/alerts.')
  .meta({ 'x-examples': ENRICH_EXAMPLES });

export type AlertsBody = z.infer<typeof alertsBody>;
export type EnrichBody = z.infer<typeof enrichBody>;

export interface PayloadIssue {
  /** Where in the request, e.g. `body.0.tenant`. */
  readonly path: string;
  readonly message: string;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly issues: PayloadIssue[] };

function issuesOf(error: z.ZodError, prefix: readonly (string | number)[]): PayloadIssue[] {
  return error.issues.map((issue) => ({ path: ['body', ...prefix, ...issue.path].map(String).join('.'), message: issue.message }));
}

/** One item: the shape decides the schema, so a broken envelope is reported as an envelope. */
function checkItem(item: unknown, at: readonly (string | number)[], allowList: boolean): PayloadIssue[] {
  if (!isJsonObject(item)) {
    return [{ path: ['body', ...at].join('.'), message: `expected an alert (a JSON object)${allowList ? ', an envelope or an array of them' : ' or an envelope'}, got ${Array.isArray(item) ? 'an array' : item === null ? 'null' : typeof item}` }];
  }
  let schema: z.ZodType = alertObject;
  if (isEnvelopeLike(item)) schema = alertEnvelope;
  else if (isGraphCollectionLike(item)) {
    if (!allowList) return [{ path: ['body', ...at].join('.'), message: 'a Graph list response holds several alerts: POST it to /v1/alerts' }];
    // Each element exactly as an element of an array: incomingAlerts unwraps an envelope-like one as
    // an envelope, so it must have been checked as one (a `TENANT` beside `alert` would otherwise
    // be queued for the default tenant, its routing lost).
    const alerts = item.value as unknown[];
    if (alerts.length === 0) return [{ path: ['body', ...at, 'value'].join('.'), message: 'an empty Graph list holds no alert' }];
    return alerts.flatMap((alert, i) => checkItem(alert, [...at, 'value', i], false));
  }
  const result = schema.safeParse(item);
  return result.success ? [] : issuesOf(result.error, at);
}

/** What a body nested deeper than MAX_ALERT_DEPTH is told, whether its text (app.ts) or its value was measured. */
export const TOO_DEEP: PayloadIssue = { path: 'body', message: `alerts may nest at most ${MAX_ALERT_DEPTH} levels deep` };

function depthIssue(body: unknown): PayloadIssue[] {
  return jsonDepth(body, MAX_ALERT_DEPTH) > MAX_ALERT_DEPTH ? [TOO_DEEP] : [];
}

export function parseAlertsBody(body: unknown): Parsed<AlertsBody> {
  let issues = depthIssue(body);
  if (issues.length === 0) {
    if (Array.isArray(body)) {
      issues = body.length === 0 ? [{ path: 'body', message: 'an empty array holds no alert' }] : body.flatMap((item, i) => checkItem(item, [i], false));
    } else {
      issues = checkItem(body, [], true);
    }
  }
  return issues.length === 0 ? { ok: true, value: body as AlertsBody } : { ok: false, issues };
}

export function parseEnrichBody(body: unknown): Parsed<EnrichBody> {
  const issues = depthIssue(body);
  if (issues.length === 0) issues.push(...checkItem(body, [], false));
  return issues.length === 0 ? { ok: true, value: body as EnrichBody } : { ok: false, issues };
}

export const alertsQuery = z.object({
  tenant: tenantName.optional().describe('Default tenant for alerts that name none (for callers that cannot shape the body, like Splunk).'),
  callbackUrl: callbackUrl.optional().describe('Default callback URL for alerts that name none.'),
  token: z
    .string()
    .max(512)
    .optional()
    .describe('The API key, for callers that cannot set headers (Splunk\'s webhook alert action). Accepted only when INGRESS_ALLOW_QUERY_TOKEN=true; see docs/playbooks.md for the trade-off.'),
});

/** One alert to queue, after the envelope (or the query defaults) said where it goes. */
export interface IncomingAlert {
  readonly alert: JsonObject;
  readonly tenant: string | undefined;
  readonly callbackUrl: string | undefined;
}

export interface RoutingDefaults {
  readonly tenant?: string | undefined;
  readonly callbackUrl?: string | undefined;
}

function fromItem(item: JsonObject, defaults: RoutingDefaults): IncomingAlert {
  if (isEnvelopeLike(item)) {
    const envelope = item as z.infer<typeof alertEnvelope>;
    return { alert: envelope.alert, tenant: envelope.tenant ?? defaults.tenant, callbackUrl: envelope.callbackUrl ?? defaults.callbackUrl };
  }
  return { alert: item, tenant: defaults.tenant, callbackUrl: defaults.callbackUrl };
}

/** The alerts in a validated body, with envelope values taking precedence over the query's defaults. */
export function incomingAlerts(body: AlertsBody, defaults: RoutingDefaults): IncomingAlert[] {
  if (Array.isArray(body)) return body.map((item) => fromItem(item, defaults));
  if (isGraphCollectionLike(body)) return (body as { value: JsonObject[] }).value.map((alert) => fromItem(alert, defaults));
  return [fromItem(body, defaults)];
}
