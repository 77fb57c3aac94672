import { IpenrichError } from '../errors.js';
import { jsonDepth, MAX_ALERT_DEPTH } from './json-depth.js';

/**
 * The alerts in one input: a JSON object (one alert), a JSON array (several), or NDJSON (one per
 * line). All or nothing: a bad line rejects the whole input, so nothing is half-queued.
 */
export function parseAlertBatch(text: string, source: string): unknown[] {
  const alerts = parseAlerts(text, source);
  alerts.forEach((alert, index) => {
    if (jsonDepth(alert, MAX_ALERT_DEPTH) > MAX_ALERT_DEPTH) {
      throw new IpenrichError('INPUT_TOO_LARGE', `${source}: alert ${index + 1} is nested more than ${MAX_ALERT_DEPTH} levels deep; no alert nests that deep`);
    }
  });
  return alerts;
}

function parseAlerts(text: string, source: string): unknown[] {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new IpenrichError('INPUT_NOT_JSON', `${source} is empty`);
  try {
    const parsed: unknown = JSON.parse(trimmed);
    return Array.isArray(parsed) ? parsed : [parsed];
  } catch {
    // not one JSON document: try NDJSON
  }
  const alerts: unknown[] = [];
  const lines = trimmed.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim().length === 0) continue;
    try {
      alerts.push(JSON.parse(line));
    } catch (error) {
      const detail = error instanceof SyntaxError ? error.message : 'invalid JSON';
      throw new IpenrichError('INPUT_NOT_JSON', `${source}: neither JSON nor NDJSON (line ${index + 1}: ${detail})`);
    }
  }
  return alerts;
}
