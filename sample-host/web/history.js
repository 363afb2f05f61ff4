// History: the page's query (site, customer ID, or team and saved dates, and
// the cursor of "Next page") goes to /api/history (SearchHistory). Each site
// has its own History.
'use strict';
(async function () {
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  query.set('site', siteSelect(document.getElementById('site'), false));
  for (const [name, id] of [['customer_id', 'customer-id'], ['team', 'team'], ['from', 'from'],
                            ['until', 'until']]) {
    const value = params.get(name) || '';
    document.getElementById(id).value = value;
    if (value) query.set(name, value);
  }
  if (params.get('cursor')) query.set('cursor', params.get('cursor'));
  const r = await api('GET', '/api/history?' + query.toString());
  if (!r.ok) {
    document.getElementById('status').textContent = 'Error: ' + (r.message || r.code);
    return;
  }
  const body = document.getElementById('rows');
  for (const t of r.transcripts) {
    const row = el('tr', {'data-testid': 'history-row'});
    for (const v of [t.saved_at, t.customer_id || 'guest', t.team || '', t.signed_in ? 'yes' : 'no',
                     t.chat_id, t.visitor_id, t.transcript_id]) row.append(el('td', {}, v));
    body.append(row);
  }
  // The plugin searches by one key: a customer ID covers every team and date.
  const ignored = query.has('customer_id') &&
                  (query.has('team') || query.has('from') || query.has('until'));
  document.getElementById('status').textContent =
      r.transcripts.length + ' transcript(s) on site ' + r.site + '.' +
      (ignored ? ' A customer ID search covers every team and date.' : '');
  if (r.next_cursor) {
    const next = document.getElementById('next');
    query.set('cursor', r.next_cursor);
    next.href = '/agent/history?' + query.toString();
    next.hidden = false;
  }
})();
