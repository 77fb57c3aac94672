import { acceptsToken } from './accepts-token.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { RateWindow } from '../enrich/rate-windows.js';
import { startHttpsServer } from './https-server.js';
import { SlidingWindowLog } from './sliding-window-log.js';
import { emulatorTls } from './tls.js';

/**
 * Azure Resource Manager for Microsoft Sentinel incidents (docs/sentinel.md §5;
 * https://learn.microsoft.com/en-us/rest/api/securityinsights/incident-comments/create-or-update): incident comments
 * (`PUT …/incidents/{id}/comments/{commentId}`, idempotent by id: 201 created, 200 updated) and
 * incidents (GET; PUT with title/severity/status required, read-only properties refused, and an etag
 * check) — enough for comments and labels. Comments are capped (30,000 characters, 100 per incident)
 * and writes are throttled per subscription (429 + Retry-After). Bearer token required; CloudError
 * envelope `{"error":{code,message}}` on errors.
 */
const SUPPORTED_API_VERSIONS = ['2023-02-01', '2023-11-01', '2024-03-01', '2024-09-01', '2025-03-01', '2025-06-01', '2025-09-01'];

/**
 * IncidentProperties the service computes (readOnly in the spec; `labels[].labelType` too):
 * Azure/azure-rest-api-specs securityinsights stable/2024-09-01 Incidents.json `IncidentProperties`,
 * common/IncidentTypes.json `IncidentLabelType`. Whether real ARM rejects or ignores them in a PUT is
 * UNCONFIRMED; the emulator rejects them (400), so a client that passes here sends only writable fields.
 */
const READ_ONLY_INCIDENT_PROPERTIES = ['additionalData', 'createdTimeUtc', 'incidentNumber', 'incidentUrl', 'lastModifiedTimeUtc', 'providerIncidentId', 'providerName', 'relatedAnalyticRuleIds'];

/** Up to 30,000 characters per comment and 100 comments per incident (azure-docs sentinel/comment-on-incidents.md). */
const COMMENT_MAX_CHARS = 30_000;
const COMMENTS_PER_INCIDENT = 100;

/**
 * ARM throttling, "minimum limits ... per 5 minutes, and per subscription and endpoint": PUT comments
 * 75, PUT incident 75 (https://learn.microsoft.com/en-us/rest/api/securityinsights/request-limits-and-throttling).
 */
const WRITES_PER_FIVE_MINUTES: RateWindow = { max: 75, windowMs: 300_000 };

const INCIDENT_PATH =
  /^(\/subscriptions\/[^/]+\/resourceGroups\/[^/]+\/providers\/Microsoft\.OperationalInsights\/workspaces\/[^/]+\/providers\/Microsoft\.SecurityInsights\/incidents\/[^/]+)(\/comments\/([^/]+))?$/i;

type ArmMode =
  | { readonly kind: 'normal' }
  /** Answer comment and incident requests with this status (and ARM error code). */
  | { readonly kind: 'status'; readonly status: number; readonly code?: string; readonly retryAfter?: string }
  /** Store the comment, then answer 201 with a body that is not JSON. */
  | { readonly kind: 'garbage-success' }
  /** Change the incident's etag right after the next GET, as a concurrent writer would. */
  | { readonly kind: 'etag-race' }
  | { readonly kind: 'slow'; readonly delayMs: number }
  | { readonly kind: 'down' };

interface StoredComment {
  readonly id: string;
  readonly message: string;
  readonly writes: number;
}

interface StoredIncident {
  etag: string;
  readonly number: number;
  readonly createdTimeUtc: string;
  lastModifiedTimeUtc: string;
  /** The writable properties only; GET adds the computed ones. */
  properties: Record<string, unknown> & { labels: { labelName: string; labelType: string }[] };
}

export interface ArmEmulatorOptions {
  /** The bearer token a caller must present, or a check (e.g. tokens the Entra emulator issued). */
  readonly token: string | ((bearer: string) => boolean);
  readonly port?: number;
  /** Per-subscription write windows (sliding, stricter than ARM's buckets); tests scale them. */
  readonly commentWrites?: RateWindow;
  readonly incidentWrites?: RateWindow;
}

