import { readFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { IpenrichError } from '../errors.js';

/** Reads a file argument, or standard input for `-`, refusing more than `maxBytes`. */
export async function readInput(source: string, stdin: Readable, maxBytes: number): Promise<Buffer> {
  if (source !== '-') {
    try {
      const data = await readFile(source);
      if (data.length > maxBytes) throw new IpenrichError('INPUT_TOO_LARGE', `${source} is ${data.length} bytes; the limit is ${maxBytes}`);
      return data;
    } catch (error) {
      if (error instanceof IpenrichError) throw error;
      const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
      throw new IpenrichError('USAGE', `cannot read ${source} (${code})`);
    }
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stdin) {
    const buffer = Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk));
    size += buffer.length;
    if (size > maxBytes) throw new IpenrichError('INPUT_TOO_LARGE', `standard input exceeds the limit of ${maxBytes} bytes`);
    chunks.push(buffer);
  }
  return Buffer.concat(chunks);
}
