/**
 * JSON paths as analysts read them: `$.evidence[1].ipAddress`, `$.ExtendedProperties["Remote IP"]`.
 * A string that holds JSON (Sentinel's `Entities`, O365's `Data`) is entered through `(json)`:
 * `$.Entities(json)[0].Address`.
 */
export const EMBEDDED_JSON: unique symbol = Symbol('embedded JSON');
export type PathSegment = string | number | typeof EMBEDDED_JSON;

const IDENTIFIER = /^[A-Za-z_$][\w$]*$/;

export function formatPath(segments: readonly PathSegment[]): string {
  let path = '$';
  for (const segment of segments) {
    if (segment === EMBEDDED_JSON) path += '(json)';
    else if (typeof segment === 'number') path += `[${segment}]`;
    else if (IDENTIFIER.test(segment)) path += `.${segment}`;
    else path += `[${JSON.stringify(segment)}]`;
  }
  return path;
}