export interface ArmEmulator {
  readonly url: string;
  /** Comments by full ARM id (incident id + `/comments/{commentId}`), case-insensitive keys. */
  readonly comments: ReadonlyMap<string, StoredComment>;
  readonly counters: { requests: number; commentPuts: number; incidentGets: number; incidentPuts: number; rejected: number; throttled: number };
  /** Seeds an incident that GET/PUT and comments can address; returns its ARM id. */
  addIncident(properties?: Partial<StoredIncident['properties']>, workspacePath?: string): string;
  /** Seeds comments written by someone else (no request, no throttling), e.g. up to the cap. */
  addComments(incidentArmId: string, count: number): void;
  incident(armId: string): StoredIncident | undefined;
  commentsOf(incidentArmId: string): StoredComment[];
  setMode(mode: ArmMode, times?: number): void;
  close(): Promise<void>;
}

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const tls = await emulatorTls();
  const incidents = new Map<string, StoredIncident>();
  const comments = new Map<string, StoredComment>();
  const counters = { requests: 0, commentPuts: 0, incidentGets: 0, incidentPuts: 0, rejected: 0, throttled: 0 };
  const writeLimits = {
    comment: new SlidingWindowLog([options.commentWrites ?? WRITES_PER_FIVE_MINUTES]),
    incident: new SlidingWindowLog([options.incidentWrites ?? WRITES_PER_FIVE_MINUTES]),
  };
  let mode: { mode: ArmMode; remaining: number } = { mode: { kind: 'normal' }, remaining: 0 };
  let incidentNumber = 41;

  function takeMode(): ArmMode {
    if (mode.remaining <= 0) return { kind: 'normal' };
    mode.remaining -= 1;
    return mode.mode;
  }

  function fail(res: ServerResponse, status: number, code: string, message: string, headers: Record<string, string> = {}): void {
    counters.rejected += 1;
    res.writeHead(status, { 'content-type': 'application/json', 'x-ms-failure-cause': 'gateway', ...headers });
    res.end(JSON.stringify({ error: { code, message } }));
  }

  function send(res: ServerResponse, status: number, body: unknown): void {
    res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  }

  const commentsOfKey = (incidentKey: string): number => [...comments.keys()].filter((key) => key.startsWith(`${incidentKey}/comments/`)).length;

  /** The stored (writable) properties plus what the service computes, as a GET returns them. */
  function incidentBody(armId: string, incident: StoredIncident): unknown {
    const name = armId.split('/').pop();
    return {
      id: armId,
      name,
      type: 'Microsoft.SecurityInsights/Incidents',
      etag: incident.etag,
      properties: {
        ...incident.properties,
        incidentNumber: incident.number,
        createdTimeUtc: incident.createdTimeUtc,
        lastModifiedTimeUtc: incident.lastModifiedTimeUtc,
        incidentUrl: `https://portal.azure.com/#asset/Microsoft_Azure_Security_Insights/Incident${armId}`,
        providerName: 'Azure Sentinel',
        providerIncidentId: String(incident.number),
        relatedAnalyticRuleIds: [],
        additionalData: { alertsCount: 1, bookmarksCount: 0, commentsCount: commentsOfKey(armId.toLowerCase()), alertProductNames: ['Azure Sentinel'], tactics: [], techniques: [] },
      },
    };
  }

  /** A write over the subscription's window: 429 with Retry-After in whole seconds, as ARM sends it. */
  function throttled(res: ServerResponse, limit: SlidingWindowLog, subscription: string): boolean {
    const admission = limit.admit(subscription, Date.now());
    if (admission.admitted) return false;
    counters.throttled += 1;
    fail(res, 429, 'TooManyRequests', 'Too many requests, please retry later.', { 'retry-after': String(Math.ceil(admission.retryAfterMs / 1000)) });
    return true;
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    counters.requests += 1;
    const current = takeMode();
    if (current.kind === 'down') return void res.destroy();
    if (current.kind === 'slow') await new Promise((resolve) => setTimeout(resolve, current.delayMs));
    if (res.destroyed) return;

    const auth = req.headers.authorization;
    if (auth === undefined || !/^Bearer\s+\S+$/.test(auth)) return fail(res, 401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    if (!acceptsToken(options.token, auth.replace(/^Bearer\s+/, ''))) return fail(res, 401, 'InvalidAuthenticationToken', 'The access token is invalid.');

    const url = new URL(req.url ?? '/', 'https://management.invalid');
    const apiVersion = url.searchParams.get('api-version');
    if (apiVersion === null) return fail(res, 400, 'MissingApiVersionParameter', "The api-version query parameter (?api-version=) is required for all requests.");
    if (!SUPPORTED_API_VERSIONS.includes(apiVersion)) return fail(res, 400, 'InvalidApiVersionParameter', `The api-version '${apiVersion}' is invalid.`);

    const match = INCIDENT_PATH.exec(url.pathname);
    if (!match) return fail(res, 404, 'InvalidResourceType', 'The resource type could not be found.');
    const incidentId = (match[1] ?? '').toLowerCase();
    const subscription = incidentId.split('/')[2] ?? '';
    const commentId = match[3];
    const incident = incidents.get(incidentId);
    if (incident === undefined) return fail(res, 404, 'NotFound', 'Incident not found.');

    if (current.kind === 'status') {
      return fail(res, current.status, current.code ?? (current.status === 429 ? 'TooManyRequests' : 'InternalServerError'), `Emulated ${current.status}.`, current.retryAfter === undefined ? {} : { 'retry-after': current.retryAfter });
    }

    let body: Record<string, unknown> = {};
    if (chunks.length > 0) {
      try {
        body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return fail(res, 400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
      }
    }

    if (commentId !== undefined) {
      if (req.method !== 'PUT') return fail(res, 405, 'MethodNotAllowed', 'Only PUT is emulated for comments.');
      if (throttled(res, writeLimits.comment, subscription)) return;
      counters.commentPuts += 1;
      const message = (body.properties as { message?: unknown } | undefined)?.message;
      if (typeof message !== 'string' || message.length === 0) return fail(res, 400, 'BadRequest', "The 'properties.message' field is required.");
      if (message.length > COMMENT_MAX_CHARS) return fail(res, 400, 'BadRequest', `Comment length should not exceed ${COMMENT_MAX_CHARS} characters.`);
      const key = `${incidentId}/comments/${commentId.toLowerCase()}`;
      const before = comments.get(key);
      // ARM's answer at the cap is UNCONFIRMED (no source found): a 400 is assumed; clients should confirm the cap by reading commentsCount.
      if (!before && commentsOfKey(incidentId) >= COMMENTS_PER_INCIDENT) {
        return fail(res, 400, 'BadRequest', `The incident already has the maximum number of comments (${COMMENTS_PER_INCIDENT}).`);
      }
      comments.set(key, { id: commentId, message, writes: (before?.writes ?? 0) + 1 });
      if (current.kind === 'garbage-success') {
        res.writeHead(201, { 'content-type': 'application/json' }).end('{"id": "/subscriptions/');
        return;
      }
      const now = new Date().toISOString();
      return send(res, before ? 200 : 201, {
        id: `${match[1]}/comments/${commentId}`,
        name: commentId,
        type: 'Microsoft.SecurityInsights/Incidents/Comments',
        etag: `"${randomUUID()}"`,
        properties: { message, createdTimeUtc: now, lastModifiedTimeUtc: now, author: { objectId: randomUUID(), userPrincipalName: null, name: 'ipenrich' } },
      });
    }

    if (req.method === 'GET') {
      counters.incidentGets += 1;
      send(res, 200, incidentBody(match[1] ?? '', incident));
      if (current.kind === 'etag-race') incident.etag = `"${randomUUID()}"`;
      return;
    }
    if (req.method === 'PUT') {
      if (throttled(res, writeLimits.incident, subscription)) return;
      counters.incidentPuts += 1;
      const properties = body.properties as Record<string, unknown> | undefined;
      const missing = ['title', 'severity', 'status'].filter((name) => typeof properties?.[name] !== 'string');
      if (properties === undefined || missing.length > 0) return fail(res, 400, 'BadRequest', `Missing required properties: ${missing.join(', ')}`);
      const labels = Array.isArray(properties.labels) ? (properties.labels as { labelName?: unknown; labelType?: unknown }[]) : [];
      const readOnly = [
        ...READ_ONLY_INCIDENT_PROPERTIES.filter((name) => name in properties),
        ...(labels.some((label) => 'labelType' in label) ? ['labels[].labelType'] : []),
      ];
      if (readOnly.length > 0) return fail(res, 400, 'BadRequest', `Read-only properties cannot be set: ${readOnly.join(', ')}`);
      if (body.etag !== undefined && body.etag !== incident.etag) return fail(res, 412, 'PreconditionFailed', 'The etag does not match the current incident.');
      incident.properties = {
        ...incident.properties,
        ...properties,
        labels: labels
          .filter((label): label is { labelName: string } => typeof label.labelName === 'string')
          .map((label) => ({ labelName: label.labelName, labelType: 'User' })),
      };
      incident.etag = `"${randomUUID()}"`;
      incident.lastModifiedTimeUtc = new Date().toISOString();
      return send(res, 200, incidentBody(match[1] ?? '', incident));
    }
    return fail(res, 405, 'MethodNotAllowed', 'Only GET and PUT are emulated.');
  }

  const server = await startHttpsServer(handle, { tls, ...(options.port === undefined ? {} : { port: options.port }) });

  return {
    url: server.url,
    comments,
    counters,
    addIncident(properties = {}, workspacePath = `/subscriptions/${randomUUID()}/resourceGroups/soc-rg/providers/Microsoft.OperationalInsights/workspaces/soc-workspace`) {
      const armId = `${workspacePath}/providers/Microsoft.SecurityInsights/incidents/${randomUUID()}`;
      const created = new Date().toISOString();
      incidentNumber += 1;
      incidents.set(armId.toLowerCase(), {
        etag: `"${randomUUID()}"`,
        number: incidentNumber,
        createdTimeUtc: created,
        lastModifiedTimeUtc: created,
        properties: { title: 'Suspicious sign-in', severity: 'High', status: 'New', owner: { assignedTo: 'analyst@example.com' }, labels: [], ...properties },
      });
      return armId;
    },
    addComments(incidentArmId, count) {
      for (let i = 0; i < count; i += 1) {
        const id = randomUUID();
        comments.set(`${incidentArmId.toLowerCase()}/comments/${id}`, { id, message: `Analyst note ${i + 1}`, writes: 1 });
      }
    },
    incident: (armId) => incidents.get(armId.toLowerCase()),
    commentsOf: (incidentArmId) => [...comments.entries()].filter(([key]) => key.startsWith(`${incidentArmId.toLowerCase()}/comments/`)).map(([, c]) => c),
    setMode(next, times = Number.POSITIVE_INFINITY) {
      mode = { mode: next, remaining: times };
    },
    close: () => server.close(),
  };
}
