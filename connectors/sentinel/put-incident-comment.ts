import { createHash } from 'node:crypto';
import { armError, armRequest, type ArmContext } from './arm-request.js';

/** A GUID-shaped comment id derived from the delivery id: a retry edits the same comment. */
export function commentIdFor(deliveryId: string): string {
  const hex = createHash('sha256').update(`ipenrich-comment:${deliveryId}`).digest('hex');
  const variant = ((parseInt(hex.slice(16, 17), 16) & 0x3) | 0x8).toString(16);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-5${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/**
 * Create or update the incident comment (200 updated, 201 created). The status decides: a 2xx
 * whose body cannot be parsed is still written, and is not sent again.
 * https://learn.microsoft.com/en-us/rest/api/securityinsights/incident-comments/create-or-update
 */
export async function putIncidentComment(
  context: ArmContext,
  incidentArmId: string,
  commentId: string,
  message: string,
  signal: AbortSignal | undefined,
): Promise<void> {
  const response = await armRequest(context, 'PUT', `${incidentArmId}/comments/${commentId}`, { properties: { message } }, signal);
  if (response.status >= 200 && response.status < 300) return;
  throw armError(response, 'Incident comment not written', context.now());
}
