import { describe, expect, it } from 'vitest';
import { IpenrichError } from '../../../src/errors.js';
import { parseAlertText } from '../../../src/extract/index.js';

function failure(run: () => unknown): IpenrichError {
  try {
    run();
  } catch (error) {
    if (error instanceof IpenrichError) return error;
    throw error;
  }
  throw new Error('expected an IpenrichError');
}

describe('parseAlertText', () => {
  it('parses text and UTF-8 bytes, with or without a byte order mark', () => {
    expect(parseAlertText('{"ip":"10.0.0.1"}')).toEqual({ ip: '10.0.0.1' });
    expect(parseAlertText(Buffer.from('\uFEFF[1,"é"]', 'utf8'))).toEqual([1, 'é']);
    expect(parseAlertText(' "just text" ')).toBe('just text');
  });

  it('refuses what is not JSON with a one-line INPUT_NOT_JSON', () => {
    for (const text of ['nope\nnot json', '{"a":', '', '   \n', "{'a':1}"]) {
      const error = failure(() => parseAlertText(text));
      expect(error.code).toBe('INPUT_NOT_JSON');
      expect(error.message).not.toContain('\n');
    }
  });

  it('refuses more than maxBytes (counted in UTF-8 bytes) with INPUT_TOO_LARGE', () => {
    const text = JSON.stringify({ a: 'é'.repeat(600) });
    expect(failure(() => parseAlertText(text, 1_024)).code).toBe('INPUT_TOO_LARGE');
    expect(parseAlertText(text, 2_048)).toEqual({ a: 'é'.repeat(600) });
    expect(failure(() => parseAlertText(Buffer.alloc(2_000, 32), 1_024)).code).toBe('INPUT_TOO_LARGE');
  });
});
