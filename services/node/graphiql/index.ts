/**
 * GraphiQL at `/graphiql`, served from the node's own npm packages (graphiql 3 UMD, React 18): a
 * node must be usable without internet, and mercurius' built-in GraphiQL loads from a CDN. The page
 * and its assets are public; the queries it sends carry the token the officer enters.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import fp from 'fastify-plugin'
import { serveLocalPage } from './local-page.ts'
import { type pageScripts, type pageStyles, renderPage } from './page.ts'

const require = createRequire(import.meta.url)
const packageFolder = (name: string) => path.dirname(require.resolve(`${name}/package.json`))

/** Where each asset comes from: an allow-list, so no request path ever reaches the file system. */
function assetFiles(): Record<(typeof pageScripts)[number] | (typeof pageStyles)[number], string> {
  const graphiql = packageFolder('graphiql')
  const ownAssets = path.join(import.meta.dirname, 'assets')
  return {
    'react.production.min.js': path.join(packageFolder('react'), 'umd', 'react.production.min.js'),
    'react-dom.production.min.js': path.join(
      packageFolder('react-dom'),
      'umd',
      'react-dom.production.min.js',
    ),
    'graphiql.min.js': path.join(graphiql, 'graphiql.min.js'),
    'graphiql.min.css': path.join(graphiql, 'graphiql.min.css'),
    'graphiql-page.js': path.join(ownAssets, 'graphiql-page.js'),
    'graphiql-page.css': path.join(ownAssets, 'graphiql-page.css'),
  }
}

export default fp(
  async (app) => {
    await serveLocalPage(app, { path: '/graphiql', html: renderPage(app.config), assets: assetFiles() })
  },
  { name: 'graphiql', dependencies: [] },
)
