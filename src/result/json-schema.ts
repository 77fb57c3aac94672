import { z } from 'zod';
import { alertResultSchema, RESULT_SCHEMA_VERSION } from './schema.js';

/** JSON Schema (draft 2020-12) of the result, published as config/result.schema.json for receivers. */
export function resultJsonSchema(): Record<string, unknown> {
  return {
    $id: `urn:ipenrich:result:v${RESULT_SCHEMA_VERSION}`,
    title: 'ipenrich alert enrichment result',
    ...z.toJSONSchema(alertResultSchema, { target: 'draft-2020-12' }),
  };
}
