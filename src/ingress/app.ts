import fastifySwagger from '@fastify/swagger';
import Fastify, { LogController } from 'fastify';
import { jsonSchemaTransform, jsonSchemaTransformObject, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { IpenrichError } from '../errors.js';
import { jsonTextDepth } from '../queue/json-depth.js';
import { MAX_ALERT_DEPTH, TOO_DEEP } from './alert-payload.js';
import { installAuth } from './auth-hooks.js';
import { sendError } from './error-reply.js';
import type { IngressApp, IngressDeps } from './ingress-deps.js';
import { registerAdminDashboard } from './routes/admin-dashboard.js';
import { registerAlertRoutes } from './routes/alert-routes.js';
import { registerJobRoute } from './routes/job-route.js';
import { registerLookupRoute } from './routes/lookup-route.js';
import { registerOperationsRoutes } from './routes/operations-routes.js';
import { serverTimeouts } from './server-timeouts.js';

/** `application/json` and `application/*+json`; anything else is a 415. */
const JSON_TYPES = ['application/json', /^application\/[\w.-]+\+json\s*(;|$)/i] as const;

const OPENAPI_INFO = {
  title: 'ipenrich ingress',
  version: '1',
  description:
    'Playbooks (Logic Apps, Splunk, any SOAR) send alerts; ipenrich enriches every IP in them with Microsoft Defender for Endpoint IP statistics under a shared, exact API budget, and answers with the result or delivers it to the configured sinks. Errors are `{"error":{"code","message"}}` with codes from docs/ERRORS.md.',
};

/**
 * fastify says "Body is not valid JSON" both for text that is not JSON and for JSON it refuses for a
 * `__proto__` or `constructor.prototype` key: tell the client which, and where its JSON broke.
 */
function explainedJsonRefusal(error: Error, body: string): Error {
  if ((error as NodeJS.ErrnoException).code !== 'FST_ERR_CTP_INVALID_JSON_BODY') return error;
  try {
    JSON.parse(body);
  } catch (syntax) {
    return new IpenrichError('INPUT_NOT_JSON', `the body is not valid JSON: ${(syntax as Error).message.slice(0, 200)}`);
  }
  return new IpenrichError('INPUT_INVALID', 'the body has a "__proto__" or "constructor": {"prototype"} key, refused as prototype poisoning; no alert needs one');
}

/**
 * The ingress HTTP app: JSON only, schema-checked (zod), authenticated and rate limited per caller,
 * with one error shape. Building it opens nothing: the caller owns `deps` and calls `listen`.
 */
export async function buildIngressApp(deps: IngressDeps): Promise<IngressApp> {
  const { config } = deps;
  const app = Fastify({
    loggerInstance: deps.logger,
    bodyLimit: config.INGRESS_BODY_LIMIT_BYTES,
    ...serverTimeouts(config),
    // Request URLs may carry ?token=: the onResponse hook logs the route template instead.
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('caller', null);
  app.decorateRequest('rawBody', null);
  app.decorateRequest('signature', null);

  app.setErrorHandler((error, _request, reply) => sendError(reply, error, { bodyLimitBytes: config.INGRESS_BODY_LIMIT_BYTES }));

  const bodyGate = installAuth(app, deps);

  app.removeAllContentTypeParsers();
  // fastify's parser refuses __proto__ and constructor.prototype keys (prototype poisoning).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  for (const type of JSON_TYPES) {
    app.addContentTypeParser(type, { parseAs: 'string' }, (request, body: string, done) => {
      request.rawBody = body;
      // A signed request is parsed only once its signature verifies over the raw body; else the
      // preValidation hook answers 401 and the body is never parsed.
      if (!bodyGate.admits(request, body)) {
        done(null, undefined);
        return;
      }
      // Depth first, counted on the text: a deep body is refused at the cost of MAX_ALERT_DEPTH
      // characters, not of a parse (nor of a JSON error further on).
      if (jsonTextDepth(body, MAX_ALERT_DEPTH) > MAX_ALERT_DEPTH) {
        done(new IpenrichError('INPUT_INVALID', `the body nests deeper than ${MAX_ALERT_DEPTH} levels`, { details: { issues: [TOO_DEEP] } }));
        return;
      }
      void parseJson(request, body, (error, value) => (error ? done(explainedJsonRefusal(error, body)) : done(null, value)));
    });
  }
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    deps.metrics.request(route, request.method, reply.statusCode, seconds);
    const level = reply.statusCode === 503 ? 'warn' : reply.statusCode >= 500 ? 'error' : reply.statusCode >= 400 ? 'info' : 'debug';
    request.log[level]({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime), caller: request.caller?.id }, 'request');
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: OPENAPI_INFO,
      tags: [
        { name: 'alerts', description: 'Alerts in, results out' },
        { name: 'lookup', description: 'IPs in, results out' },
        { name: 'jobs', description: 'State and result of a queued alert' },
        { name: 'operations', description: 'Probes and metrics' },
      ],
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'Authorization: Bearer <API key>' },
          apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' },
          queryToken: {
            type: 'apiKey',
            in: 'query',
            name: 'token',
            description: 'For callers that cannot set headers (Splunk\'s webhook action); only with INGRESS_ALLOW_QUERY_TOKEN=true. URLs end up in logs: use a tenant-bound key and rotate it.',
          },
        },
      },
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  registerAlertRoutes(app, deps);
  registerLookupRoute(app, deps);
  registerJobRoute(app, deps);
  registerOperationsRoutes(app, deps);
  await registerAdminDashboard(app, deps);
  return app;
}
