import { describe, expect, it } from 'vitest';
import { splitConcatenatedJson } from '../../../../src/emulators/splunk-hec.js';

describe('HEC emulator: concatenated JSON events', () => {
  it('splits objects with braces and escaped quotes inside strings', () => {
    expect(splitConcatenatedJson('{"event":"a}{\\"b"}\n {"event":{"x":[1,{"y":2}]}}')).toEqual([{ event: 'a}{"b' }, { event: { x: [1, { y: 2 }] } }]);
  });

  it('rejects what Splunk rejects: commas, arrays, truncated input, with the event number', () => {
    expect(splitConcatenatedJson('{"event":1},{"event":2}')).toEqual({ invalidEventNumber: 1 });
    expect(splitConcatenatedJson('[{"event":1}]')).toEqual({ invalidEventNumber: 0 });
    expect(splitConcatenatedJson('{"event":1}{"event":')).toEqual({ invalidEventNumber: 1 });
  });
});
