import { LogsIngestionClient } from '@azure/monitor-ingestion';
import type { AccessTokenSource } from '../../src/auth/access-token-source.js';
import { IpenrichError } from '../../src/errors.js';
import { createHttpTransport } from '../../src/http/transport.js';
import type { AlertResult } from '../../src/result/schema.js';
import type { RateLimitWindow, SharedRateLimiter } from '../../src/sinks/connector.js';
import type { DeliveryContext, DeliveryReceipt, Sink } from '../../src/sinks/port.js';
import { addIncidentLabel } from './add-incident-label.js';
import type { ArmContext } from './arm-request.js';
import { armWritePacer } from './arm-write-pacer.js';
import { buildCommentHtml } from './comment-html.js';
import { deliverRows, type IngestionClientHolder } from './deliver-rows.js';
import { checkIncidentArmId, incidentScope } from './incident-arm-id.js';
import { ingestionHttpClient } from './ingestion-http-client.js';
import { parseSentinelOptions, type SentinelOptionsInput } from './options.js';
import { commentIdFor, putIncidentComment } from './put-incident-comment.js';
import { buildRows, rowPart } from './rows.js';
import { tokenCredentialFrom } from './token-credential.js';
import { workspaceRefusal } from './workspace-allowlist.js';

export type { SentinelOptionsInput } from './options.js';

export interface SentinelSinkDependencies {
  /** Bearer tokens for Logs Ingestion (`<audience>/.default`) and ARM (`<ARM endpoint>/.default`). */
  readonly tokens: AccessTokenSource;
  /** Shared (Redis) rate limits by name, for ARM's per-subscription write limits (ConnectorDeps.rateLimiter). */
  readonly rateLimiter: (name: string, windows: readonly RateLimitWindow[]) => SharedRateLimiter;
  readonly now?: () => number;
}

const COMMENT_PART = 'comment';
/** Recorded when the incident was full, so a retry of the job repeats the note without asking ARM again. */
const COMMENT_SKIPPED_PART = 'comment:skipped-incident-full';
const LABEL_PART = 'label';

/**
 * The Sentinel sink: one row per alert × IP into a custom Log Analytics table through the Logs
 * Ingestion API, then — for alerts from a Sentinel incident — an incident comment (one per
 * delivery, edited in place on retry) and optionally a label when a verdict says rare. Each part
 * is recorded in the delivery progress once accepted, so a retry does only what is left.
 */
export function createSentinelSink(input: SentinelOptionsInput, dependencies: SentinelSinkDependencies): Sink {
  const options = parseSentinelOptions(input);
  const now = dependencies.now ?? Date.now;
  const table = options.stream.replace(/^(Custom|Microsoft)-/, '');
  const transport = createHttpTransport({
    defaultTimeoutMs: options.timeoutMs,
    ...(options.httpsProxy === undefined ? {} : { httpsProxy: options.httpsProxy }),
    ...(options.noProxy === undefined ? {} : { noProxy: options.noProxy }),
  });
  const newClient = (forceRefreshFirst: boolean): LogsIngestionClient =>
    new LogsIngestionClient(options.ingestionEndpoint, tokenCredentialFrom(dependencies.tokens, { forceRefreshFirst }), {
      audience: options.audience,
      // Retries are ours (deliverRows): only failed rows again, and long Retry-After goes to the worker.
      retryOptions: { maxRetries: 0 },
      // The same transport as ARM: the SDK alone would take the proxy from process.env only.
      httpClient: ingestionHttpClient(transport),
    });
  let client = newClient(false);
  const ingestion: IngestionClientHolder = {
    current: () => client,
    renewToken: () => {
      client = newClient(true);
    },
  };
  const arm: ArmContext = { transport, tokens: dependencies.tokens, armEndpoint: options.armEndpoint, timeoutMs: options.timeoutMs, now };
  const commentWrites = armWritePacer(dependencies.rateLimiter('arm-comment-writes', [options.commentWriteLimit]), 'Incident comment', options.maxInProcessWaitMs, now);
  const incidentWrites = armWritePacer(dependencies.rateLimiter('arm-incident-writes', [options.incidentWriteLimit]), 'Incident label', options.maxInProcessWaitMs, now);
  const fullNote = `incident comment skipped: the incident already has ${options.commentsPerIncident} comments`;
  let closed = false;

  async function deliver(result: AlertResult, context: DeliveryContext): Promise<DeliveryReceipt | undefined> {
    if (closed) throw new IpenrichError('SINK_UNAVAILABLE', 'The Sentinel sink is closed');
    const { signal, progress } = context;
    if (signal?.aborted) throw new IpenrichError('SINK_UNAVAILABLE', 'Delivery aborted before it started', { details: { aborted: true } });
    const done = (await progress?.completed()) ?? new Set<string>();

    const rows = buildRows(result, context.deliveryId).filter((row) => !done.has(rowPart(row.IpAddress)));
    if (rows.length > 0) await deliverRows(ingestion, options, rows, progress, signal, now);

    if (result.incidentArmId === null) return undefined;
    const notes: string[] = done.has(COMMENT_SKIPPED_PART) ? [fullNote] : [];
    const wantsComment = options.incidentComments && !done.has(COMMENT_PART) && !done.has(COMMENT_SKIPPED_PART);
    const isRare = result.ips.some((ip) => ip.verdict.includes('rare'));
    const wantsLabel = options.rareLabel !== undefined && isRare && !done.has(LABEL_PART);
    if (!wantsComment && !wantsLabel) return receipt(notes);
    const incidentArmId = checkIncidentArmId(result.incidentArmId);
    const { subscriptionId, workspaceId } = incidentScope(incidentArmId);
    const refused = workspaceRefusal(options.workspaces, workspaceId);
    if (refused !== undefined) {
      const parts = [wantsComment && 'comment', wantsLabel && 'label'].filter(Boolean).join(' and ');
      return receipt([...notes, `incident ${parts} refused: ${refused}`]);
    }

    if (wantsComment) {
      const comment = { id: commentIdFor({ tenant: result.tenant, alertId: result.alertId, incidentArmId }), message: buildCommentHtml(result, options.commentMaxChars, table), commentsPerIncident: options.commentsPerIncident };
      const outcome = await putIncidentComment(arm, (send) => commentWrites.write(subscriptionId, send, signal), incidentArmId, comment, signal);
      if (outcome === 'incident-full') notes.push(fullNote);
      await progress?.markCompleted([outcome === 'written' ? COMMENT_PART : COMMENT_SKIPPED_PART]);
    }
    if (wantsLabel && options.rareLabel !== undefined) {
      await addIncidentLabel(arm, (send) => incidentWrites.write(subscriptionId, send, signal), incidentArmId, options.rareLabel, signal);
      await progress?.markCompleted([LABEL_PART]);
    }
    return receipt(notes);
  }

  function receipt(notes: readonly string[]): DeliveryReceipt | undefined {
    return notes.length === 0 ? undefined : { notes };
  }

  return {
    name: 'sentinel',
    deliver,
    async close() {
      if (closed) return;
      closed = true;
      await transport.close();
    },
  };
}
