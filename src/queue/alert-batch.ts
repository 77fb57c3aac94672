import { IpenrichError } from '../errors.js';
import { jsonDepth, MAX_ALERT_DEPTH } from './json-depth.js';

/** One JSON document of an input, and where it came from, for error messages. */
export interface AlertDocument {
  /** `alerts.json`, or `alerts.ndjson line 3`. */
  readonly label: string;
  readonly document: unknown;
}

/**
 * The JSON documents in one input: the input itself when it is one JSON document (an alert, an
 * envelope, a Graph list or an array of them), else one per NDJSON line. All or nothing: a bad line
 * rejects the whole input, so nothing is half-queued.
 */
export function parseAlertDocuments(text: string, source: string): AlertDocument[] {
  const documents = parseDocuments(text, source);
  for (const { label, document } of documents) {
    if (jsonDepth(document, MAX_ALERT_DEPTH) > MAX_ALERT_DEPTH) {
      throw new IpenrichError('INPUT_TOO_LARGE', `${label} is nested more than ${MAX_ALERT_DEPTH} levels deep; no alert nests that deep`);
    }
  }
  return documents;
}

function parseDocuments(text: string, source: string): AlertDocument[] {
  const trimmed = text.trim();
  if (trimmed.length === 0) throw new IpenrichError('INPUT_NOT_JSON', `${source} is empty`);
  try {
    return [{ label: source, document: JSON.parse(trimmed) as unknown }];
  } catch {
    // not one JSON document: try NDJSON
  }
  const documents: AlertDocument[] = [];
  const lines = trimmed.split('\n');
  for (const [index, line] of lines.entries()) {
    if (line.trim().length === 0) continue;
    try {
      documents.push({ label: `${source} line ${index + 1}`, document: JSON.parse(line) as unknown });
    } catch (error) {
      const detail = error instanceof SyntaxError ? error.message : 'invalid JSON';
      throw new IpenrichError('INPUT_NOT_JSON', `${source}: neither JSON nor NDJSON (line ${index + 1}: ${detail})`);
    }
  }
  return documents;
}
