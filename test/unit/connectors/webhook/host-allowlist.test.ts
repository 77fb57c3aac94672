import { describe, expect, it } from 'vitest';
import { isHostAllowed } from '../../../../connectors/webhook/host-allowlist.js';

describe('callback host allowlist', () => {
  const allowlist = ['hooks.example.com', '*.soar.example.net', '203.0.113.7', '[2001:db8::7]'];

  it('matches exact hosts case-insensitively, ignoring a trailing dot', () => {
    expect(isHostAllowed('hooks.example.com', allowlist)).toBe(true);
    expect(isHostAllowed('HOOKS.Example.COM.', allowlist)).toBe(true);
    expect(isHostAllowed('203.0.113.7', allowlist)).toBe(true);
    expect(isHostAllowed('[2001:db8::7]', allowlist)).toBe(true);
  });

  it('does not match look-alikes of exact entries', () => {
    expect(isHostAllowed('evil-hooks.example.com', allowlist)).toBe(false);
    expect(isHostAllowed('hooks.example.com.evil.io', allowlist)).toBe(false);
    expect(isHostAllowed('x.hooks.example.com', allowlist)).toBe(false);
  });

  it('matches wildcard entries at any subdomain depth, never the apex or a suffix look-alike', () => {
    expect(isHostAllowed('a.soar.example.net', allowlist)).toBe(true);
    expect(isHostAllowed('a.b.soar.example.net', allowlist)).toBe(true);
    expect(isHostAllowed('soar.example.net', allowlist)).toBe(false);
    expect(isHostAllowed('evilsoar.example.net', allowlist)).toBe(false);
  });

  it('allows nothing with an empty allowlist', () => {
    expect(isHostAllowed('hooks.example.com', [])).toBe(false);
  });
});
