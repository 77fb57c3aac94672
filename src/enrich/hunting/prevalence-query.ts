import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from '../../package-root.js';

/**
 * The KQL that asks advanced hunting for the IP statistics of a batch: config/hunting/ip-prevalence.kql,
 * the documented contract (docs/hunting.md), with its three `let` lines filled in. The file runs as
 * is in the portal; ipenrich only replaces the look-back, the IPs and the counted action types.
 */
export const PREVALENCE_QUERY_FILE = join('config', 'hunting', 'ip-prevalence.kql');

/** The columns the query returns, in order; the client reads nothing else. */
export const PREVALENCE_COLUMNS = ['IPAddress', 'OrgPrevalence', 'OrgFirstSeen', 'OrgLastSeen'] as const;

export interface PrevalenceQueryInput {
  /** Canonical IPs (extraction's form): IPv4 dotted decimal, IPv6 RFC 5952 lowercase. */
  readonly ips: readonly string[];
  readonly lookBackHours: number;
  /** DeviceNetworkEvents ActionType values that count as a device connecting to the IP. */
  readonly actionTypes: readonly string[];
}

const LINES = {
  lookBack: /^let lookBack = .*;$/m,
  ips: /^let ips = .*;$/m,
  outbound: /^let outbound = .*;$/m,
} as const;

let template: string | undefined;

function loadTemplate(): string {
  template ??= readFileSync(join(packageRoot(), PREVALENCE_QUERY_FILE), 'utf8');
  for (const [name, line] of Object.entries(LINES)) {
    if (!line.test(template)) throw new Error(`${PREVALENCE_QUERY_FILE} lost its "let ${name} = …;" line`);
  }
  return template;
}

/** A KQL string literal: JSON's escaping is KQL's for double-quoted strings. */
const literal = (text: string): string => JSON.stringify(text);
const dynamicList = (values: readonly string[]): string => `dynamic([${values.map(literal).join(', ')}])`;

/** Action types are identifiers (letters and digits): anything else would be a KQL injection. */
const ACTION_TYPE = /^[A-Za-z][A-Za-z0-9]*$/;

export function prevalenceQuery(input: PrevalenceQueryInput): string {
  const { ips, lookBackHours, actionTypes } = input;
  if (ips.length === 0) throw new Error('a prevalence query needs at least one IP');
  if (!Number.isInteger(lookBackHours) || lookBackHours < 1 || lookBackHours > 720) {
    throw new Error(`lookBackHours must be an integer from 1 to 720, not ${lookBackHours}`);
  }
  // Canonical IPs hold only hex digits, dots and colons; refusing anything else keeps the query closed.
  const bad = ips.find((ip) => !/^[0-9a-f.:]+$/.test(ip));
  if (bad !== undefined) throw new Error(`"${bad.slice(0, 60)}" is not a canonical IP`);
  const badAction = actionTypes.find((action) => !ACTION_TYPE.test(action));
  if (badAction !== undefined || actionTypes.length === 0) throw new Error(`action types must be identifiers, got "${badAction ?? ''}"`);
  return loadTemplate()
    .replace(LINES.lookBack, `let lookBack = ${lookBackHours}h;`)
    .replace(LINES.ips, `let ips = ${dynamicList(ips)};`)
    .replace(LINES.outbound, `let outbound = ${dynamicList(actionTypes)};`);
}
