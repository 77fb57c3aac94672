import type { IpRange } from './ip-ranges.js';
import { classifyRange, rangeOf } from './classify.js';
import { formatIPv4, formatIPv6, type ParsedIp } from './ip-address.js';
import { EMBEDDED_JSON, formatPath, type PathSegment } from './json-path.js';
import { keyKind, type KeyKind } from './key-names.js';
import { isNonIndicator } from './non-indicators.js';
import { resolveExtractOptions, type ExtractOptions } from './options.js';
import { scanText, type TextFind } from './text-scan.js';
import { newWorkMeter, type WorkMeter } from './work-meter.js';

interface ExtractedIp {
  /** Canonical text: IPv4 dotted decimal, IPv6 RFC 5952. */
  readonly ip: string;
  readonly version: 4 | 6;
  readonly range: IpRange;
  /** Whether the policy (EXTRACT_ENRICH_RANGES) sends it to Defender. */
  readonly enrich: boolean;
  /** Why it is not enriched. */
  readonly reason?: string;
  /** Where it was found, as JSON paths (at most MAX_PATHS_PER_IP). */
  readonly paths: string[];
}

export interface ExtractionResult {
  /** Strongest evidence first (address fields and whole values before free text), then in order of appearance. */
  readonly ips: ExtractedIp[];
  /**
   * Networks: written with a prefix length (`10.0.0.0/8`), or as a range `first-last`
   * (`10.0.0.0-10.255.255.255`, both ends canonical). Context, not hosts to look up.
   */
  readonly cidrs: string[];
  /** True when a bound (size, depth, number of IPs) cut the extraction short. */
  readonly truncated: boolean;
}

/** Paths kept per IP: enough to show an analyst where it came from, bounded for huge alerts. */
const MAX_PATHS_PER_IP = 32;
/**
 * Distinct addresses held while walking, as a multiple of maxIps. The ranking (field values
 * before free text) happens at the end, so a few more than maxIps are kept to rank from.
 */
const CANDIDATE_FACTOR = 4;

interface Entry {
  readonly parsed: ParsedIp;
  readonly paths: string[];
  readonly order: number;
  strong: boolean;
}

function isSpace(code: number): boolean {
  return code === 32 || code === 9 || code === 10 || code === 13;
}

/** `{…}` or `[…]`, give or take whitespace: worth a JSON.parse. */
function looksLikeJson(text: string): boolean {
  let start = 0;
  let end = text.length - 1;
  while (start < end && isSpace(text.charCodeAt(start))) start++;
  while (end > start && isSpace(text.charCodeAt(end))) end--;
  if (end <= start) return false;
  const open = text.charCodeAt(start);
  const close = text.charCodeAt(end);
  return (open === 123 && close === 125) || (open === 91 && close === 93);
}

