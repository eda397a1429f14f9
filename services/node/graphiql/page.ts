/**
 * The GraphiQL page: a token form and GraphiQL, from local files only (a node must work without
 * internet). No inline script or style, so the Content-Security-Policy can allow this origin alone.
 */

/** Scripts in load order: React, ReactDOM, GraphiQL (a UMD build reading both globals), the page. */
export const pageScripts = [
  'react.production.min.js',
  'react-dom.production.min.js',
  'graphiql.min.js',
  'graphiql-page.js',
] as const
export const pageStyles = ['graphiql.min.css', 'graphiql-page.css'] as const

/**
 * GraphiQL's fonts are data: URLs in its CSS; its editors set styles through the DOM, which a
 * style-src of 'self' allows. Its dialogs (settings, shortcuts) try to add a <style> element that
 * locks the page's scrolling: the policy blocks it, and the page, which never scrolls, looks the same.
 */
const contentSecurityPolicy = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ')

/** Headers for the page and its assets. */
export const securityHeaders = {
  'content-security-policy': contentSecurityPolicy,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
} as const

const htmlEscapes: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => htmlEscapes[character] ?? character)
}

/**
 * The page. Asset and endpoint addresses are relative (`graphiql/assets/...`, `graphql`), so a
 * node served under a path prefix works unchanged.
 */
export function renderPage(node: { agency: string; name: string }): string {
  const title = `Jaring GraphiQL · ${escapeHtml(node.agency)}`
  const styles = pageStyles.map((name) => `<link rel="stylesheet" href="graphiql/assets/${name}">`)
  const scripts = pageScripts.map((name) => `<script defer src="graphiql/assets/${name}"></script>`)
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<link rel="icon" href="data:,">
<title>${title}</title>
${styles.join('\n')}
${scripts.join('\n')}
</head>
<body>
<header class="jaring-bar">
<span class="jaring-node"><strong>Jaring</strong> ${escapeHtml(node.agency)} · ${escapeHtml(node.name)}</span>
<form id="jaring-token-form" class="jaring-token-form" hidden>
<label for="jaring-token">Bearer token</label>
<input id="jaring-token" name="token" type="password" autocomplete="off" spellcheck="false" required>
<button type="submit">Use token</button>
</form>
<span id="jaring-token-set" class="jaring-token-set" hidden>Token kept for this tab only.
<button id="jaring-token-forget" type="button">Forget token</button></span>
</header>
<main id="jaring-graphiql" class="jaring-graphiql"></main>
<noscript>GraphiQL needs JavaScript.</noscript>
</body>
</html>
`
}
