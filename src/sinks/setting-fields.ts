import { z } from 'zod';

/**
 * zod building blocks for settings given as text (environment variables, the IPENRICH_CONFIG file):
 * the configuration schema and every connector's settings use the same ones.
 */
export const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((value) => value === 'true' || value === '1' || value === 'yes');

export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const httpsUrl = z.url({ protocol: /^https$/, error: 'must be an https:// URL' });
export const httpUrl = z.url({ protocol: /^https?$/, error: 'must be an http:// or https:// URL' });

/** A comma list, items trimmed, empty items dropped. */
export const list = z
  .string()
  .transform((value) => value.split(',').map((item) => item.trim()).filter((item) => item.length > 0));
