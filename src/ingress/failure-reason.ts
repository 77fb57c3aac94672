import type { Config } from '../config/load.js';
import { replaceUrlsIn } from '../http/redact-url.js';
import type { Caller } from './caller.js';

/** What a caller is shown of a job's failure reason. */
export type ReasonForCaller = (reason: string) => string;

const DESTINATION = '<destination>';
const SINK_URL_SETTINGS = ['WEBHOOK_URL', 'SPLUNK_HEC_URL', 'SENTINEL_INGESTION_ENDPOINT', 'SENTINEL_ARM_ENDPOINT'] as const;
const asIs: ReasonForCaller = (reason) => reason;
const hostPatterns = new WeakMap<Config, RegExp | undefined>();

function hostName(url: string | undefined): string | undefined {
  if (url === undefined) return undefined;
  try {
    return new URL(url).hostname.toLowerCase() || undefined;
  } catch {
    return undefined;
  }
}

/** The host names of every tenant's sinks, as whole names (`splunk.internal`, not `splunk.internal.example`). */
function sinkHostPattern(config: Config): RegExp | undefined {
  if (hostPatterns.has(config)) return hostPatterns.get(config);
  const hosts = new Set(Object.values(config.tenants).flatMap((tenant) => SINK_URL_SETTINGS.map((name) => hostName(tenant[name]))).filter((host) => host !== undefined));
  const alternatives = [...hosts].sort((a, b) => b.length - a.length).map((host) => host.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const pattern = alternatives.length === 0 ? undefined : new RegExp(`(?<![\\w.-])(?:${alternatives.join('|')})(?![\\w-]|\\.\\w)`, 'gi');
  hostPatterns.set(config, pattern);
  return pattern;
}

/**
 * A tenant-bound caller is an MSSP's customer: where the operator's sinks live (URLs, host names) is
 * not theirs to know, so every URL and every sink host in the reason becomes `<destination>`; the
 * error codes stay. An operator sees the whole reason.
 */
export function reasonForCaller(caller: Caller, config: Config): ReasonForCaller {
  if (caller.tenant === undefined) return asIs;
  const hosts = sinkHostPattern(config);
  return (reason) => {
    const withoutUrls = replaceUrlsIn(reason, () => DESTINATION);
    return hosts === undefined ? withoutUrls : withoutUrls.replace(hosts, DESTINATION);
  };
}
