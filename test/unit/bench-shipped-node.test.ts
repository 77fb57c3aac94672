import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runtimeMismatch, shippedNodeMajor } from '../../bench/shipped-node.js';

describe('the runtime benchmarks are written for', () => {
  it('is the major line of the Dockerfile\'s NODE_IMAGE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shipped-node-'));
    const file = join(dir, 'Dockerfile');
    writeFileSync(file, '# syntax=docker/dockerfile:1\nARG NODE_IMAGE=node:24-bookworm-slim@sha256:abc\nFROM ${NODE_IMAGE}\n');
    expect(shippedNodeMajor(pathToFileURL(file))).toBe(24);
    writeFileSync(file, 'FROM node:latest\n');
    expect(() => shippedNodeMajor(pathToFileURL(file))).toThrow(/NODE_IMAGE/);
  });

  it('accepts any release of that line and names the command for any other', () => {
    const shipped = shippedNodeMajor();
    expect(runtimeMismatch(`v${shipped}.99.1`)).toBeNull();
    expect(runtimeMismatch(`v${shipped - 2}.20.2`)).toContain(`scripts/node-from-npm.sh ${shipped}`);
  });
});
