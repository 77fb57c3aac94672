/**
 * A process that logs through the product's default destination (buffered stderr), for
 * stderr-buffering.test.ts. argv[2]: `stay` logs one line and waits for stdin to close; `exit` logs
 * then calls process.exit(5); `crash` logs then throws from a timer.
 */
import { createLogger } from '../../../src/log.js';

const mode = process.argv[2];
const logger = createLogger();
logger.info({ mode }, 'first line');
if (mode === 'stay') {
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
} else if (mode === 'exit') {
  process.exit(5);
} else {
  setImmediate(() => {
    throw new Error('crash after logging');
  });
}
