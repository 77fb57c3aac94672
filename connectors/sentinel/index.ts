import { LogsIngestionClient } from '@azure/monitor-ingestion';
import type { AccessTokenSource } from '../../src/auth/access-token-source.js';
import { IpenrichError } from '../../src/errors.js';
import { createHttpTransport } from '../../src/http/transport.js';
import type { AlertResult } from '../../src/result/schema.js';
import type { DeliveryContext, Sink } from '../../src/sinks/port.js';
import { addIncidentLabel } from './add-incident-label.js';
import type { ArmContext } from './arm-request.js';
import { buildCommentHtml } from './comment-html.js';
import { deliverRows, type IngestionClientHolder } from './deliver-rows.js';
import { checkIncidentArmId } from './incident-arm-id.js';
import { ingestionHttpClient } from './ingestion-http-client.js';
import { parseSentinelOptions, type SentinelOptionsInput } from './options.js';
import { commentIdFor, putIncidentComment } from './put-incident-comment.js';
import { buildRows, rowPart } from './rows.js';
import { tokenCredentialFrom } from './token-credential.js';

export type { SentinelOptionsInput } from './options.js';

export interface SentinelSinkDependencies {
  /** Bearer tokens for Logs Ingestion (`<audience>/.default`) and ARM (`<ARM endpoint>/.default`). */
  readonly tokens: AccessTokenSource;
  readonly now?: () => number;
}

const COMMENT_PART = 'comment';
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
  let closed = false;

  async function deliver(result: AlertResult, context: DeliveryContext): Promise<void> {
    if (closed) throw new IpenrichError('SINK_UNAVAILABLE', 'The Sentinel sink is closed');
    const { signal, progress } = context;
    if (signal?.aborted) throw new IpenrichError('SINK_UNAVAILABLE', 'Delivery aborted before it started', { details: { aborted: true } });
    const done = (await progress?.completed()) ?? new Set<string>();

    const rows = buildRows(result, context.deliveryId).filter((row) => !done.has(rowPart(row.IpAddress)));
    if (rows.length > 0) await deliverRows(ingestion, options, rows, progress, signal, now);

    if (result.incidentArmId === null) return;
    const wantsComment = options.incidentComments && !done.has(COMMENT_PART);
    const isRare = result.ips.some((ip) => ip.verdict.includes('rare'));
    const wantsLabel = options.rareLabel !== undefined && isRare && !done.has(LABEL_PART);
    if (!wantsComment && !wantsLabel) return;
    const incidentArmId = checkIncidentArmId(result.incidentArmId);

    if (wantsComment) {
      const message = buildCommentHtml(result, options.commentMaxChars, table);
      await putIncidentComment(arm, incidentArmId, commentIdFor(context.deliveryId), message, signal);
      await progress?.markCompleted([COMMENT_PART]);
    }
    if (wantsLabel && options.rareLabel !== undefined) {
      await addIncidentLabel(arm, incidentArmId, options.rareLabel, signal);
      await progress?.markCompleted([LABEL_PART]);
    }
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
