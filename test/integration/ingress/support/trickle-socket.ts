import { connect } from 'node:net';

export interface TrickleOutcome {
  /** Everything the server sent before the connection closed. */
  readonly received: string;
  /** True when the server ended or reset the connection (we never end it ourselves). */
  readonly closedByServer: boolean;
  /** Body bytes we had written when the server closed. */
  readonly bytesSent: number;
}

/**
 * Sends the request head of `url` (with a Content-Length far larger than what follows), then one body
 * byte every `everyMs` and never the rest: a slow client. Resolves when the server closes the
 * connection; the caller's test timeout bounds how long that may take.
 */
export function trickleRequest(url: string, head: { method: string; path: string; headers: Record<string, string> }, everyMs = 50): Promise<TrickleOutcome> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let received = '';
    let bytesSent = 0;
    let timer: NodeJS.Timeout | undefined;
    const lines = [`${head.method} ${head.path} HTTP/1.1`, `Host: ${hostname}:${port}`, 'Content-Type: application/json', 'Content-Length: 100000'];
    for (const [name, value] of Object.entries(head.headers)) lines.push(`${name}: ${value}`);
    socket.setEncoding('utf8');
    socket.on('connect', () => {
      socket.write(`${lines.join('\r\n')}\r\n\r\n{`);
      bytesSent = 1;
      timer = setInterval(() => {
        if (socket.writable) {
          socket.write(' ');
          bytesSent += 1;
        }
      }, everyMs);
    });
    socket.on('data', (chunk: string) => {
      received += chunk;
    });
    // A reset after the answer is the server closing too.
    socket.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'ECONNRESET' && error.code !== 'EPIPE') reject(error);
    });
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ received, closedByServer: true, bytesSent });
    });
  });
}
