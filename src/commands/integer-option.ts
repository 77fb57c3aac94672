import { IpenrichError } from '../errors.js';

/** A whole-number command-line option within [min, max]; undefined when absent, USAGE (exit 2) when invalid. */
export function integerOption(name: string, value: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const number = Number(value);
  if (!Number.isInteger(number) || number < min || number > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? `of at least ${min}` : `from ${min} to ${max}`;
    throw new IpenrichError('USAGE', `--${name} must be an integer ${range}`);
  }
  return number;
}
