import { describe, expect, it } from 'vitest';
import { escapeControl } from '../../src/escape-control.js';

describe('escapeControl', () => {
  it('writes C0 and C1 controls, DEL and the bidi overrides and isolates as \\u escapes', () => {
    expect(escapeControl('a\u001b[31mred\u009b2J\u007f\r\nb')).toBe('a\\u001b[31mred\\u009b2J\\u007f\\u000d\\u000ab');
    expect(escapeControl('\u202aA\u202eB\u2066C\u2069')).toBe('\\u202aA\\u202eB\\u2066C\\u2069');
  });

  it('keeps ordinary Unicode', () => {
    const text = 'Müller – 東京 ✓ 🙂 عربي \u00a0';
    expect(escapeControl(text)).toBe(text);
  });
});
