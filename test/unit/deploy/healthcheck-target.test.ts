import { describe, expect, it } from 'vitest';
import { containerCommand, ingressHealthUrl } from '../../../src/commands/healthcheck.js';

describe('containerCommand: which ipenrich command PID 1 runs', () => {
  it.each([
    [['node', 'dist/src/bin.js', 'serve'], { name: 'serve', args: [] }],
    [['node', '/app/dist/src/bin.js', 'worker'], { name: 'worker', args: [] }],
    // docker run --init / tini in front of node
    [['/sbin/docker-init', '--', 'node', 'dist/src/bin.js', 'serve', '--port', '9000'], { name: 'serve', args: ['--port', '9000'] }],
    [['/usr/bin/node', '/usr/local/bin/ipenrich', 'worker', '--verbose'], { name: 'worker', args: ['--verbose'] }],
    [['node', 'dist/src/bin.js'], undefined],
    [['/bin/sh', '-c', 'sleep infinity'], undefined],
    [['/process_api', '--addr', '0.0.0.0:2024'], undefined],
    [[], undefined],
  ])('%j → %j', (cmdline, expected) => {
    expect(containerCommand(cmdline)).toEqual(expected);
  });
});

describe('ingressHealthUrl', () => {
  it('uses loopback when the ingress binds every address', () => {
    expect(ingressHealthUrl({ INGRESS_HOST: '0.0.0.0', INGRESS_PORT: 8080 })).toBe('http://127.0.0.1:8080/healthz');
    expect(ingressHealthUrl({ INGRESS_HOST: '::', INGRESS_PORT: 9000 })).toBe('http://127.0.0.1:9000/healthz');
  });

  it('uses the bind address when the ingress listens on one', () => {
    expect(ingressHealthUrl({ INGRESS_HOST: '10.1.2.3', INGRESS_PORT: 8080 })).toBe('http://10.1.2.3:8080/healthz');
    expect(ingressHealthUrl({ INGRESS_HOST: 'fd00::5', INGRESS_PORT: 8080 })).toBe('http://[fd00::5]:8080/healthz');
  });

  it('refuses a random port, which it cannot know', () => {
    expect(() => ingressHealthUrl({ INGRESS_HOST: '0.0.0.0', INGRESS_PORT: 0 })).toThrow(/--url/);
  });
});
