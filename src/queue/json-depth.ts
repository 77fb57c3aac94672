/**
 * Deeper nesting than any real alert. The bound protects what walks an alert recursively after
 * JSON.parse (which itself is iterative): the content digest, BullMQ's JSON.stringify of job data.
 */
export const MAX_ALERT_DEPTH = 256;

/** Nesting depth of a JSON value, without recursion (a hostile input must not overflow the stack here); stops counting past `limit`. */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 1]];
  while (stack.length > 0) {
    const [node, depth] = stack.pop() as [unknown, number];
    if (node === null || typeof node !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (deepest > limit) return deepest;
    for (const child of Object.values(node)) stack.push([child, depth + 1]);
  }
  return deepest;
}
