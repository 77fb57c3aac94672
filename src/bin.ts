#!/usr/bin/env node
import { main } from './cli.js';
import { scrubSecrets } from './secrets.js';

main(process.argv.slice(2), { stdin: process.stdin, stdout: process.stdout, stderr: process.stderr, env: process.env })
  .then((code) => {
    process.exitCode = code;
  })
  .catch((error: unknown) => {
    process.stderr.write(`ipenrich: ${scrubSecrets(String(error))}\n`);
    process.exitCode = 1;
  });
