// A vitest environment: happy-dom's DOM, but Node's own fetch, Request, Response and Headers.
// The React and client tests run the real Portcullis handler in the same process as the DOM, and
// happy-dom's fetch classes behave as a browser's do towards page scripts: they drop `Cookie`,
// `Origin` and `Set-Cookie`, which the handler and the tests' cookie jar need. The page code
// under test only calls the `fetch` the test hands it, so nothing in it depends on which classes
// these are. Use with `// @vitest-environment ./test-support/happy-dom-node-fetch.ts`.
import { builtinEnvironments, type Environment } from 'vitest/runtime';

const NODE_GLOBALS = [
  'fetch',
  'Request',
  'Response',
  'Headers',
  'FormData',
  'AbortController',
  'AbortSignal',
] as const;

export default {
  name: 'happy-dom-node-fetch',
  viteEnvironment: 'client',
  async setup(global, options) {
    const kept = Object.fromEntries(NODE_GLOBALS.map((name) => [name, global[name]]));
    const environment = await builtinEnvironments['happy-dom'].setup(global, options);
    Object.assign(global, kept);
    return environment;
  },
} satisfies Environment;
