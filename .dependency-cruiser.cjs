// DESIGN.md's dependency rules, checked on the real import graph (type-only imports included) by
// `npm run lint:deps` (scripts/check-dependencies.mjs), which also checks folder-level cycles on the
// same graph collapsed by `collapse` below. Paths are relative to the folder being checked, so the
// same rules run on the repository and on the fixtures in test/fixtures/dependency-rules/.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-test-from-product',
      comment: 'Nothing in src/ or connectors/ imports test/: product code must not depend on test helpers.',
      severity: 'error',
      from: { path: '^(src|connectors)/' },
      to: { path: '^test/' },
    },
    {
      name: 'connector-imports-only-ports',
      comment:
        'connectors/* import from src/ only the sink port (and the descriptor types and setting fields), errors, the HTTP transport, the token provider, ' +
        'the result types and the bounded in-process copy (process-cache.ts); never src/config (a connector gets its options through its descriptor).',
      severity: 'error',
      from: { path: '^connectors/' },
      to: {
        path: '^src/',
        pathNot: '^src/(sinks/(port|connector|setting-fields)\\.ts|errors\\.ts|process-cache\\.ts|http/|auth/|result/)',
      },
    },
    {
      name: 'no-connector-to-connector',
      comment: 'One connector never imports another.',
      severity: 'error',
      from: { path: '^connectors/([^/]+)/' },
      to: { path: '^connectors/', pathNot: '^connectors/$1/' },
    },
    {
      name: 'pipeline-depends-on-interfaces',
      comment: 'The pipeline depends on interfaces, not on Redis, the queue library or HTTP.',
      severity: 'error',
      from: { path: '^src/pipeline(\\.ts$|/)' },
      to: {
        path: ['(^|/)node_modules/(ioredis|bullmq|undici)/', '^(node:)?(http|https|http2)$'],
      },
    },
    {
      name: 'no-unresolvable-imports',
      comment: 'Every import must resolve, otherwise the rules above could not see where it goes.',
      severity: 'error',
      from: { path: '^(src|connectors)/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a folder cycle through types is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '\\.d\\.ts$' },
    enhancedResolveOptions: {
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      exportsFields: ['exports'],
      mainFields: ['module', 'main', 'types', 'typings'],
    },
  },
};
