/** A bearer check for emulators: one fixed token, or a predicate such as "signed by the Entra emulator". */
export function acceptsToken(expected: string | ((bearer: string) => boolean), bearer: string): boolean {
  return typeof expected === 'string' ? bearer === expected : expected(bearer);
}
