import { createHash } from 'node:crypto';
import type { HttpResponse } from '../../src/http/transport.js';
import { isTemporaryStatus } from '../../src/http/temporary-status.js';
import { armError, armRequest, type ArmContext } from './arm-request.js';

/**
 * A GUID-shaped comment id for one alert on one incident (tenant, alert id, incident): a retry, and a
 * later revision of the same alert (an updated incident triggering the playbook again), edit the same
 * comment instead of adding one, so an incident's 100 comments are not spent on ipenrich's updates.
 */
export function commentIdFor(alert: { readonly tenant: string; readonly alertId: string; readonly incidentArmId: string }): string {
  const hex = createHash('sha256').update(`ipenrich-comment:${alert.tenant}\u0000${alert.alertId}\u0000${alert.incidentArmId.toLowerCase()}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** The comment's fate: written, or not written because the incident holds the most comments it may. */
export type CommentOutcome = 'written' | 'incident-full';

/** Reads the incident's comment count (IncidentAdditionalData.commentsCount); undefined when unknown. */
async function commentsCount(context: ArmContext, incidentArmId: string, signal: AbortSignal | undefined): Promise<number | undefined> {
  const response = await armRequest(context, 'GET', incidentArmId, undefined, signal);
  if (response.status !== 200) return undefined;
  try {
    const count = (JSON.parse(response.body.toString('utf8')) as { properties?: { additionalData?: { commentsCount?: unknown } } }).properties?.additionalData?.commentsCount;
    return typeof count === 'number' ? count : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Create or update the incident comment (200 updated, 201 created). The status decides: a 2xx
 * whose body cannot be parsed is still written, and is not sent again.
 * https://learn.microsoft.com/en-us/rest/api/securityinsights/incident-comments/create-or-update
 *
 * An incident holds up to 100 comments (azure-docs sentinel/comment-on-incidents.md). What ARM
 * answers to one more is UNCONFIRMED (no source found), so a final 4xx is checked against the
 * incident's commentsCount: at the cap, the comment is reported skipped rather than failed. A
 * re-delivery edits its own comment (same id), which the cap does not stop.
 */
export async function putIncidentComment(
  context: ArmContext,
  put: (send: () => Promise<HttpResponse>) => Promise<HttpResponse>,
  incidentArmId: string,
  comment: { readonly id: string; readonly message: string; readonly commentsPerIncident: number },
  signal: AbortSignal | undefined,
): Promise<CommentOutcome> {
  const response = await put(() => armRequest(context, 'PUT', `${incidentArmId}/comments/${comment.id}`, { properties: { message: comment.message } }, signal));
  if (response.status >= 200 && response.status < 300) return 'written';
  const mayBeFull = response.status >= 400 && response.status < 500 && response.status !== 401 && response.status !== 404 && !isTemporaryStatus(response.status);
  if (mayBeFull && ((await commentsCount(context, incidentArmId, signal)) ?? 0) >= comment.commentsPerIncident) return 'incident-full';
  throw armError(response, 'Incident comment not written', context.now());
}
