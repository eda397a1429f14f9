/**
 * The tests run on the Node that npm puts first on PATH: the `node` devDependency (Node 24). Its binary
 * comes from an install script, so `npm ci --ignore-scripts` silently leaves scripts on the system
 * Node (20 here), where `.ts` files cannot run. Fail at once with the fix instead of failing obscurely
 * deep inside a suite.
 */

const minimum = { major: 22, minor: 12 }

export function nodeVersionProblem(version: string, execPath: string): string | undefined {
  const [major = 0, minor = 0] = version.split('.').map(Number)
  if (major > minimum.major || (major === minimum.major && minor >= minimum.minor)) return undefined
  return [
    `Jaring needs Node >= ${minimum.major}.${minimum.minor} (Node 24 is the supported version), but this is Node ${version} (${execPath}).`,
    'npm scripts and npx run on the Node 24 that the `node` devDependency installs into node_modules/.bin,',
    'and that binary comes from its install script. Install with scripts enabled and run through npm:',
    '  npm ci          (not `npm ci --ignore-scripts`; `npm rebuild node` repairs an existing install)',
    '  npm test        (or `npx vitest run ...`, never a bare `vitest` from a shell whose `node` is the system one)',
  ].join('\n')
}

export function assertSupportedNode(): void {
  const problem = nodeVersionProblem(process.versions.node, process.execPath)
  if (problem) throw new Error(problem)
}
