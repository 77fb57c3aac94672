/**
 * Counts the work a text scan does, so a test can check that it grows linearly with the input
 * without timing it (timings flake on a loaded machine). Every whole-text pass adds the
 * characters it covers; every candidate the scanner checks by hand adds one.
 */
export interface WorkMeter {
  /** Characters covered by passes over the text: refanging, the header search, the candidate search. */
  characters: number;
  /** Candidate positions examined. */
  candidates: number;
}

export function newWorkMeter(): WorkMeter {
  return { characters: 0, candidates: 0 };
}
