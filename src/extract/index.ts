/**
 * ③ Extraction: alert → IP indicators. Format-aware through key names and context, with a deep
 * scan of every string (JSON inside strings included) as the safety net.
 */
export { extractIps, type ExtractedIp, type ExtractionResult } from './extract-ips.js';
export { parseAlertText } from './parse-alert-text.js';
export { canonicalIp } from './canonical-ip.js';
export { classifyIp, type IpClassification } from './classify.js';
export { describeAlert, type AlertFormat, type AlertMeta, type AlertSeverity } from './alert-meta.js';
export { DEFAULT_EXTRACT_OPTIONS, type ExtractOptions } from './options.js';
