import type { Config } from '../config/load.js';

/** Where a job's state is read: a path, or an absolute URL when INGRESS_PUBLIC_URL says where clients reach us. */
export function statusUrlFor(config: Pick<Config, 'INGRESS_PUBLIC_URL'>, jobId: string): string {
  const path = `/v1/jobs/${encodeURIComponent(jobId)}`;
  return config.INGRESS_PUBLIC_URL === undefined ? path : `${config.INGRESS_PUBLIC_URL.replace(/\/+$/, '')}${path}`;
}
