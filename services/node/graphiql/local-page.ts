/**
 * Serves a browser page and its assets from this node alone (no CDN, so it works offline): the page
 * at `path`, each asset at `path/assets/<name>` from files read once at start, under the strict
 * security headers of page.ts. GraphiQL and the statistics page both go through here.
 */
import { readFile } from 'node:fs/promises'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { securityHeaders } from './page.ts'

const contentTypes = { '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8' } as const

export async function serveLocalPage(
  app: FastifyInstance,
  page: { path: string; html: string; assets: Record<string, string> },
): Promise<void> {
  const assets = new Map(
    await Promise.all(
      Object.entries(page.assets).map(
        async ([name, file]) =>
          [
            name,
            {
              body: await readFile(file),
              contentType: contentTypes[path.extname(name) as keyof typeof contentTypes],
            },
          ] as const,
      ),
    ),
  )
  app.get(page.path, { config: { public: true } }, async (_request, reply) => {
    reply.headers(securityHeaders).header('cache-control', 'no-store').type('text/html; charset=utf-8')
    return page.html
  })
  app.get<{ Params: { name: string } }>(
    `${page.path}/assets/:name`,
    { config: { public: true } },
    async (request, reply) => {
      const asset = assets.get(request.params.name)
      if (!asset) return reply.callNotFound()
      reply.headers(securityHeaders)
      // The files change only with an upgrade of the node, which restarts it.
      reply.header('cache-control', 'public, max-age=3600').type(asset.contentType)
      return asset.body
    },
  )
}
