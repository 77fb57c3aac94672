import { acceptsToken } from './accepts-token.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startHttpsServer } from './https-server.js';
import { emulatorTls } from './tls.js';

/**
 * Azure Resource Manager for Microsoft Sentinel incidents (contracts.md §3.3): incident comments
 * (`PUT …/incidents/{id}/comments/{commentId}`, idempotent by id: 201 created, 200 updated) and
 * incidents (GET; PUT with title/severity/status required and an etag check) — enough for comments
 * and labels. Bearer token required; CloudError envelope `{"error":{code,message}}` on errors.
 */
const SUPPORTED_API_VERSIONS = ['2023-02-01', '2023-11-01', '2024-03-01', '2024-09-01', '2025-03-01', '2025-06-01', '2025-09-01'];

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
  properties: Record<string, unknown> & { labels: { labelName: string; labelType: string }[] };
}

export interface ArmEmulatorOptions {
  /** The bearer token a caller must present, or a check (e.g. tokens the Entra emulator issued). */
  readonly token: string | ((bearer: string) => boolean);
  readonly port?: number;
}

export interface ArmEmulator {
  readonly url: string;
  /** Comments by full ARM id (incident id + `/comments/{commentId}`), case-insensitive keys. */
  readonly comments: ReadonlyMap<string, StoredComment>;
  readonly counters: { requests: number; commentPuts: number; incidentGets: number; incidentPuts: number; rejected: number };
  /** Seeds an incident that GET/PUT and comments can address; returns its ARM id. */
  addIncident(properties?: Partial<StoredIncident['properties']>, workspacePath?: string): string;
  incident(armId: string): StoredIncident | undefined;
  commentsOf(incidentArmId: string): StoredComment[];
  setMode(mode: ArmMode, times?: number): void;
  close(): Promise<void>;
}

export async function startArmEmulator(options: ArmEmulatorOptions): Promise<ArmEmulator> {
  const tls = await emulatorTls();
  const incidents = new Map<string, StoredIncident>();
  const comments = new Map<string, StoredComment>();
  const counters = { requests: 0, commentPuts: 0, incidentGets: 0, incidentPuts: 0, rejected: 0 };
  let mode: { mode: ArmMode; remaining: number } = { mode: { kind: 'normal' }, remaining: 0 };

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

  function incidentBody(armId: string, incident: StoredIncident): unknown {
    return { id: armId, name: armId.split('/').pop(), type: 'Microsoft.SecurityInsights/Incidents', etag: incident.etag, properties: incident.properties };
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
      counters.commentPuts += 1;
      const message = (body.properties as { message?: unknown } | undefined)?.message;
      if (typeof message !== 'string' || message.length === 0) return fail(res, 400, 'BadRequest', "The 'properties.message' field is required.");
      const key = `${incidentId}/comments/${commentId.toLowerCase()}`;
      const before = comments.get(key);
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
      counters.incidentPuts += 1;
      const properties = body.properties as Record<string, unknown> | undefined;
      const missing = ['title', 'severity', 'status'].filter((name) => typeof properties?.[name] !== 'string');
      if (properties === undefined || missing.length > 0) return fail(res, 400, 'BadRequest', `Missing required properties: ${missing.join(', ')}`);
      if (body.etag !== undefined && body.etag !== incident.etag) return fail(res, 412, 'PreconditionFailed', 'The etag does not match the current incident.');
      const labels = Array.isArray(properties.labels) ? (properties.labels as { labelName?: unknown }[]) : [];
      incident.properties = {
        ...incident.properties,
        ...properties,
        labels: labels
          .filter((label): label is { labelName: string } => typeof label.labelName === 'string')
          .map((label) => ({ labelName: label.labelName, labelType: 'User' })),
      };
      incident.etag = `"${randomUUID()}"`;
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
      incidents.set(armId.toLowerCase(), {
        etag: `"${randomUUID()}"`,
        properties: { title: 'Suspicious sign-in', severity: 'High', status: 'New', owner: { assignedTo: 'analyst@example.com' }, incidentNumber: 42, labels: [], ...properties },
      });
      return armId;
    },
    incident: (armId) => incidents.get(armId.toLowerCase()),
    commentsOf: (incidentArmId) => [...comments.entries()].filter(([key]) => key.startsWith(`${incidentArmId.toLowerCase()}/comments/`)).map(([, c]) => c),
    setMode(next, times = Number.POSITIVE_INFINITY) {
      mode = { mode: next, remaining: times };
    },
    close: () => server.close(),
  };
}