function parseEmbedded(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `address/prefix` or `first-last`, or null when the find is a host. */
function networkText(find: TextFind): string | null {
  const { parsed, prefix, rangeEnd } = find;
  if (rangeEnd !== null) return `${parsed.ip}-${rangeEnd.ip}`;
  if (prefix === null) return null;
  return `${parsed.version === 4 ? formatIPv4(parsed.parts) : formatIPv6(parsed.parts)}/${prefix}`;
}

class Extraction {
  private readonly entries = new Map<string, Entry>();
  private readonly cidrs = new Set<string>();
  private readonly path: PathSegment[] = [];
  /**
   * Characters left to scan, and the cost of walking: each object or array costs 2 (its brackets in
   * JSON), so shared references in values that did not come from JSON text stay bounded too.
   */
  private budget: number;
  /** Objects on the current path: a cyclic reference is not followed (a WeakSet of all is slower). */
  private readonly ancestors: object[] = [];
  private truncated = false;
  /** The path of the string being scanned, formatted on the first find only. */
  private currentPath: string | undefined;
  private currentKind: KeyKind = 'other';
  /** Appearance order of distinct addresses (the map's size is not: entries can be evicted). */
  private order = 0;
  /** Addresses first seen in free text, latest last (some may have become strong since). */
  private readonly weak: string[] = [];

  constructor(
    private readonly options: ExtractOptions,
    private readonly meter: WorkMeter,
  ) {
    this.budget = options.maxInputBytes;
  }

  markTruncated(): void {
    this.truncated = true;
  }

  walk(value: unknown, depth: number, kind: KeyKind): void {
    if (typeof value === 'string') {
      this.string(value, depth, kind);
      return;
    }
    // Typed arrays and buffers are bytes, not JSON: walking their indices would only cost time.
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return;
    if (depth >= this.options.maxDepth || this.budget < 2) {
      if (Array.isArray(value) ? value.length > 0 : Object.keys(value).length > 0) this.truncated = true;
      return;
    }
    if (this.ancestors.includes(value)) return;
    this.budget -= 2;
    this.ancestors.push(value);
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        this.path.push(i);
        this.walk(value[i], depth + 1, kind);
        this.path.pop();
      }
    } else {
      const record = value as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        this.path.push(key);
        this.text(key, 'other');
        const child = record[key];
        // Only strings (and arrays of them) are read in the light of their key's name.
        this.walk(child, depth + 1, typeof child === 'string' || Array.isArray(child) ? keyKind(key) : 'other');
        this.path.pop();
      }
    }
    this.ancestors.pop();
  }

  private string(value: string, depth: number, kind: KeyKind): void {
    if (kind === 'digest') return;
    if (looksLikeJson(value)) {
      const embedded = parseEmbedded(value);
      if (embedded !== undefined && embedded !== null && typeof embedded === 'object') {
        this.path.push(EMBEDDED_JSON);
        this.walk(embedded, depth, 'other');
        this.path.pop();
        return;
      }
    }
    this.text(value, kind);
  }

  private text(value: string, kind: KeyKind): void {
    if (value.length > this.budget) {
      // Too long for what is left: skipped, while shorter strings later still fit.
      this.truncated = true;
      return;
    }
    this.budget -= value.length;
    this.currentPath = undefined;
    this.currentKind = kind;
    scanText(value, { ipv4: kind !== 'version', meter: this.meter }, this.onFind);
  }

  private readonly onFind = (find: TextFind): void => {
    if (isNonIndicator(find.parsed)) return;
    this.currentPath ??= formatPath(this.path);
    const cidr = networkText(find);
    if (cidr !== null) {
      if (this.cidrs.has(cidr)) return;
      if (this.cidrs.size >= this.options.maxIps) this.truncated = true;
      else this.cidrs.add(cidr);
      return;
    }
    const strong = find.whole || this.currentKind === 'address';
    let entry = this.entries.get(find.parsed.ip);
    if (!entry) {
      if (this.entries.size >= this.options.maxIps * CANDIDATE_FACTOR && !(strong && this.evictWeakest())) {
        this.truncated = true;
        return;
      }
      entry = { parsed: find.parsed, paths: [], order: this.order++, strong };
      this.entries.set(find.parsed.ip, entry);
      if (!strong) this.weak.push(find.parsed.ip);
    }
    if (strong) entry.strong = true;
    if (entry.paths.length < MAX_PATHS_PER_IP && !entry.paths.includes(this.currentPath)) entry.paths.push(this.currentPath);
  };

  /** Makes room for a field value by dropping the latest address only seen in free text. */
  private evictWeakest(): boolean {
    this.truncated = true;
    for (let ip = this.weak.pop(); ip !== undefined; ip = this.weak.pop()) {
      if (this.entries.get(ip)?.strong === false) return this.entries.delete(ip);
    }
    return false;
  }

  result(): ExtractionResult {
    const ranked = [...this.entries.values()].sort((a, b) => Number(b.strong) - Number(a.strong) || a.order - b.order);
    if (ranked.length > this.options.maxIps) {
      ranked.length = this.options.maxIps;
      this.truncated = true;
    }
    const ips = ranked.map(({ parsed, paths }): ExtractedIp => {
      const { range, enrich, reason } = classifyRange(rangeOf(parsed), this.options.enrichRanges);
      return { ip: parsed.ip, version: parsed.version, range, enrich, ...(reason === undefined ? {} : { reason }), paths };
    });
    return { ips, cidrs: [...this.cidrs], truncated: this.truncated };
  }
}

/**
 * Every IP address in an alert an analyst would call an indicator, canonical, with where it was
 * found. Walks any JSON value (and JSON held in strings), scans every string once; bounded by
 * the options, and never throws. `meter`, when given, counts the scanning work (tests).
 */
export function extractIps(alert: unknown, options: Partial<ExtractOptions> = {}, meter: WorkMeter = newWorkMeter()): ExtractionResult {
  const extraction = new Extraction(resolveExtractOptions(options), meter);
  try {
    extraction.walk(alert, 0, 'other');
  } catch {
    // Only values that JSON cannot produce get here (a throwing getter or proxy): keep what was found.
    extraction.markTruncated();
  }
  return extraction.result();
}
