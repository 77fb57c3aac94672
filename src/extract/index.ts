/**
 * ③ Extraction: alert → IP indicators. Format-aware through key names and context, with a deep
 * scan of every string (JSON inside strings included) as the safety net.
 */
export { extractIps,  type ExtractionResult } from './extract-ips.js';
export { parseAlertText } from './parse-alert-text.js';
export { canonicalIp } from './canonical-ip.js';
export { classifyIp,  } from './classify.js';
export { describeAlert,    } from './alert-meta.js';
export { DEFAULT_EXTRACT_OPTIONS,  } from './options.js';
