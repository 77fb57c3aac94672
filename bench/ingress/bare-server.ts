/**
 * The baseline of `bench/ingress`: a bare fastify route on the same machine, in its own process like
 * the ingress, that parses the same JSON body and answers 200. Prints `listening <url>` when ready.
 */
import Fastify from 'fastify';

const app = Fastify({ logger: false });
app.post('/bare', (request, reply) => {
  void reply.send({ ok: true, keys: Object.keys(request.body as object).length });
});

const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.stdout.write(`listening ${address}\n`);
process.on('SIGTERM', () => {
  void app.close().then(() => process.exit(0));
});
