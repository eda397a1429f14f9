/*
 * The secretariat's charts. The token is asked for once and kept in sessionStorage (for this tab
 * only, never in localStorage or a cookie). Every figure comes from the node's `statistics` query,
 * over every agency of the federation unless "All agencies" is unticked; suppressed cells are
 * drawn as gaps and counted under each chart, never guessed, and every agency that did not answer
 * is named.
 */
;(() => {
  const storageKey = 'jaring.stats.token'
  const endpoint = new URL('graphql', document.baseURI).href
  const csvEndpoint = new URL('api/v1/statistics.csv', document.baseURI).href
  const $ = (id) => document.getElementById(id)
  const charts = {}
  const palette = ['#1f6f8b', '#e07a5f', '#3d9970', '#8e6cc0', '#d4a017', '#5c6770', '#c2185b', '#00897b']

  const query = `query Statistics($measures: [StatisticsMeasure!]!, $groupBy: [StatisticsDimension!], $filter: StatisticsFilter, $reach: Reach) {
  statistics(measures: $measures, groupBy: $groupBy, filter: $filter, reach: $reach) {
    tables { agency minimumCell cells { measure agency crimeCategory month value suppressed complete } }
    merged { agencies cells { measure crimeCategory month value suppressed complete } }
    peers { agency status code }
  }
}`

  const requests = {
    categories: { measures: ['CASES_OPENED'], groupBy: ['AGENCY', 'CRIME_CATEGORY'] },
    months: { measures: ['CASES_OPENED', 'CASES_CLOSED'], groupBy: ['MONTH'] },
    persons: { measures: ['PERSONS_AT_RISK', 'PERSONS_RESCUED', 'PERSONS_REPATRIATED'], groupBy: ['MONTH'] },
  }
  const labels = {
    CASES_OPENED: 'Cases opened',
    CASES_CLOSED: 'Cases closed',
    PERSONS_AT_RISK: 'Persons at risk',
    PERSONS_RESCUED: 'Persons rescued',
    PERSONS_REPATRIATED: 'Persons repatriated',
  }

  const token = () => sessionStorage.getItem(storageKey)
  const federated = () => $('federation').checked

  function filter() {
    const value = {}
    if ($('from-month').value) value.fromMonth = $('from-month').value
    if ($('to-month').value) value.toMonth = $('to-month').value
    const categories = [...$('categories').selectedOptions].map((option) => option.value)
    if (categories.length > 0) value.crimeCategories = categories
    return value
  }

  async function statistics(request) {
    const response = await fetch(endpoint, {
      method: 'POST',
      credentials: 'omit',
      headers: {
        accept: 'application/json',
        'content-type': 'application/json',
        authorization: `Bearer ${token()}`,
        'mercurius-require-preflight': 'true',
      },
      body: JSON.stringify({
        query,
        variables: { ...request, filter: filter(), ...(federated() ? { reach: { all: true } } : {}) },
      }),
    })
    const body = await response.json()
    if (body.errors?.length) {
      const error = body.errors[0]
      throw new Error(`${error.extensions?.code ?? 'ERROR'}: ${error.message}`)
    }
    return body.data.statistics
  }

  const cellsOf = (result) =>
    result.tables.flatMap((table) =>
      table.cells.map((cell) => ({ ...cell, agency: cell.agency ?? table.agency })),
    )
  const minimumOf = (result) => Math.max(0, ...result.tables.map((table) => table.minimumCell))

  function note(id, cells, result) {
    const suppressed = cells.filter((cell) => cell.suppressed).length
    const incomplete = cells.filter((cell) => !cell.suppressed && !cell.complete).length
    const parts = []
    if (suppressed)
      parts.push(`${suppressed} cell(s) suppressed (counts under ${minimumOf(result)} never leave a node)`)
    if (incomplete) parts.push(`${incomplete} value(s) leave out suppressed counts and are lower bounds`)
    $(id).textContent = parts.length ? `${parts.join('; ')}.` : 'No cell suppressed.'
  }

  function draw(id, config) {
    charts[id]?.destroy()
    charts[id] = new Chart($(id), config)
  }

  const baseOptions = {
    responsive: true,
    animation: false,
    spanGaps: false,
    scales: { y: { beginAtZero: true } },
  }

  function drawCategories(result) {
    const cells = cellsOf(result)
    const categories = [...new Set(cells.map((cell) => cell.crimeCategory))].sort()
    const agencies = [...new Set(cells.map((cell) => cell.agency))].sort()
    draw('chart-categories', {
      type: 'bar',
      data: {
        labels: categories,
        datasets: agencies.map((agency, index) => ({
          label: agency,
          backgroundColor: palette[index % palette.length],
          data: categories.map(
            (category) =>
              cells.find((cell) => cell.agency === agency && cell.crimeCategory === category)?.value ?? null,
          ),
        })),
      },
      options: baseOptions,
    })
    note('note-categories', cells, result)
  }

  function drawMonths(id, noteId, result, measures) {
    // The node's merge: every agency's released values summed per month, suppressed parts marked.
    const cells = result.merged.cells
    const months = [...new Set(cells.map((cell) => cell.month))].sort()
    const merged = (measure, month) =>
      cells.find((cell) => cell.measure === measure && cell.month === month)?.value ?? null
    draw(id, {
      type: 'line',
      data: {
        labels: months,
        datasets: measures.map((measure, index) => ({
          label: labels[measure],
          borderColor: palette[index % palette.length],
          backgroundColor: palette[index % palette.length],
          data: months.map((month) => merged(measure, month)),
        })),
      },
      options: baseOptions,
    })
    note(noteId, cells, result)
  }

  async function refresh() {
    $('status').textContent = 'Loading…'
    document.body.dataset.state = 'loading'
    try {
      const [categories, months, persons] = await Promise.all([
        statistics(requests.categories),
        statistics(requests.months),
        statistics(requests.persons),
      ])
      $('charts').hidden = false
      drawCategories(categories)
      drawMonths('chart-months', 'note-months', months, requests.months.measures)
      drawMonths('chart-persons', 'note-persons', persons, requests.persons.measures)
      const silent = categories.peers.filter((peer) => peer.status !== 'ANSWERED')
      $('agencies').textContent =
        `Agencies counted: ${categories.merged.agencies.join(', ')}.` +
        (silent.length
          ? ` Not counted: ${silent.map((peer) => `${peer.agency} (${peer.status}${peer.code ? `, ${peer.code}` : ''})`).join(', ')}.`
          : '')
      $('status').textContent = ''
      document.body.dataset.state = 'ready'
    } catch (error) {
      $('status').textContent = `The statistics could not be loaded: ${error.message}`
      document.body.dataset.state = 'error'
    }
  }

  async function downloadCsv() {
    const parameters = new URLSearchParams()
    for (const measure of [
      ...requests.categories.measures,
      ...requests.months.measures.slice(1),
      ...requests.persons.measures,
    ])
      parameters.append('measures', measure)
    for (const dimension of ['AGENCY', 'CRIME_CATEGORY', 'MONTH']) parameters.append('groupBy', dimension)
    const current = filter()
    if (current.fromMonth) parameters.set('fromMonth', current.fromMonth)
    if (current.toMonth) parameters.set('toMonth', current.toMonth)
    for (const category of current.crimeCategories ?? []) parameters.append('crimeCategories', category)
    if (federated()) parameters.append('reach', 'all')
    const response = await fetch(`${csvEndpoint}?${parameters}`, {
      credentials: 'omit',
      headers: { accept: 'text/csv', authorization: `Bearer ${token()}` },
    })
    if (!response.ok) {
      $('status').textContent = `The CSV could not be downloaded (${response.status}).`
      return
    }
    const link = document.createElement('a')
    link.href = URL.createObjectURL(await response.blob())
    link.download = 'statistics.csv'
    link.click()
    URL.revokeObjectURL(link.href)
  }

  function showCharts() {
    $('token-form').hidden = true
    $('token-set').hidden = false
    $('filters').hidden = false
    refresh()
  }

  function askForToken() {
    $('token-set').hidden = true
    $('filters').hidden = true
    $('charts').hidden = true
    $('token-form').hidden = false
    $('token').focus()
  }

  document.addEventListener('DOMContentLoaded', () => {
    $('token-form').addEventListener('submit', (event) => {
      event.preventDefault()
      const value = $('token').value.trim()
      if (!value) return
      sessionStorage.setItem(storageKey, value)
      $('token').value = ''
      showCharts()
    })
    $('token-forget').addEventListener('click', () => {
      sessionStorage.removeItem(storageKey)
      for (const chart of Object.values(charts)) chart.destroy()
      askForToken()
    })
    $('filters').addEventListener('submit', (event) => {
      event.preventDefault()
      refresh()
    })
    $('download-csv').addEventListener('click', () => downloadCsv())
    if (token()) showCharts()
    else askForToken()
  })
})()
