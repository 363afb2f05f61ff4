// The agent console: the visitor list (refreshed every 3 s), the selected
// chat's Info tab, Pre-Chat and Custom Variables (VisitorInfoWillRender),
// its messages (long poll), replies and "End chat" (TranscriptWillBeSaved).
// The list shows one site's chats (?site=) or every site's; each chat keeps
// the site it was opened on.
'use strict';
const site = siteSelect(document.getElementById('site'), true);
const manySites = (document.body.dataset.sites || '').split(' ').filter(Boolean).length > 1;
let selected = null;
let generation = 0;
let shown = '';
let poll = null;

async function refreshList() {
  let r;
  try {
    r = await api('GET', '/api/agent/chats' + (site ? '?site=' + encodeURIComponent(site) : ''));
  } catch {
    return;
  }
  if (!r.ok) return;
  // Rebuilt only on change, so keyboard focus in the list survives the refresh.
  const key = JSON.stringify([selected, r.chats]);
  if (key === shown) return;
  shown = key;
  const list = document.getElementById('visitors');
  const focused = list.contains(document.activeElement) ? document.activeElement.dataset.chat : null;
  list.replaceChildren();
  for (const c of r.chats) {
    const row = el('li', {'data-testid': 'visitor-row'});
    const button = el('button', {type: 'button', class: c.chat === selected ? '' : 'secondary',
                                 'aria-pressed': String(c.chat === selected)},
                      [manySites ? c.site : '', c.customer_id ? 'Customer ' + c.customer_id : 'Guest',
                       c.visitor, c.status, c.team].filter(Boolean).join(' · '));
    button.dataset.chat = c.chat;
    button.addEventListener('click', () => select(c.chat));
    row.append(button);
    list.append(row);
    if (c.chat === focused) button.focus();
  }
}

async function loadDetail() {
  const r = await api('GET', '/api/agent/chat?chat=' + encodeURIComponent(selected));
  if (!r.ok) return;
  document.getElementById('d-chat').textContent = r.chat;
  document.getElementById('d-status').textContent = '(' + r.status + ')';
  document.getElementById('d-site').textContent = r.site;
  const info = r.info || {name: '', customer_id: null, verified: false};
  document.getElementById('info-name').textContent = info.name || 'Guest';
  document.getElementById('info-cid').textContent = info.customer_id || '';
  document.getElementById('info-cid-label').hidden = !info.customer_id;
  const v = document.getElementById('info-verified');
  v.textContent = info.verified ? '✔ verified by ' + info.idp_entity_id : 'not verified';
  v.className = info.verified ? 'verified' : 'unverified';
  document.getElementById('team').textContent = r.team || 'no team (routed as usual)';
  document.getElementById('rule').textContent =
      r.rule ? '(' + r.rule + (r.rule_text ? ': ' + r.rule_text : '') + ')' : '';
  fillFields(document.getElementById('prechat'), r.prechat_section);
  fillFields(document.getElementById('vars'), r.custom_variables);
  document.getElementById('end').disabled = r.status === 'ended';
}

async function select(chat) {
  selected = chat;
  const mine = ++generation;
  // Browsers allow few connections per host: drop the previous chat's poll.
  if (poll) poll.abort();
  poll = new AbortController();
  const signal = poll.signal;
  document.getElementById('detail').hidden = false;
  document.getElementById('result').textContent = '';
  document.getElementById('messages').replaceChildren();
  await loadDetail();
  refreshList();
  let after = 0;
  while (mine === generation) {
    let r;
    try {
      r = await api('GET', '/api/agent/messages?chat=' + encodeURIComponent(chat) + '&after=' + after,
                    undefined, signal);
    } catch {
      if (signal.aborted) break;
      await sleep(2000);
      continue;
    }
    if (mine !== generation) break;
    if (!r.ok) {
      if (r.code !== 'host.busy') break;
      await sleep(2000);
      continue;
    }
    const list = document.getElementById('messages');
    for (const m of r.messages) {
      const item = el('li');
      item.append(el('span', {class: 'from'},
                     m.from === 'agent' ? 'You' : m.from === 'visitor' ? 'Visitor' : 'Info'),
                  el('span', {}, m.text));
      list.append(item);
      after = m.n;
    }
    if (r.status === 'ended') {
      await loadDetail();
      break;
    }
  }
}

document.getElementById('send').addEventListener('submit', async function (event) {
  event.preventDefault();
  const input = document.getElementById('message');
  if (!input.value || !selected) return;
  const r = await api('POST', '/api/agent/messages', {chat: selected, text: input.value});
  if (r.ok) input.value = '';
  else document.getElementById('result').textContent = 'Not sent: ' + (r.message || r.code);
});

document.getElementById('end').addEventListener('click', async function () {
  const r = await api('POST', '/api/agent/end', {chat: selected});
  document.getElementById('result').textContent = r.ok
    ? 'Transcript ' + r.transcript_id + ' saved' +
      (r.customer_id ? ' for customer ' + r.customer_id : '') + '.'
    : 'Could not end the chat: ' + (r.message || r.code);
  loadDetail();
  refreshList();
});

refreshList();
setInterval(refreshList, 3000);
