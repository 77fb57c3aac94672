import { z } from 'zod';
import { IpenrichError } from '../../errors.js';
import { canonicalIp, classifyIp } from '../../extract/index.js';
import { buildResult, type FoundIp } from '../../result/build.js';
import { requireCaller, tenantFor } from '../caller.js';
import type { IngressApp, IngressDeps } from '../ingress-deps.js';
import { LOOKUP_EXAMPLES } from '../openapi-examples.js';
import { errorBody, lookupAnswer } from '../response-schemas.js';
import { tenantNamed } from '../../config/tenant-named.js';

const lookupBody = z
  .strictObject({
    ips: z
      .array(z.string().max(100).refine((ip) => canonicalIp(ip) !== null, 'not an IP address'))
      .min(1)
      .describe('IP addresses in any common form (IPv6 compressed or not, in brackets, defanged); at most INGRESS_MAX_BATCH.'),
    tenant: z
      .string()
      .regex(/^[A-Za-z0-9_.-]{1,64}$/, 'a tenant name: 1-64 letters, digits, _ . -')
      .optional()
      .describe('A configured tenant; a tenant-bound key implies its own.'),
    lookBackHours: z.number().int().min(1).max(720).optional().describe('Default: the tenant\'s MDE_LOOKBACK_HOURS.'),
  })
  .describe('IPs a playbook already holds (Sentinel "Entities - Get IPs"): the same cache and API budget as alerts.')
  .meta({ 'x-examples': LOOKUP_EXAMPLES });

export function registerLookupRoute(app: IngressApp, deps: IngressDeps): void {
  const { config, guard, enricher } = deps;
  const tenantChoice = { tenants: Object.keys(config.tenants), defaultTenant: config.IPENRICH_DEFAULT_TENANT };
  const policy = { rareMaxPrevalence: config.VERDICT_RARE_MAX_PREVALENCE, newWithinHours: config.VERDICT_NEW_WITHIN_HOURS };

  app.route({
    method: 'POST',
    url: '/v1/lookup',
    schema: {
      summary: 'Look up IPs directly',
      description:
        'Answers within INGRESS_SYNC_TIMEOUT_MS: cached IPs at once, the others as the shared API budget allows; IPs the budget cannot serve in time come back `deferred` with `retryAt`. IPs outside EXTRACT_ENRICH_RANGES (loopback, multicast…) are `skipped`, as in alerts.',
      tags: ['lookup'],
      security: [{ apiKey: [] }, { bearer: [] }],
      body: lookupBody,
      response: { 200: lookupAnswer, 400: errorBody, 401: errorBody, 403: errorBody, 413: errorBody, 415: errorBody, 429: errorBody, 503: errorBody },
    },
    handler: async (request) => {
      const caller = requireCaller(request);
      const { ips, lookBackHours: requested } = request.body;
      if (ips.length > config.INGRESS_MAX_BATCH) {
        throw new IpenrichError('INPUT_INVALID', `at most ${config.INGRESS_MAX_BATCH} IPs per request (INGRESS_MAX_BATCH); got ${ips.length}`);
      }
      const tenant = tenantFor(caller, request.body.tenant, tenantChoice);
      const lookBackHours = requested ?? tenantNamed(config, tenant)?.MDE_LOOKBACK_HOURS ?? config.MDE_LOOKBACK_HOURS;

      const found = new Map<string, FoundIp>();
      for (const text of ips) {
        const canonical = canonicalIp(text);
        if (!canonical || found.has(canonical.ip)) continue;
        const { range, enrich, reason } = classifyIp(canonical.ip, config.EXTRACT_ENRICH_RANGES);
        found.set(canonical.ip, { ip: canonical.ip, version: canonical.version, range, enrich, ...(reason === undefined ? {} : { reason }), paths: [] });
      }
      const toEnrich = [...found.values()].filter((ip) => ip.enrich).map((ip) => ip.ip);
      const timeoutMs = config.INGRESS_SYNC_TIMEOUT_MS;
      const started = deps.now();
      const outcomes = toEnrich.length === 0
        ? []
        : await guard(() => enricher.enrich(tenant, toEnrich, { lookBackHours, deadline: started + timeoutMs, wakeSlots: false }), timeoutMs + config.INGRESS_REDIS_TIMEOUT_MS);

      const result = buildResult({
        facts: { alertId: 'lookup', tenant, contentDigest: null, replaces: null, format: 'lookup', title: null, severity: null, incidentArmId: null, alertTime: null, receivedAt: new Date(started).toISOString() },
        found: [...found.values()],
        cidrs: [],
        truncated: false,
        outcomes: new Map(outcomes.map((outcome) => [outcome.ip, outcome])),
        lookBackHours,
        policy,
        now: deps.now(),
      });
      return { tenant, lookBackHours, partial: result.partial, ips: result.ips, summary: result.summary.text };
    },
  });
}
