import { DockerfileParser, ModifiableInstruction, PropertyInstruction, type Instruction } from 'dockerfile-ast';

/**
 * The Dockerfile as stages of instructions, read with dockerfile-ast (the parser of the VS Code
 * Docker language server), so the checks see what BuildKit sees: flags, exec and shell forms,
 * line continuations.
 */
export interface Stage {
  readonly name: string | undefined;
  /** The base image with build arguments replaced by their defaults (`${NODE_IMAGE}` → `node:22-…`). */
  readonly image: string;
  /** The FROM argument as written. */
  readonly from: string;
  readonly instructions: readonly Instruction[];
}

export interface CopyStep {
  /** The stage copied from (`--from`), or undefined for the build context. */
  readonly from: string | undefined;
  readonly sources: readonly string[];
  readonly dest: string;
  /** 1-based line, for messages. */
  readonly line: number;
}

export function parseStages(text: string): Stage[] {
  const stages: { name: string | undefined; image: string; from: string; instructions: Instruction[] }[] = [];
  const globalArgs = new Map<string, string>();
  for (const instruction of DockerfileParser.parse(text).getInstructions()) {
    // An ARG before the first FROM is a build argument FROM lines may use (`FROM ${NODE_IMAGE}`).
    if (stages.length === 0 && instruction.getKeyword() === 'ARG' && instruction instanceof PropertyInstruction) {
      for (const property of instruction.getProperties()) globalArgs.set(property.getName(), property.getValue() ?? '');
      continue;
    }
    if (instruction.getKeyword() === 'FROM') {
      const [from = '', as, name] = instruction.getArguments().map((argument) => argument.getValue());
      const image = from.replace(/\$\{(\w+)\}|\$(\w+)/g, (_, braced: string | undefined, bare: string | undefined) => globalArgs.get(braced ?? bare ?? '') ?? '');
      stages.push({ image, from, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    }
    const current = stages.at(-1);
    if (!current) throw new Error(`line ${lineOf(instruction)}: ${instruction.getKeyword()} before the first FROM`);
    current.instructions.push(instruction);
  }
  return stages;
}

function lineOf(instruction: Instruction): number {
  return instruction.getRange().start.line + 1;
}

export function instructionsOf(stage: Stage, keyword: string): Instruction[] {
  return stage.instructions.filter((instruction) => instruction.getKeyword() === keyword);
}

/** The value of a `--name=value` flag, or undefined. */
export function flagOf(instruction: Instruction, name: string): string | undefined {
  if (!(instruction instanceof ModifiableInstruction)) return undefined;
  return instruction.getFlags().find((flag) => flag.getName() === name)?.getValue() ?? undefined;
}

export function copyStepsOf(stage: Stage): CopyStep[] {
  return instructionsOf(stage, 'COPY').map((instruction) => {
    const args = instruction.getArguments().map((argument) => argument.getValue());
    const dest = args.pop();
    if (dest === undefined || args.length === 0) throw new Error(`line ${lineOf(instruction)}: COPY needs a source and a destination`);
    return { from: flagOf(instruction, 'from'), sources: args, dest, line: lineOf(instruction) };
  });
}

/** Every value of a repeatable flag such as RUN's `--mount`. */
export function flagsOf(instruction: Instruction, name: string): string[] {
  if (!(instruction instanceof ModifiableInstruction)) return [];
  return instruction
    .getFlags()
    .filter((flag) => flag.getName() === name)
    .map((flag) => flag.getValue() ?? '');
}

/** The shell command of each RUN, without its flags (`--mount=…`). */
export function runCommandsOf(stage: Stage): string[] {
  return instructionsOf(stage, 'RUN').map((instruction) => (instruction.getArgumentsContent() ?? '').replace(/\\\n\s*/g, ' ').trim());
}

/** The exec (JSON) form of ENTRYPOINT, CMD or HEALTHCHECK CMD; undefined for the shell form. */
export function execFormOf(instruction: Instruction): string[] | undefined {
  const content = (instruction.getArgumentsContent() ?? '').replace(/^CMD\s+/, '').trim();
  if (!content.startsWith('[')) return undefined;
  const parsed: unknown = JSON.parse(content);
  return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
}

/** Name and value of every ENV and ARG (both forms: `NAME=value` and `NAME value`). */
export function propertiesOf(stage: Stage): { keyword: string; name: string; value: string | null; line: number }[] {
  const found: { keyword: string; name: string; value: string | null; line: number }[] = [];
  for (const instruction of stage.instructions) {
    if (!(instruction instanceof PropertyInstruction) || !['ENV', 'ARG'].includes(instruction.getKeyword())) continue;
    for (const property of instruction.getProperties()) {
      found.push({ keyword: instruction.getKeyword(), name: property.getName(), value: property.getValue(), line: lineOf(instruction) });
    }
  }
  return found;
}

/** Seconds of a Docker duration such as `30s`, `1m30s`, `500ms`. */
export function durationSeconds(text: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001 };
  let total = 0;
  let rest = text;
  while (rest.length > 0) {
    const match = /^(\d+(?:\.\d+)?)(ms|h|m|s)/.exec(rest);
    if (!match?.[1] || !match[2]) throw new Error(`not a Docker duration: ${text}`);
    total += Number(match[1]) * (units[match[2]] ?? 0);
    rest = rest.slice(match[0].length);
  }
  return total;
}
