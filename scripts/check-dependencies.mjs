// DESIGN.md's dependency rules on the import graph that dependency-cruiser builds (type-only imports
// included): the module rules of .dependency-cruiser.cjs, and no folder-level import cycles, where
// each folder directly under src/ or connectors/ and each file at their roots is one node.
// dependency-cruiser's own no-circular rule sees module cycles only, so the folder check collapses
// the graph with dependency-cruiser's `collapse` and looks for strongly connected components.
//
// usage: node scripts/check-dependencies.mjs [PROJECT_DIR] [--graph]
//   PROJECT_DIR  the tree to check (default: this repository); its src/ and connectors/ are cruised
//   --graph      print the folder graph (one line per folder with what it imports) and exit 0
// Exit 1 when any rule is broken.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise, format } from 'dependency-cruiser';
import extractDepcruiseOptions from 'dependency-cruiser/config-utl/extract-depcruise-options';
import extractTSConfig from 'dependency-cruiser/config-utl/extract-ts-config';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const showGraph = args.includes('--graph');
const projectDir = path.resolve(args.find((a) => !a.startsWith('--')) ?? repo);
const FOLDER_PATTERN = '^(src|connectors)/[^/]+(/|$)';

const options = await extractDepcruiseOptions(path.join(repo, '.dependency-cruiser.cjs'));
const tsConfigFile = path.join(repo, 'tsconfig.json');
const roots = ['src', 'connectors'].filter((top) => existsSync(path.join(projectDir, top)));
const { output } = await cruise(
  roots,
  { ...options, baseDir: projectDir, outputType: 'json', tsConfig: { fileName: tsConfigFile } },
  {},
  { tsConfig: extractTSConfig(tsConfigFile) },
);
const result = typeof output === 'string' ? JSON.parse(output) : output;

const folderName = (source) => source.replace(/\/$/, '');
const isFolderNode = (source) => new RegExp(FOLDER_PATTERN).test(source);
const collapsed = JSON.parse((await format(result, { outputType: 'json', collapse: FOLDER_PATTERN })).output);
/** @type {Map<string, Set<string>>} */
const edges = new Map();
for (const module of collapsed.modules) {
  if (!isFolderNode(module.source)) continue;
  const targets = module.dependencies.filter((d) => isFolderNode(d.resolved)).map((d) => folderName(d.resolved));
  edges.set(folderName(module.source), new Set(targets));
}

if (showGraph) {
  for (const [from, to] of [...edges].sort(([a], [b]) => a.localeCompare(b))) {
    console.log(`${from} -> ${[...to].sort().join(', ') || '(nothing)'}`);
  }
  process.exit(0);
}

// Tarjan's strongly connected components; a component of more than one folder is a cycle.
const cycles = [];
{
  let next = 0;
  const index = new Map(), low = new Map(), stack = [], onStack = new Set();
  const visit = (v) => {
    index.set(v, next); low.set(v, next); next++; stack.push(v); onStack.add(v);
    for (const w of edges.get(v) ?? []) {
      if (!index.has(w)) { visit(w); low.set(v, Math.min(low.get(v), low.get(w))); }
      else if (onStack.has(w)) low.set(v, Math.min(low.get(v), index.get(w)));
    }
    if (low.get(v) === index.get(v)) {
      const component = [];
      let w;
      do { w = stack.pop(); onStack.delete(w); component.push(w); } while (w !== v);
      if (component.length > 1) cycles.push(component.sort());
    }
  };
  for (const v of edges.keys()) if (!index.has(v)) visit(v);
}

const folderOf = (file) => folderName(new RegExp(FOLDER_PATTERN).exec(file)?.[0] ?? file);
for (const cycle of cycles) {
  console.log(`error no-folder-cycles: ${cycle.join(' <-> ')}`);
  const members = new Set(cycle);
  // The module imports that make up the cycle: the list of things to move or invert.
  for (const module of result.modules) {
    const from = folderOf(module.source);
    if (!members.has(from)) continue;
    for (const d of module.dependencies) {
      const to = folderOf(d.resolved);
      if (to !== from && members.has(to)) {
        console.log(`    ${module.source} → ${d.resolved}${d.dependencyTypes.includes('type-only') ? ' (type-only)' : ''}`);
      }
    }
  }
}

const ruleReport = await format(result, { outputType: 'err' });
process.stdout.write(ruleReport.output);
const ruleErrors = result.summary.error;
console.log(`folder cycles: ${cycles.length}, module rule violations: ${ruleErrors}`);
process.exit(cycles.length === 0 && ruleErrors === 0 ? 0 : 1);
