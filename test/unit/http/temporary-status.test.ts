import { describe, expect, it } from 'vitest';
import { isTemporaryStatus, temporaryStatusReason } from '../../../src/http/temporary-status.js';

describe('temporary statuses', () => {
  it.each([
    [200, undefined],
    [204, undefined],
    [301, undefined],
    [307, undefined],
    [400, undefined],
    [401, undefined],
    [403, undefined],
    [404, undefined],
    [409, undefined],
    [410, undefined],
    [413, undefined],
    [408, 'timeout'],
    [429, 'throttled'],
    [500, 'server-error'],
    [501, 'server-error'],
    [502, 'server-error'],
    [503, 'server-error'],
    [504, 'server-error'],
    [599, 'server-error'],
  ] as const)('%i → %s', (status, reason) => {
    expect(temporaryStatusReason(status)).toBe(reason);
    expect(isTemporaryStatus(status)).toBe(reason !== undefined);
  });
});
