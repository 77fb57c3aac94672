/** A Log Analytics workspace resource id; compared case-insensitively, as ARM does. */
export const WORKSPACE_ID = /^\/subscriptions\/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\/resourceGroups\/[\w.()-]{1,90}\/providers\/Microsoft\.OperationalInsights\/workspaces\/[A-Za-z0-9-]{4,63}$/i;

/** Where a tenant's alerts may comment and label: listed workspaces, or any (SENTINEL_WORKSPACES=*). */
export type WorkspaceAllowlist = readonly string[] | 'any';

/**
 * Why an incident in this workspace gets no ARM call, or undefined when it may. Checked before any
 * call: one identity may reach many customers' workspaces (Azure Lighthouse), and an incident id
 * from alert data must not make us write to, or reveal, another customer's incident.
 */
export function workspaceRefusal(allowlist: WorkspaceAllowlist, workspaceId: string): string | undefined {
  if (allowlist === 'any') return undefined;
  const wanted = workspaceId.toLowerCase();
  if (allowlist.some((allowed) => allowed.toLowerCase() === wanted)) return undefined;
  return allowlist.length === 0
    ? `workspace ${workspaceId} is not allowed: SENTINEL_WORKSPACES is not set (list the workspaces this tenant's alerts may comment on)`
    : `workspace ${workspaceId} is not in SENTINEL_WORKSPACES`;
}
