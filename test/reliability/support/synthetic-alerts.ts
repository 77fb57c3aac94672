/**
 * Alerts for the reliability scenarios: a generic JSON alert with its own id (so the job id and the
 * webhook-id are stable) and public IPv4 addresses the extractor finds at known paths.
 */
export interface SyntheticAlert {
  readonly id: string;
  readonly title: string;
  readonly severity: string;
  readonly timestamp: string;
  readonly source: { readonly ip: string };
  readonly destination: { readonly ip: string };
}

/** The n-th address of a run's IP universe: 45.x.y.z, public, distinct for n below 65,536 × 254. */
function universeIp(n: number): string {
  const host = (n % 254) + 1;
  const block = Math.floor(n / 254);
  return `45.${Math.floor(block / 256) % 256}.${block % 256}.${host}`;
}

export interface AlertPlan {
  readonly count: number;
  /** Distinguishes runs, so a leftover job from another run is never mistaken for this one's. */
  readonly runId: string;
  /** The two IPs of alert `n`, as indexes into the universe. */
  readonly ipsOf: (n: number) => readonly [number, number];
}

export function syntheticAlerts(plan: AlertPlan): SyntheticAlert[] {
  const severities = ['low', 'medium', 'high', 'critical'];
  return Array.from({ length: plan.count }, (_, n) => {
    const [source, destination] = plan.ipsOf(n);
    return {
      id: `rel-${plan.runId}-${n}`,
      title: `Reliability alert ${n}`,
      severity: severities[n % severities.length] ?? 'low',
      timestamp: new Date(Date.UTC(2025, 0, 1) + n * 1_000).toISOString(),
      source: { ip: universeIp(source) },
      destination: { ip: universeIp(destination) },
    };
  });
}

/** Every alert has two IPs never seen before: each costs two API calls. */
export const freshIps = (n: number): readonly [number, number] => [2 * n, 2 * n + 1];

/** IPs drawn from a universe of `size` addresses (deterministic), so most lookups after the first are cached. */
export const pooledIps = (size: number) => (n: number): readonly [number, number] => [(n * 7) % size, (n * 13 + 5) % size];
