import type { AlertResult, IpResult } from '../../src/result/schema.js';

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

function shortTime(iso: string | null): string {
  return iso === null ? '' : iso.slice(0, 16).replace('T', ' ');
}

function row(ip: IpResult): string {
  const cells = [ip.ip, ip.status, ip.prevalence === null ? '' : String(ip.prevalence), shortTime(ip.firstSeen), shortTime(ip.lastSeen), ip.verdict.join(', ')];
  return `<tr>${cells.map((cell) => `<td>${escapeHtml(cell)}</td>`).join('')}</tr>`;
}

/**
 * The incident comment: the one-line summary and a compact HTML table, IPs with a verdict first.
 * Whole rows are dropped (never a cut tag or entity) to stay under `maxChars`, with a note saying
 * how many IPs are only in the Logs table.
 */
export function buildCommentHtml(result: AlertResult, maxChars: number, table: string): string {
  const lookBackDays = Math.round((result.ips[0]?.lookBackHours ?? 720) / 24);
  const head =
    `<p><b>IP prevalence in your organization</b> (Defender for Endpoint, last ${lookBackDays} days): ${escapeHtml(result.summary.text)}</p>` +
    '<table><tr><th>IP</th><th>Status</th><th>Devices</th><th>First seen (UTC)</th><th>Last seen (UTC)</th><th>Verdict</th></tr>';
  const close = '</table>';
  const ordered = [...result.ips].sort((a, b) => Number(b.verdict.length > 0) - Number(a.verdict.length > 0));
  const note = (left: number): string => (left === 0 ? '' : `<p>… and ${left} more IPs: see the ${escapeHtml(table)} table.</p>`);

  let body = '';
  let shown = 0;
  for (const ip of ordered) {
    const next = row(ip);
    const remaining = ordered.length - shown - 1;
    if (head.length + body.length + next.length + close.length + note(remaining).length > maxChars) break;
    body += next;
    shown += 1;
  }
  return `${head}${body}${close}${note(ordered.length - shown)}`;
}
