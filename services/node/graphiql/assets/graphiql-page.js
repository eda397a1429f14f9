/*
 * Starts GraphiQL once a bearer token is known. The token is asked for once and kept in
 * sessionStorage: it lasts as long as the tab and is never written to localStorage, a cookie or
 * GraphiQL's header editor. GraphiQL's own state (tabs, history: queries may name persons) is kept
 * for the tab only as well, not in localStorage where the next user of the workstation would find it.
 */
;(() => {
  const storageKey = 'jaring.graphiql.token'
  const endpoint = new URL('graphql', document.baseURI).href
  const defaultQuery = `# Write a query, then run it (Ctrl-Enter).
{
  cases(first: 5) {
    nodes {
      id
      title
      crimeCategory
      status
    }
  }
}
`

  const form = document.getElementById('jaring-token-form')
  const input = document.getElementById('jaring-token')
  const tokenSet = document.getElementById('jaring-token-set')
  const forget = document.getElementById('jaring-token-forget')
  const container = document.getElementById('jaring-graphiql')
  let root = null

  const storedToken = () => sessionStorage.getItem(storageKey)

  const graphiqlKeys = () => Object.keys(sessionStorage).filter((key) => key.startsWith('graphiql:'))
  const graphiqlStorage = {
    getItem: (key) => sessionStorage.getItem(key),
    setItem: (key, value) => sessionStorage.setItem(key, value),
    removeItem: (key) => sessionStorage.removeItem(key),
    get length() {
      return graphiqlKeys().length
    },
    clear() {
      for (const key of graphiqlKeys()) sessionStorage.removeItem(key)
    },
  }

  async function fetcher(params, options) {
    const response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'omit',
      headers: {
        ...(options?.headers ?? {}),
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${storedToken()}`,
        // mercurius' CSRF prevention accepts a request that carries this header.
        'mercurius-require-preflight': 'true',
      },
      body: JSON.stringify(params),
    })
    return response.json()
  }

  function showGraphiQL() {
    form.hidden = true
    tokenSet.hidden = false
    root = ReactDOM.createRoot(container)
    root.render(
      React.createElement(GraphiQL, {
        fetcher,
        defaultQuery,
        storage: graphiqlStorage,
        shouldPersistHeaders: false,
        defaultEditorToolsVisibility: false,
      }),
    )
  }

  function askForToken() {
    tokenSet.hidden = true
    form.hidden = false
    input.focus()
  }

  form.addEventListener('submit', (event) => {
    event.preventDefault()
    const token = input.value.trim().replace(/^Bearer\s+/i, '')
    if (!token) return
    sessionStorage.setItem(storageKey, token)
    input.value = ''
    showGraphiQL()
  })

  forget.addEventListener('click', () => {
    sessionStorage.removeItem(storageKey)
    root?.unmount()
    root = null
    askForToken()
  })

  if (storedToken()) showGraphiQL()
  else askForToken()
})()
