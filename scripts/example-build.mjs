// Which workspace packages an example needs built: those it imports, with their own workspace
// dependencies, in dependency order; a package is skipped when its dist/ is newer than every
// input of its build. Used by scripts/example.mjs; tested in examples/express/test/start-script.test.ts.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** What a package's tsup build reads. */
const BUILD_INPUTS = ['src', 'package.json', 'tsup.config.ts', 'tsconfig.json', 'tsconfig.build.json'];

/**
 * The workspace packages `dir` depends on (dependencies, devDependencies excluded), transitively,
 * dependencies first.
 *
 * @param {string} repoDir
 * @param {string} dir an example or package folder
 * @returns {{ name: string, dir: string }[]}
 */
export function workspaceDependencies(repoDir, dir) {
  const byName = new Map(
    readdirSync(join(repoDir, 'packages')).flatMap((folder) => {
      const packageDir = join(repoDir, 'packages', folder);
      const manifest = readManifest(packageDir);
      return manifest ? [[manifest.name, { name: manifest.name, dir: packageDir, manifest }]] : [];
    }),
  );
  /** @type {{ name: string, dir: string }[]} */
  const ordered = [];
  const seen = new Set();
  const visit = (manifest) => {
    const names = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies });
    for (const name of names) {
      const pkg = byName.get(name);
      if (!pkg || seen.has(name)) continue;
      seen.add(name);
      visit(pkg.manifest);
      ordered.push({ name: pkg.name, dir: pkg.dir });
    }
  };
  visit(readManifest(dir));
  return ordered;
}

/**
 * The packages to build before starting the example in `exampleDir`, each with the reason. A
 * package whose dependency is rebuilt is rebuilt too (its type declarations refer to them).
 *
 * @param {string} repoDir
 * @param {string} exampleDir
 * @returns {{ name: string, dir: string, reason: string }[]}
 */
export function packagesToBuild(repoDir, exampleDir) {
  const rebuilt = new Set();
  const result = [];
  for (const pkg of workspaceDependencies(repoDir, exampleDir)) {
    const built = oldestMtime(join(pkg.dir, 'dist'));
    const changed = Math.max(...BUILD_INPUTS.map((input) => newestMtime(join(pkg.dir, input))));
    const manifest = readManifest(pkg.dir);
    const rebuiltDependency = Object.keys({ ...manifest.dependencies, ...manifest.peerDependencies }).find(
      (name) => rebuilt.has(name),
    );
    const reason =
      built === 0
        ? 'no dist/'
        : changed >= built
          ? 'sources newer than dist/'
          : rebuiltDependency
            ? `${rebuiltDependency} was rebuilt`
            : undefined;
    if (reason) {
      rebuilt.add(pkg.name);
      result.push({ ...pkg, reason });
    }
  }
  return result;
}

/** The newest modification time under `path` (0 when it does not exist). */
export function newestMtime(path) {
  return walkMtimes(path, Math.max, 0);
}

/** The oldest modification time of the files under `path` (0 when there are none). */
export function oldestMtime(path) {
  const oldest = walkMtimes(path, Math.min, Number.POSITIVE_INFINITY);
  return Number.isFinite(oldest) ? oldest : 0;
}

function walkMtimes(path, pick, initial) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return initial;
  if (!stat.isDirectory()) return pick(initial, stat.mtimeMs);
  let value = initial;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    value = pick(value, walkMtimes(join(path, entry), pick, initial));
  }
  return value;
}

function readManifest(dir) {
  try {
    return JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  } catch {
    return undefined;
  }
}
