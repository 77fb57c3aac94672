import type { AlertResult } from '../result/schema.js';

export interface SummaryRow {
  readonly name: string;
  readonly result: AlertResult | null;
  readonly failure?: string;
  /** Another sample with the same alert id: this one was not enriched again. */
  readonly sameAs?: string;
}

function truncate(text: string, width: number): string {
  return text.length <= width ? text.padEnd(width) : `${text.slice(0, width - 1)}…`;
}

function ipCell(result: AlertResult): string {
  const shown = result.ips.slice(0, 4).map((ip) => {
    if (ip.status === 'enriched' || ip.status === 'not_seen') {
      const verdict = ip.verdict.length > 0 ? ` ${ip.verdict.join('+')}` : '';
      return `${ip.ip} (${ip.prevalence ?? 0}${verdict})`;
    }
    return `${ip.ip} [${ip.status}]`;
  });
  const more = result.ips.length > 4 ? ` +${result.ips.length - 4} more` : '';
  return shown.length > 0 ? `${shown.join(', ')}${more}` : '-';
}

/** The table `demo` prints: one row per alert with its IPs, prevalence and verdicts. */
export function renderSummaryTable(rows: readonly SummaryRow[]): string {
  const header = `${'alert'.padEnd(44)} ${'format'.padEnd(20)} ${'IPs'.padStart(3)}  IP (devices, verdict)`;
  const lines = [header, '-'.repeat(header.length + 40)];
  for (const row of rows) {
    if (row.sameAs !== undefined) {
      lines.push(`${truncate(row.name, 44)} ${'-'.padEnd(20)} ${'-'.padStart(3)}  same alert id as ${row.sameAs}: enriched once`);
      continue;
    }
    if (!row.result) {
      lines.push(`${truncate(row.name, 44)} ${'-'.padEnd(20)} ${'-'.padStart(3)}  FAILED: ${row.failure ?? 'unknown'}`);
      continue;
    }
    lines.push(`${truncate(row.name, 44)} ${truncate(row.result.format, 20)} ${String(row.result.ips.length).padStart(3)}  ${ipCell(row.result)}`);
  }
  return lines.join('\n');
}
