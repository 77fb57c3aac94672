import type { WorkMeter } from './work-meter.js';

/**
 * Undoes the defanging analysts and threat reports apply to indicators so they cannot be clicked:
 * `1.2.3[.]4`, `1(.)2`, `1{.}2`, `1[dot]2`, `2001[:]db8`, `hxxp[://]`, and, between two digits
 * only, the forms iocextract and ioc-extractor also read: a bracket on one side (`203[.0`,
 * `51.]100`), brackets of mixed kinds (`9.)9[.9`), and escaped dots (`203\.0`, `203\\.0` in JSON
 * text held in a string). Between digits because `foo\.bar`, `f(.5)` or `a[.x` are prose and
 * code: a dot between digits is only ever a number's or an address's, and the scanner still
 * demands four valid octets with clean boundaries. A bare ` dot ` or ` . ` is left alone.
 * (Replacement strings rather than a callback: V8 runs them natively, many times faster.)
 */
const DEFANGED_DOT = /[[({]\s*(?:\.|dot)\s*[\])}]/gi;
/**
 * A dot between digits with an opening bracket before it, a closing one after it, or one to four
 * backslashes before it (one per level of JSON string encoding: `\.`, `\\.`, `\\\\.`).
 */
const DEFANGED_DIGIT_DOT = /(?<=\d)(?:[[({]\\{0,4}\.[\])}]?|\\{1,4}\.[\])}]?|\.[\])}])(?=\d)/g;
const DEFANGED_COLON = /[[({]\s*(:|:\/\/)\s*[\])}]/g;
/** Characters without which no defang above can be present: the check that keeps most strings cheap. */
const DEFANG_MARK = /[[\](){}\\]/;
/** A digit before an opening bracket or a backslash, or a closing bracket before a digit: a digit-dot defang may follow. */
const DIGIT_DEFANG_MARK = /\d[[({\\]|[\])}]\d/;

export function refang(text: string, meter?: WorkMeter): string {
  if (meter) meter.characters += text.length;
  if (!DEFANG_MARK.test(text)) return text;
  let refanged = text;
  if (text.indexOf('[') !== -1 || text.indexOf('(') !== -1 || text.indexOf('{') !== -1) {
    if (meter) meter.characters += 2 * text.length;
    refanged = refanged.replace(DEFANGED_DOT, '.').replace(DEFANGED_COLON, '$1');
  }
  if (meter) meter.characters += refanged.length;
  // The rarer digit forms pay for their pass only where one may be.
  return DIGIT_DEFANG_MARK.test(refanged) ? refanged.replace(DEFANGED_DIGIT_DOT, '.') : refanged;
}
