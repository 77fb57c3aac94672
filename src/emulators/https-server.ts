import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { emulatorTls, type TlsMaterial } from './tls.js';

/** A running HTTPS emulator: where it listens, and how to stop it (hung requests included). */
export interface RunningHttpsServer {
  /** `https://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  /** `127.0.0.1:<port>`: what MDE_AUTHORITY_HOST-style settings take. */
  readonly host: string;
  readonly port: number;
  readonly tls: TlsMaterial;
  close(): Promise<void>;
}

export type EmulatorHandler = (request: IncomingMessage, response: ServerResponse) => void | Promise<void>;

export interface HttpsServerOptions {
  /** 0 or absent: a free port. */
  readonly port?: number;
  readonly tls?: TlsMaterial;
}

/** Starts an HTTPS server on 127.0.0.1 with the run's emulator certificate (see tls.ts). */
export async function startHttpsServer(handler: EmulatorHandler, options: HttpsServerOptions = {}): Promise<RunningHttpsServer> {
  const tls = options.tls ?? (await emulatorTls());
  const server: Server = createServer({ key: tls.key, cert: tls.cert }, (request, response) => {
    Promise.resolve(handler(request, response)).catch((error: unknown) => {
      // An emulator bug must be loud in the test that hit it, not a hung request.
      if (!response.headersSent) sendJson(response, 500, { error: { code: 'EmulatorBug', message: String(error) } });
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `https://127.0.0.1:${port}`,
    host: `127.0.0.1:${port}`,
    port,
    tls,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export async function readBody(request: IncomingMessage, limitBytes = 1_048_576): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limitBytes) throw new Error(`request body larger than ${limitBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  response.end(text);
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
