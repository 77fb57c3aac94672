import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resultJsonSchema } from '../../../src/result/json-schema.js';

describe('config/result.schema.json', () => {
  it('is the JSON Schema generated from the result zod schema (regenerate: npm run schemas)', () => {
    const published = JSON.parse(readFileSync('config/result.schema.json', 'utf8')) as unknown;
    expect(published).toEqual(resultJsonSchema());
  });
});
