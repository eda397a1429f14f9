/**
 * The secretariat's chart page at `/stats`: a token form, filters, three charts and a CSV
 * download, drawn with Chart.js served from the node's own npm package (a node must work without
 * internet). No inline script or style, so the Content-Security-Policy can allow this origin alone.
 * The page and its assets are public; the statistics it asks for carry the token entered.
 */
import { createRequire } from 'node:module'
import path from 'node:path'
import type { FastifyInstance } from 'fastify'
import { crimeCategories } from '../../../schema/vocabulary.ts'
import { serveLocalPage } from '../graphiql/local-page.ts'

const require = createRequire(import.meta.url)

export const statsScripts = ['chart.umd.min.js', 'stats-page.js'] as const
export const statsStyles = ['stats-page.css'] as const

/** Where each asset comes from: an allow-list, so no request path ever reaches the file system. */
function assetFiles(): Record<(typeof statsScripts)[number] | (typeof statsStyles)[number], string> {
  // chart.js exports no package.json; its CommonJS entry sits in the same dist/ folder as the UMD build.
  const chartDist = path.dirname(require.resolve('chart.js'))
  const ownAssets = path.join(import.meta.dirname, 'assets')
  return {
    'chart.umd.min.js': path.join(chartDist, 'chart.umd.min.js'),
    'stats-page.js': path.join(ownAssets, 'stats-page.js'),
    'stats-page.css': path.join(ownAssets, 'stats-page.css'),
  }
}

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}
const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character)

const categoryLabel = (category: string) =>
  category.charAt(0) + category.slice(1).toLowerCase().replaceAll('_', ' ')

/** Addresses are relative (`stats/assets/...`, `graphql`), so a node under a path prefix works unchanged. */
export function renderStatsPage(node: { agency: string; name: string }): string {
  const styles = statsStyles.map((name) => `<link rel="stylesheet" href="stats/assets/${name}">`)
  const scripts = statsScripts.map((name) => `<script defer src="stats/assets/${name}"></script>`)
  const options = crimeCategories
    .map((category) => `<option value="${category}">${escapeHtml(categoryLabel(category))}</option>`)
    .join('\n')
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>Jaring statistics · ${escapeHtml(node.agency)}</title>
${styles.join('\n')}
${scripts.join('\n')}
</head>
<body>
<header class="bar">
<span><strong>Jaring statistics</strong> ${escapeHtml(node.agency)} · ${escapeHtml(node.name)}</span>
<form id="token-form" class="token-form" hidden>
<label for="token">Bearer token</label>
<input id="token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Use token</button>
</form>
<span id="token-set" hidden>Token kept for this tab only. <button id="token-forget" type="button">Forget token</button></span>
</header>
<form id="filters" class="filters" hidden>
<label>From month <input id="from-month" name="fromMonth" type="month"></label>
<label>To month <input id="to-month" name="toMonth" type="month"></label>
<label>Crime categories <select id="categories" name="crimeCategories" multiple size="4">
${options}
</select></label>
<label><input id="federation" name="federation" type="checkbox" checked> All agencies</label>
<button type="submit">Apply</button>
<button id="download-csv" type="button">Download CSV</button>
</form>
<p id="status" class="status" role="status"></p>
<p id="agencies" class="status"></p>
<main id="charts" class="charts" hidden>
<section><h2>Cases opened by crime category and agency</h2><canvas id="chart-categories"></canvas><p class="note" id="note-categories"></p></section>
<section><h2>Cases opened and closed per month</h2><canvas id="chart-months"></canvas><p class="note" id="note-months"></p></section>
<section><h2>Persons at risk, rescued and repatriated per month</h2><canvas id="chart-persons"></canvas><p class="note" id="note-persons"></p></section>
</main>
<noscript>The statistics page needs JavaScript.</noscript>
</body>
</html>
`
}

export async function statisticsPage(app: FastifyInstance): Promise<void> {
  await serveLocalPage(app, { path: '/stats', html: renderStatsPage(app.config), assets: assetFiles() })
}
