/** Lower-case, no trailing dot, no IPv6 brackets: the form both sides of a comparison take. */
export function normalizeHost(host: string): string {
  return host.trim().toLowerCase().replace(/^\[(.*)\]$/, '$1').replace(/\.$/, '');
}

/**
 * Whether `host` is on the allowlist. Entries are exact hosts (`hooks.example.com`, `203.0.113.7`)
 * or `*.example.com`, which matches any subdomain depth but not `example.com` itself.
 */
export function isHostAllowed(host: string, allowlist: readonly string[]): boolean {
  const candidate = normalizeHost(host);
  return allowlist.some((raw) => {
    const entry = normalizeHost(raw);
    if (entry.startsWith('*.')) {
      const suffix = entry.slice(1);
      return candidate.endsWith(suffix) && candidate.length > suffix.length;
    }
    return candidate === entry;
  });
}
