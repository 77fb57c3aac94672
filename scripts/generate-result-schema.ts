// Writes config/result.schema.json from the zod schema, the single source of the result's shape.
import { writeFileSync } from 'node:fs';
import { resultJsonSchema } from '../src/result/json-schema.js';

writeFileSync('config/result.schema.json', `${JSON.stringify(resultJsonSchema(), null, 2)}\n`);
