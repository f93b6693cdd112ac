// The layering rules CI enforces (`pnpm check:deps`, run by .ci/run after lint). docs/architecture.md
// explains the layers; this file is where they are checked. A rule here fails the build: fix the
// import, or change the rule here deliberately, with the reason beside it.

const CORE = '^packages/core/src/';

// A domain folder is the first folder under core's src/, except `credentials/<x>`, which counts
// as its own folder (passwords, passkeys, totp and oauth are separate domains).
const DOMAIN_FOLDER = `${CORE}(credentials/[^/]+|[^/]+)/`;

// Folders the domain rules do not apply to: the HTTP layer, the composed API (api/: `AuthApi`,
// the sum of the domains' interfaces, and `Auth`, what createAuth returns), config assembly, the
// test kit and the memory adapter sit above the domains and may reach into them; ports/ gathers
// the store slices and row types from the domain folders by design (through their index.ts it
// would be a cycle: every service imports the storage port).
const NOT_DOMAIN_FOLDERS = `${CORE}(http|api|config|testing|memory|ports)/`;

// The kernel every domain may import directly, not through an index.ts: the ports, crypto and
// the root-level errors, call context, request headers, client address and validation helpers (the schema helpers included, which
// the domains' option schemas share).
// Each domain's type file, named after its folder (users/users.ts): the types other domains and
// the store slices share, importing only the kernel and other type files. A pattern with a
// back-reference cannot say "named after its folder" here (the tool joins patterns into one
// expression, renumbering groups), so a domain that adds a type file adds its folder here.
const TYPE_FILES = `${CORE}(${[
  'api-keys',
  'audit',
  'clients',
  'invitations',
  'memberships',
  'outbox',
  'secret-scanning',
  'sessions',
  'sign-in',
  'tenants',
  'tokens',
  'users',
  'credentials/oauth',
  'credentials/passkeys',
]
  .map((folder) => `${folder}/${folder.split('/').at(-1)}`)
  .join('|')})\\.ts$`;

// logging/ is kernel too: every domain logs, through the one redacting event logger.
const KERNEL = `${CORE}(ports/|crypto/|logging/|errors\\.ts$|call-context\\.ts$|request-headers\\.ts$|client-address\\.ts$|validation\\.ts$|json-object-schema\\.ts$|checked-as\\.ts$|http-url-schema\\.ts$|environments\\.ts$)`;

// Core's public entry points: the files behind the package.json `exports` map.
const CORE_PUBLIC = `${CORE}(index\\.ts|(ports|memory|testing)/index\\.ts|authorization/public\\.ts|tokens/public\\.ts)$`;

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment:
        'No import cycle in any package, type-only imports included (tsPreCompilationDeps). ' +
        'Break one by moving shared types into a type file with no imports back.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'domain-not-to-config-http-or-root',
      severity: 'error',
      comment:
        'Domains never import config, http/ or auth.ts: config assembles the domains and auth.ts ' +
        'wires them, so an import back is a cycle waiting to happen. A domain receives its ' +
        'options slice and collaborators as parameters.',
      from: { path: DOMAIN_FOLDER, pathNot: NOT_DOMAIN_FOLDERS },
      to: { path: `${CORE}(config/|config\\.ts$|http/|auth\\.ts$)` },
    },
    {
      name: 'domain-through-index',
      severity: 'error',
      comment:
        "A domain imports another domain only through that domain's index.ts (its public face), " +
        'and the kernel (ports/, crypto/, errors.ts, call-context.ts, request-headers.ts, validation.ts, ' +
        'json-object-schema.ts, checked-as.ts, http-url-schema.ts) directly.',
      // unit tests beside the code test its internals: the rule is for the code itself
      from: { path: DOMAIN_FOLDER, pathNot: [NOT_DOMAIN_FOLDERS, '\\.test\\.ts$'] },
      to: {
        path: CORE,
        pathNot: [
          `${CORE}$1/`,
          `${CORE}(credentials/[^/]+|[^/]+)/index\\.ts$`,
          // a domain's type file (users/users.ts), named after its folder: types only, no imports
          // back (rule domain-type-file-imports-only-types), so importing it directly closes no cycle
          TYPE_FILES,
          KERNEL,
          // covered by domain-not-to-config-http-or-root, reported once there
          `${CORE}(config/|config\\.ts$|http/|auth\\.ts$)`,
        ],
      },
    },
    {
      name: 'domain-type-file-imports-only-types',
      severity: 'error',
      comment:
        "A domain's type file (named after its folder: users/users.ts, sessions/sessions.ts) holds " +
        'the types other domains and the store slices share. It imports only the kernel and other ' +
        'type files, so the domains may import it directly without closing a cycle through a ' +
        'service.',
      from: { path: TYPE_FILES },
      to: { path: CORE, pathNot: [TYPE_FILES, KERNEL] },
    },
    {
      name: 'adapter-src-only-ports-and-testing',
      severity: 'error',
      comment:
        'Adapters implement ports: their source imports @portcullis/core only as ' +
        '@portcullis/core/ports (and /testing), never the root or a file inside core.',
      from: { path: '^packages/adapter-[^/]+/src/' },
      to: { path: '^packages/core/', pathNot: `${CORE}(ports|testing)/index\\.ts$` },
    },
    {
      name: 'adapter-test-only-public-entry-points',
      severity: 'error',
      comment:
        'Adapter tests use core like its users do: /testing (the conformance suites), /ports, /memory ' +
        '(a reference storage) and, for tests that drive createAuth end to end, the root; never a ' +
        'file inside core.',
      from: { path: '^packages/adapter-[^/]+/test/' },
      to: { path: '^packages/core/', pathNot: CORE_PUBLIC },
    },
    {
      name: 'package-only-core-public-entry-points',
      severity: 'error',
      comment:
        'express, nextjs and cli (and anything else outside core) import @portcullis/core ' +
        'through its public entry points (the root and the subpath exports), never a file inside it.',
      from: { path: '^packages/', pathNot: ['^packages/core/', '^packages/adapter-[^/]+/'] },
      to: { path: '^packages/core/', pathNot: CORE_PUBLIC },
    },
    {
      name: 'client-without-server-code',
      severity: 'error',
      comment:
        '@portcullis/client runs in browsers: its source never imports @portcullis/core (its types ' +
        'are generated from the routes instead), so no server code reaches a browser bundle.',
      from: { path: '^packages/client/src/' },
      to: { path: '^packages/core/' },
    },
    {
      name: 'not-to-unresolvable',
      severity: 'error',
      comment:
        'An import the checker cannot resolve is an edge it cannot check: every relative import ' +
        'must resolve, so no cycle or layer violation hides behind a typo.',
      from: {},
      to: { couldNotResolve: true, path: '^\\.' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist|coverage|\\.next)/' },
    // `import type` and `export type … from` are edges too: a type-only cycle still couples the files.
    tsPreCompilationDeps: true,
    // The root tsconfig maps @portcullis/* to the packages' src, so cross-package imports resolve
    // to the source files they stand for and the adapter rules can see which entry point is used.
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default', 'types'],
      extensions: ['.ts', '.tsx', '.js', '.mjs', '.cjs', '.d.ts'],
    },
    reporterOptions: { text: { highlightFocused: true } },
  },
};
