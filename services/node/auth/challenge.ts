/**
 * RFC 6750 `WWW-Authenticate` challenges: no token, a bad token, or a token without the scope.
 * The auth plugin sets the header itself, so that a route with its own error handler (mercurius)
 * answers with the same challenge as the node's REST error handler.
 */
export function authenticationChallenge(code: string, status: number): string | undefined {
  if (code === 'UNAUTHENTICATED') return 'Bearer realm="jaring"'
  if (status === 401) return `Bearer realm="jaring", error="invalid_token", error_description="${code}"`
  if (code === 'FORBIDDEN' || code === 'INTROSPECTION_FORBIDDEN')
    return 'Bearer realm="jaring", error="insufficient_scope"'
  return undefined
}
