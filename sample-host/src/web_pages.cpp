#include "web_pages.hpp"

namespace sample_host {

namespace {

constexpr std::string_view kStyle = R"(<style>
body{font:16px/1.5 system-ui,sans-serif;margin:0;color:#1b1b1b;background:#fff}
[hidden]{display:none!important}
header,main{padding:1rem 1.5rem;max-width:70rem}
header{background:#123;color:#fff;max-width:none}
a{color:#0645ad}
header a{color:#fff}
button,.button{font:inherit;padding:.4rem .9rem;border:1px solid #123;border-radius:4px;
background:#123;color:#fff;cursor:pointer;text-decoration:none;display:inline-block}
button.secondary{background:#fff;color:#123}
:focus-visible{outline:3px solid #e69500;outline-offset:2px}
label{display:block;margin-top:.5rem;font-weight:600}
input{font:inherit;padding:.3rem;width:100%;max-width:24rem;box-sizing:border-box}
ol.messages{list-style:none;padding:.5rem;border:1px solid #999;min-height:8rem;max-height:20rem;overflow:auto}
.from{font-weight:600;margin-right:.4rem}
.cols{display:flex;gap:2rem;flex-wrap:wrap}
.cols>section{flex:1 1 20rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.2rem 1rem}
dt{font-weight:600}
table{border-collapse:collapse}
td,th{border:1px solid #999;padding:.2rem .5rem;text-align:left}
#visitors{list-style:none;padding:0}
#visitors button{display:block;width:100%;text-align:left;margin:.25rem 0}
.verified{color:#05620b;font-weight:600}
.unverified{color:#8a1c00}
.chat-frame{width:440px;max-width:100%;height:680px;border:1px solid #123;margin-top:.5rem}
.expired{color:#8a1c00;font-weight:600}
.fingerprint{overflow-wrap:anywhere;font-family:monospace;font-size:.85em}
</style>)";

// Shared by every page: JSON calls and DOM building without innerHTML.
constexpr std::string_view kScript = R"(<script>
async function api(method, url, body, signal) {
  const options = {method, credentials: 'same-origin', signal};
  if (body !== undefined) {
    options.headers = {'Content-Type': 'application/json'};
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  return response.json();
}
function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}
function sleep(ms) { return new Promise(r => setTimeout(r, ms)); }
function fillFields(dl, fields) {
  dl.replaceChildren();
  for (const f of fields || []) {
    dl.append(el('dt', {}, f.label), el('dd', {}, f.value));
  }
}
</script>)";

std::string Head(std::string_view title) {
  std::string out = "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">";
  out += "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">";
  out += "<title>";
  out += HtmlEscape(title);
  out += "</title>";
  out += kStyle;
  out += kScript;
  out += "</head>\n";
  return out;
}

// @CHAT_BUTTON@ is kOwnWindowButton or kEmbeddedButton.
constexpr std::string_view kWebsiteBody = R"(<body>
<header><h1>Example Shop</h1></header>
<main>
<p>Welcome to our shop. Questions about your order or your account? Our team is here to help.</p>
@CHAT_BUTTON@
</main>
</body></html>
)";

// The chat window in a window of its own (a plain link without JavaScript).
constexpr std::string_view kOwnWindowButton =
    R"(<p><a class="button" id="chat-button" data-testid="chat-button"
 href="/chat?visitor=@VISITOR@" target="vsso-chat">Chat with us</a></p>
<script>
document.getElementById('chat-button').addEventListener('click', function (event) {
  const w = window.open(this.href, 'vsso-chat', 'width=440,height=680');
  if (w) { event.preventDefault(); w.focus(); }
});
</script>)";

// The chat window in an iframe of this page, created on the first click (the
// moment the chat opens); the button shows and hides it. The IdP cannot be
// framed, so the chat signs in in a popup (see kChatBody).
constexpr std::string_view kEmbeddedButton =
    R"(<p><button type="button" id="chat-button" data-testid="chat-button"
 aria-expanded="false" aria-controls="chat-panel" data-src="/chat?visitor=@VISITOR@">Chat with us</button></p>
<section id="chat-panel" data-testid="chat-panel" aria-label="Chat" hidden></section>
<script>
document.getElementById('chat-button').addEventListener('click', function () {
  const panel = document.getElementById('chat-panel');
  let frame = document.getElementById('chat-frame');
  if (!frame) {
    frame = el('iframe', {id: 'chat-frame', 'data-testid': 'chat-frame', title: 'Chat',
                          src: this.dataset.src, class: 'chat-frame'});
    panel.append(frame);
  } else if (!panel.hidden) {
    panel.hidden = true;
    this.setAttribute('aria-expanded', 'false');
    return;
  }
  panel.hidden = false;
  this.setAttribute('aria-expanded', 'true');
  frame.focus();
});
</script>)";

constexpr std::string_view kChatBody = R"(<body>
<main id="chat-window" data-testid="chat-window" data-visitor="@VISITOR@">
<h1>Chat with Example Shop</h1>
<p id="status" role="status" aria-live="polite">Connecting…</p>
<section id="signin" hidden aria-label="Sign in">
<p><a class="button" id="sign-in" data-testid="sign-in" href="#">Sign in</a>
<button type="button" class="secondary" id="guest" data-testid="chat-as-guest" hidden>Chat as guest</button></p>
</section>
<form id="prechat" data-testid="prechat-form" hidden aria-label="Before we start">
<label for="f-name">Name</label><input id="f-name" name="name" autocomplete="name">
<label for="f-email">Email</label><input id="f-email" name="email" type="email" autocomplete="email">
<label for="f-company">Company</label><input id="f-company" name="company" autocomplete="organization">
<label for="f-department">Department</label><input id="f-department" name="department">
<p><button type="submit" data-testid="prechat-submit">Start chat</button></p>
</form>
<section id="chat" hidden aria-label="Conversation">
<ol class="messages" id="messages" data-testid="message-list" aria-live="polite"></ol>
<form id="send">
<label for="message">Message</label>
<input id="message" data-testid="message-input" autocomplete="off">
<p><button type="submit" data-testid="message-send">Send</button></p>
</form>
</section>
</main>
<script>
const visitor = document.getElementById('chat-window').dataset.visitor;
const link = document.getElementById('sign-in');
const guest = document.getElementById('guest');
let chat = null, waiting = false, waitGeneration = 0, polling = false;
function show(id) {
  for (const s of ['signin', 'prechat', 'chat']) document.getElementById(s).hidden = s !== id;
}
function status(text) { document.getElementById('status').textContent = text; }
async function start() {
  try { handle(await api('POST', '/api/chat/start', {visitor})); }
  catch (e) { status('Cannot reach the chat service. Retrying…'); await sleep(2000); start(); }
}
function handle(r) {
  if (!r.ok) { status('Error: ' + (r.message || r.code)); return; }
  chat = r.chat;
  if (r.stage === 'chat') {
    show('chat');
    status(r.team ? 'You are chatting with ' + r.team + '.' : 'You are chatting with us.');
    document.getElementById('message').focus();
    pollMessages();
  } else if (r.stage === 'prechat') {
    show('prechat');
    for (const f of r.prefill || []) {
      const input = document.querySelector('#prechat [name="' + CSS.escape(f.key) + '"]');
      if (input && !input.value) input.value = f.value;
    }
    status('Please tell us a little about yourself.');
    document.getElementById('f-name').focus();
  } else if (r.stage === 'offer' || r.stage === 'sign_in') {
    show('signin');
    link.href = r.sign_in_url;
    guest.hidden = r.stage !== 'offer';
    status(r.stage === 'offer' ? 'Sign in for faster help, or chat as a guest.'
                               : 'Please sign in to start the chat.');
    link.focus();
    waitForSignIn();
    // Required, in a window of its own: the IdP's sign-in page is what the
    // chat window shows (someone signed in at the IdP comes straight back).
    // A moment's pause keeps the link usable, and a visitor just back from a
    // failed sign-in is not sent round again.
    if (r.stage === 'sign_in' && window.top === window && !backFromSignIn()) {
      status('Taking you to sign in…');
      setTimeout(() => { if (waiting) location.assign(r.sign_in_url); }, 2000);
    }
  } else {
    show(null);
    status('Chat is not available right now' + (r.reason ? ': ' + r.reason : '.'));
  }
}
// Inside an iframe the IdP cannot be shown in place: sign in in a popup and
// continue here when the popup reports the sign-in (message below), or else
// when the host does (waitForSignIn). A blocked popup falls back to a tab.
link.addEventListener('click', function (event) {
  if (window.top !== window) {
    const popup = window.open(link.href, 'vsso-signin', 'width=600,height=700');
    if (popup) {
      event.preventDefault();
      popup.focus();
      status('Finish signing in in the new window.');
    } else {
      link.target = '_blank';
    }
  }
});
window.addEventListener('message', function (event) {
  if (event.origin !== location.origin || !event.data || event.data.type !== 'vsso-signed-in' ||
      event.data.visitor !== visitor || !waiting) return;
  waiting = false;
  start();
});
async function waitForSignIn() {
  if (waiting) return;
  waiting = true;
  const mine = ++waitGeneration;
  let version = -1;
  while (waiting && mine === waitGeneration) {
    let r;
    try {
      r = await api('GET', '/api/state?visitor=' + encodeURIComponent(visitor) +
                           '&after=' + version);
    } catch (e) { await sleep(2000); continue; }
    // Stopped meanwhile (guest, or the popup's message restarted the chat).
    if (!waiting || mine !== waitGeneration) return;
    if (version >= 0 && r.version > version) { waiting = false; start(); return; }
    version = r.version;
  }
}
function backFromSignIn() {
  try { return new URL(document.referrer).pathname.startsWith('/sso/'); }
  catch (e) { return false; }
}
// The sign-in popup of an embedded chat ends on this page (the return URL):
// its opener is then a chat window of the same visitor on this origin. (A
// chat in its own window was opened by the website, which has no chat
// window; another origin's opener cannot be read and throws.)
function openedForSignIn() {
  try {
    const other = window.opener && window.opener !== window &&
                  window.opener.document.getElementById('chat-window');
    return !!other && other.dataset.visitor === visitor;
  } catch (e) {
    return false;
  }
}
function finishSignInPopup() {
  show(null);
  document.title = 'Signed in';
  status('You are signed in. You can close this window.');
  try { window.opener.postMessage({type: 'vsso-signed-in', visitor}, location.origin); }
  catch (e) { /* the chat also learns it from the host (waitForSignIn) */ }
  window.close();
}
guest.addEventListener('click', async function () {
  waiting = false;
  handle(await api('POST', '/api/chat/guest', {chat}));
});
document.getElementById('prechat').addEventListener('submit', async function (event) {
  event.preventDefault();
  const fields = {};
  for (const input of this.querySelectorAll('input')) fields[input.name] = input.value;
  handle(await api('POST', '/api/prechat', {chat, fields}));
});
document.getElementById('send').addEventListener('submit', async function (event) {
  event.preventDefault();
  const input = document.getElementById('message');
  if (!input.value) return;
  const r = await api('POST', '/api/messages', {chat, from: 'visitor', text: input.value});
  if (r.ok) input.value = ''; else status('Not sent: ' + (r.message || r.code));
});
async function pollMessages() {
  if (polling) return;
  polling = true;
  let after = 0;
  const list = document.getElementById('messages');
  for (;;) {
    let r;
    try {
      r = await api('GET', '/api/messages?chat=' + encodeURIComponent(chat) + '&after=' + after);
    } catch (e) { await sleep(2000); continue; }
    if (!r.ok) { status('Error: ' + (r.message || r.code)); break; }
    for (const m of r.messages) {
      const item = el('li');
      item.append(el('span', {class: 'from'}, m.from === 'visitor' ? 'You' : m.from === 'agent' ? 'Agent' : 'Info'),
                  el('span', {}, m.text));
      list.append(item);
      after = m.n;
    }
    list.scrollTop = list.scrollHeight;
    if (r.status === 'ended') {
      status('The chat has ended.');
      document.getElementById('message').disabled = true;
      break;
    }
  }
  polling = false;
}
if (openedForSignIn()) finishSignInPopup(); else start();
</script>
</body></html>
)";

constexpr std::string_view kAgentBody = R"(<body>
<header><h1>Agent console</h1>
<nav aria-label="Console"><a href="/agent">Chats</a> · <a href="/agent/history">History</a> · <a href="/admin">Admin</a></nav>
</header>
<main class="cols">
<section aria-labelledby="visitors-heading">
<h2 id="visitors-heading">Visitors</h2>
<ul id="visitors" data-testid="visitor-list"></ul>
</section>
<section id="detail" hidden aria-labelledby="detail-heading">
<h2 id="detail-heading">Chat <span id="d-chat"></span> <small id="d-status"></small></h2>
<section id="info" data-testid="info-tab" aria-labelledby="info-heading">
<h3 id="info-heading">Info</h3>
<p><span id="info-name" data-testid="info-name"></span>
 <span id="info-cid-label" hidden>Customer ID: <span id="info-cid" data-testid="info-customer-id"></span></span>
 <span id="info-verified" data-testid="info-verified"></span></p>
<p>Routed to <strong id="team" data-testid="routed-team"></strong> <span id="rule" data-testid="routed-rule"></span></p>
</section>
<section data-testid="prechat-section" aria-labelledby="prechat-heading">
<h3 id="prechat-heading">Pre-Chat</h3><dl id="prechat"></dl></section>
<section data-testid="custom-variables-section" aria-labelledby="vars-heading">
<h3 id="vars-heading">Custom Variables</h3><dl id="vars"></dl></section>
<h3>Messages</h3>
<ol class="messages" id="messages" data-testid="message-list" aria-live="polite"></ol>
<form id="send">
<label for="message">Reply</label>
<input id="message" data-testid="message-input" autocomplete="off">
<p><button type="submit" data-testid="message-send">Send</button>
<button type="button" class="secondary" id="end" data-testid="end-chat">End chat</button></p>
</form>
<p id="result" role="status" aria-live="polite"></p>
</section>
</main>
<script>
let selected = null, generation = 0, shown = '', poll = null;
async function refreshList() {
  let r;
  try { r = await api('GET', '/api/agent/chats'); } catch (e) { return; }
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
                      [c.customer_id ? 'Customer ' + c.customer_id : 'Guest', c.visitor, c.status,
                       c.team].filter(Boolean).join(' · '));
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
      r = await api('GET', '/api/messages?chat=' + encodeURIComponent(chat) + '&after=' + after,
                    undefined, signal);
    } catch (e) {
      if (signal.aborted) break;
      await sleep(2000);
      continue;
    }
    if (mine !== generation || !r.ok) break;
    const list = document.getElementById('messages');
    for (const m of r.messages) {
      const item = el('li');
      item.append(el('span', {class: 'from'}, m.from === 'agent' ? 'You' : m.from === 'visitor' ? 'Visitor' : 'Info'),
                  el('span', {}, m.text));
      list.append(item);
      after = m.n;
    }
    if (r.status === 'ended') { await loadDetail(); break; }
  }
}
document.getElementById('send').addEventListener('submit', async function (event) {
  event.preventDefault();
  const input = document.getElementById('message');
  if (!input.value || !selected) return;
  const r = await api('POST', '/api/messages', {chat: selected, from: 'agent', text: input.value});
  if (r.ok) input.value = '';
  else document.getElementById('result').textContent = 'Not sent: ' + (r.message || r.code);
});
document.getElementById('end').addEventListener('click', async function () {
  const r = await api('POST', '/api/agent/end', {chat: selected});
  document.getElementById('result').textContent = r.ok
      ? 'Transcript ' + r.transcript_id + ' saved' + (r.customer_id ? ' for customer ' + r.customer_id : '') + '.'
      : 'Could not end the chat: ' + (r.message || r.code);
  loadDetail();
  refreshList();
});
refreshList();
setInterval(refreshList, 3000);
</script>
</body></html>
)";

constexpr std::string_view kHistoryBody = R"(<body>
<header><h1>History</h1>
<nav aria-label="Console"><a href="/agent">Chats</a> · <a href="/agent/history">History</a> · <a href="/admin">Admin</a></nav>
</header>
<main>
<form id="filter" method="get" action="/agent/history">
<label for="customer-id">Customer ID</label>
<input id="customer-id" name="customer_id" data-testid="history-filter-customer-id">
<label for="team">Team</label>
<input id="team" name="team" data-testid="history-filter-team">
<label for="from">Saved on or after (UTC)</label>
<input id="from" name="from" type="date" data-testid="history-filter-from">
<label for="until">Saved on or before (UTC)</label>
<input id="until" name="until" type="date" data-testid="history-filter-until">
<p><button type="submit">Search</button></p>
</form>
<p id="status" role="status" aria-live="polite"></p>
<table><caption>Transcripts, newest first</caption>
<thead><tr><th scope="col">Saved</th><th scope="col">Customer ID</th><th scope="col">Team</th>
<th scope="col">Signed in</th><th scope="col">Chat</th><th scope="col">Visitor</th><th scope="col">Transcript</th></tr></thead>
<tbody id="rows"></tbody></table>
<p><a id="next" data-testid="history-next" hidden>Next page</a></p>
</main>
<script>
(async function () {
  const params = new URLSearchParams(location.search);
  const query = new URLSearchParams();
  for (const [name, id] of [['customer_id', 'customer-id'], ['team', 'team'], ['from', 'from'],
                            ['until', 'until']]) {
    const value = params.get(name) || '';
    document.getElementById(id).value = value;
    if (value) query.set(name, value);
  }
  if (params.get('cursor')) query.set('cursor', params.get('cursor'));
  const r = await api('GET', '/api/history?' + query.toString());
  if (!r.ok) { document.getElementById('status').textContent = 'Error: ' + (r.message || r.code); return; }
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
  document.getElementById('status').textContent = r.transcripts.length + ' transcript(s).' +
      (ignored ? ' A customer ID search covers every team and date.' : '');
  if (r.next_cursor) {
    const next = document.getElementById('next');
    query.set('cursor', r.next_cursor);
    next.href = '/agent/history?' + query.toString();
    next.hidden = false;
  }
})();
</script>
</body></html>
)";

constexpr std::string_view kAdminBody = R"(<body>
<header><h1>Visitor SSO administration</h1>
<nav aria-label="Console"><a href="/agent">Chats</a> · <a href="/agent/history">History</a> · <a href="/admin">Admin</a></nav>
</header>
<main>
<p>Read-only. Give your identity provider the
<a href="/sso/metadata" id="metadata-link" data-testid="metadata-link">service provider metadata</a>.</p>
<p id="admin-status" data-testid="admin-status" role="status" aria-live="polite"></p>
<p id="overview-error" data-testid="admin-overview-error" role="alert" hidden></p>
<h2>Plugin</h2>
<dl id="description" data-testid="plugin-description"></dl>
<h2 id="certificates-heading">IdP signing certificates</h2>
<table data-testid="admin-certificates" aria-labelledby="certificates-heading">
<thead><tr><th scope="col">Subject</th><th scope="col">Issuer</th><th scope="col">SHA-256 fingerprint</th>
<th scope="col">Not before</th><th scope="col">Not after</th><th scope="col">Status</th><th scope="col">Source</th></tr></thead>
<tbody id="certificates"></tbody></table>
<h2 id="mappings-heading">Attribute mappings</h2>
<table data-testid="admin-mappings" aria-labelledby="mappings-heading">
<thead><tr><th scope="col">Chat field</th><th scope="col">Label</th><th scope="col">IdP attributes, first found wins</th></tr></thead>
<tbody id="mappings"></tbody></table>
<h2 id="routing-heading">Routing rules</h2>
<table data-testid="admin-routing-rules" aria-labelledby="routing-heading">
<thead><tr><th scope="col">Rule</th><th scope="col">Condition</th><th scope="col">Team</th></tr></thead>
<tbody id="rules"></tbody></table>
<p>Default team: <strong id="default-team" data-testid="admin-default-team"></strong></p>
<h2 id="failures-heading">Last sign-in failures</h2>
<table data-testid="admin-failures" aria-labelledby="failures-heading">
<thead><tr><th scope="col">When</th><th scope="col">Code</th><th scope="col">Message</th>
<th scope="col">Issuer</th><th scope="col">Visitor</th></tr></thead>
<tbody id="failures"></tbody></table>
</main>
<script>
// Fields the plugin could not report are left out: each list is then empty.
function list(value) { return Array.isArray(value) ? value : []; }
// One row per item; `cells` gives [text, attributes] pairs. Empty: "None.".
function fillTable(id, items, rowTestId, cells) {
  const body = document.getElementById(id);
  body.replaceChildren();
  const columns = body.parentElement.querySelectorAll('thead th').length;
  if (items.length === 0) {
    const row = el('tr');
    row.append(el('td', {colspan: String(columns)}, 'None.'));
    body.append(row);
    return;
  }
  for (const item of items) {
    const row = el('tr', {'data-testid': rowTestId});
    for (const [text, attrs] of cells(item)) row.append(el('td', attrs || {}, text ?? ''));
    body.append(row);
  }
}
// The status cell of a certificate: a warning colour from 30 days left.
function expiry(days) {
  const attrs = {'data-testid': 'admin-certificate-status'};
  if (typeof days !== 'number') return ['', attrs];
  if (days <= 30) attrs.class = 'expired';
  if (days < 0) return ['EXPIRED', attrs];
  if (days === 0) return ['expires today', attrs];
  return ['expires in ' + days + (days === 1 ? ' day' : ' days'), attrs];
}
(async function () {
  let r;
  try { r = await api('GET', '/api/admin'); }
  catch (e) { document.getElementById('admin-status').textContent = 'Cannot reach the host.'; return; }
  if (r.ok === false) {
    document.getElementById('admin-status').textContent = 'Error: ' + (r.message || r.code);
    return;
  }
  if (typeof r.sp_metadata_url === 'string' && r.sp_metadata_url.startsWith('/')) {
    document.getElementById('metadata-link').setAttribute('href', r.sp_metadata_url);
  }
  if (r.overview_error) {
    const e = document.getElementById('overview-error');
    e.textContent = 'The plugin could not report its certificates, mappings, rules and failures: ' +
                    (r.overview_error.message || '') + ' [' + (r.overview_error.code || '') + ']';
    e.hidden = false;
  }
  const rows = [['Name', r.name], ['Version', r.version], ['SDK', r.sdk],
                ['Enabled', r.enabled ? 'yes' : 'no'], ['Sign-in policy', r.sign_in_policy],
                ['Active IdP certificates', r.certificate_count], ['Mappings', r.mapping_count],
                ['SP entity ID', r.sp_entity_id], ['IdP entity ID', r.idp_entity_id]];
  fillFields(document.getElementById('description'), rows.map(([label, value]) => ({label, value})));
  fillTable('certificates', list(r.certificates), 'admin-certificate-row', c => [
    [c.subject], [c.issuer], [c.fingerprint, {class: 'fingerprint'}], [c.not_before],
    [c.not_after, {'data-testid': 'admin-certificate-not-after'}],
    expiry(c.days_left),
    [c.source]]);
  fillTable('mappings', list(r.mappings), 'admin-mapping-row', m => [
    [m.field], [m.label], [list(m.attributes).join(' | ')]]);
  const routing = r.routing || {};
  fillTable('rules', list(routing.rules), 'admin-routing-rule-row', rule => [
    [rule.name], [rule.text], [rule.team]]);
  document.getElementById('default-team').textContent = routing.default_team || '(none)';
  fillTable('failures', list(r.failures), 'admin-failure-row', f => [
    [f.at], [f.code, {'data-testid': 'admin-failure-code'}], [f.message], [f.issuer], [f.visitor_id]]);
})();
</script>
</body></html>
)";

std::string WithVisitor(std::string_view body, const std::string& visitor) {
  std::string out(body);
  const std::string escaped = HtmlEscape(visitor);
  for (std::size_t at = out.find("@VISITOR@"); at != std::string::npos;
       at = out.find("@VISITOR@", at + escaped.size())) {
    out.replace(at, 9, escaped);
  }
  return out;
}

}  // namespace

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string WebsitePage(const std::string& visitor, bool embedded) {
  std::string body(kWebsiteBody);
  const std::string_view placeholder = "@CHAT_BUTTON@";
  body.replace(body.find(placeholder), placeholder.size(),
               embedded ? kEmbeddedButton : kOwnWindowButton);
  return Head("Example Shop") + WithVisitor(body, visitor);
}

std::string ChatWindowPage(const std::string& visitor) {
  return Head("Chat") + WithVisitor(kChatBody, visitor);
}

std::string AgentPage() { return Head("Agent console") + std::string(kAgentBody); }

std::string HistoryPage() { return Head("History") + std::string(kHistoryBody); }

std::string AdminPage() { return Head("Visitor SSO administration") + std::string(kAdminBody); }

}  // namespace sample_host
