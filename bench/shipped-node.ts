import { readFileSync } from 'node:fs';

/**
 * The Node.js major line the container image runs (the Dockerfile's `ARG NODE_IMAGE=node:<major>-…`).
 * Written figures describe that runtime: V8 differs between lines more than between our commits
 * (Node 20.20 on this project's machine ran object spread about 40× slower than Node 22).
 */
export function shippedNodeMajor(dockerfile = new URL('../Dockerfile', import.meta.url)): number {
  const text = readFileSync(dockerfile, 'utf8');
  const major = /^ARG NODE_IMAGE=node:(\d+)\b/m.exec(text)?.[1];
  if (major === undefined) throw new Error('Dockerfile has no ARG NODE_IMAGE=node:<major>… line');
  return Number(major);
}

/** Null when this process runs the shipped line, else one line that says which to use and how. */
export function runtimeMismatch(version = process.version): string | null {
  const shipped = shippedNodeMajor();
  const running = Number(/^v(\d+)/.exec(version)?.[1]);
  if (running === shipped) return null;
  return `this is Node ${version}; the image runs Node ${shipped}: run with PATH="$(scripts/node-from-npm.sh ${shipped}):$PATH" npm run bench -- …`;
}
