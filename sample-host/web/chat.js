// The chat window: asks the host to start the chat (the plugin decides:
// sign in, sign in or guest, pre-chat survey, chat), then long-polls the
// messages. The host knows the visitor from its cookie; nothing here names it.
//
// Signing in:
// - In a window of its own, the sign-in link (the plugin's sign-in URL) is
//   followed in place; the IdP sends the visitor back to /chat.
// - In an iframe (the IdP cannot be framed, and on a website of another site
//   the iframe's cookies are partitioned), the link opens a popup on
//   /chat/sign-in. The popup signs in as a visitor of its own, and its last
//   page (/chat/signed-in, signed_in.js) posts a one-time code to this
//   window, for this origin only. This window accepts it only from that
//   popup and this origin, and redeems it at its site's /sso/[<site>/]redeem
//   for its own visitor.
// - Either way, a long poll on /api/chat/state notices a sign-in of this
//   visitor that the host saw (same-site popup, another tab).
//
// Signing out (shown while signed in): a form post to the site's
// /sso/[<site>/]logout, which ends the chat sign-in and, when the IdP offers
// single logout, the IdP session too, then returns with
// ?sso_signed_out=local|none|idp|partial, shown in plain words.
// - In a window of its own the form is posted in place and returns to /chat.
// - In an iframe it is posted into a popup (opened in the click, as the IdP
//   cannot be framed), which returns to /chat/signed-out; that page
//   (signed_out.js) tells this window the result and closes. On a website
//   of another site the popup is another visitor (endOwnSignIn).
// - The same long poll notices a sign-out the host saw elsewhere (a logout
//   started at the IdP, in whichever browser tab): the host ends the chat
//   and this window shows the signed-out state.
// Every URL is under the chat window's site (data-base: /s/<site>, or empty
// for the default site): the host keeps each site's chats apart.
'use strict';
const windowData = document.getElementById('chat-window').dataset;
const base = windowData.base || '';
const link = document.getElementById('sign-in');
const guest = document.getElementById('guest');
const signOutForm = document.getElementById('sign-out-form');
const signOutLine = document.getElementById('sign-out-status');
const embedded = window.top !== window;
let chat = null;
let stage = null;
let signedIn = false;
// After a sign-out the required sign-in does not start by itself.
let signedOut = false;
let waiting = false;
let waitGeneration = 0;
let polling = null;
let popup = null;
let signOutPopup = null;

// What sso_signed_out (the plugin's result, docs/sample-host.md) means.
const signOutTexts = {
  idp: 'Signed out of the chat and of your company\'s sign-in service.',
  local: 'Signed out of the chat. You are still signed in at your company\'s sign-in service: ' +
         'it offers no single logout.',
  partial: 'Signed out of the chat. Your company\'s sign-in service did not confirm that it ' +
           'signed you out there: close the browser to be sure.',
  none: 'You were not signed in to the chat.',
  elsewhere: 'You have been signed out of the chat.',
};

function showSignedOut(result) {
  const known = Object.hasOwn(signOutTexts, result);
  signOutLine.textContent = known ? signOutTexts[result] : signOutTexts.elsewhere;
  signOutLine.dataset.result = known ? result : 'elsewhere';
  signOutLine.hidden = false;
  signedOut = true;
}

function show(id) {
  for (const s of ['signin', 'prechat', 'chat']) document.getElementById(s).hidden = s !== id;
}

function status(text) { document.getElementById('status').textContent = text; }

async function start() {
  try {
    handle(await api('POST', base + '/api/chat/start', {}));
  } catch {
    status('Cannot reach the chat service. Retrying…');
    await sleep(2000);
    start();
  }
}

function handle(r) {
  if (!r.ok) {
    status('Error: ' + (r.message || r.code));
    return;
  }
  chat = r.chat;
  stage = r.stage;
  const wasSignedIn = signedIn;
  signedIn = r.signed_in === true;
  signOutForm.hidden = !signedIn;
  if (signedIn) signOutLine.hidden = true;
  else if (wasSignedIn && signOutLine.hidden) showSignedOut('elsewhere');
  // Signed in: watch for a sign-out; offered or required: for a sign-in.
  if (signedIn || r.stage === 'offer' || r.stage === 'sign_in') waitForSignIn();
  else waiting = false;
  if (r.stage === 'chat') {
    tabMemory('clear');
    show('chat');
    status(r.team ? 'You are chatting with ' + r.team + '.' : 'You are chatting with us.');
    document.getElementById('message').focus();
    pollMessages(chat);
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
    // Required, in a window of its own: the IdP's sign-in page is what the
    // chat window shows (someone signed in at the IdP comes straight back).
    // A moment's pause keeps the link usable, and a visitor back from a
    // failed sign-in is not sent round again: this tab remembers the trip
    // (the plugin's pages send no Referer to tell).
    if (r.stage === 'sign_in' && !embedded && !tabMemory('get') && !signedOut) {
      status('Taking you to sign in…');
      setTimeout(() => {
        if (stage !== 'sign_in') return;
        tabMemory('set');
        location.assign(r.sign_in_url);
      }, 2000);
    }
  } else {
    show(null);
    status('Chat is not available right now' + (r.reason ? ': ' + r.reason : '.'));
  }
}

link.addEventListener('click', function (event) {
  if (!embedded) {
    tabMemory('set');
    return;
  }
  const opened = window.open(base + '/chat/sign-in', 'vsso-signin', 'width=600,height=700');
  if (opened) {
    event.preventDefault();
    popup = opened;
    popup.focus();
    status('Finish signing in in the new window.');
  } else {
    // Pop-ups blocked: a chat window of its own in a new tab signs in there.
    link.href = base + '/chat';
    link.target = '_blank';
  }
});

signOutForm.addEventListener('submit', function (event) {
  document.getElementById('sign-out-return').value = base + (embedded ? '/chat/signed-out' : '/chat');
  if (!embedded) return;
  const opened = window.open('', 'vsso-signout', 'width=600,height=700');
  if (!opened) {
    event.preventDefault();
    status('Allow pop-ups for this page to sign out: your company\'s sign-in service ' +
           'cannot be shown inside the chat.');
    return;
  }
  signOutPopup = opened;
  this.target = 'vsso-signout';
  status('Finish signing out in the new window.');
});

window.addEventListener('message', async function (event) {
  if (event.origin !== location.origin) return;
  const data = event.data;
  if (signOutPopup !== null && event.source === signOutPopup && data &&
      data.type === 'vsso-signed-out' && typeof data.result === 'string') {
    signOutPopup = null;
    showSignedOut(data.result);
    await endOwnSignIn();
    start();
    return;
  }
  if (popup === null || event.source !== popup) return;
  if (!data || data.type !== 'vsso-code' || typeof data.code !== 'string') return;
  popup = null;
  let r;
  try {
    r = await api('POST', windowData.redeem, {code: data.code});
  } catch {
    r = {ok: false, message: 'the chat service cannot be reached'};
  }
  if (!r.ok) {
    status('Sign-in could not be completed: ' + (r.message || r.code));
    return;
  }
  waiting = false;
  start();
});

// Embedded on a website of another site, this window's visitor (partitioned
// cookies) is not the popup's, and its sign-in, redeemed from the popup's,
// outlives the popup's sign-out. It ends here with a sign-out of its own: the
// plugin ends the chat sign-in at once, and the redirect to the IdP that it
// answers with is not followed (the popup took that leg already).
async function endOwnSignIn() {
  try {
    const r = await api('POST', base + '/api/chat/start', {});
    if (!r.ok || r.signed_in !== true) return;
    await fetch(signOutForm.action, {
      method: 'POST', credentials: 'same-origin', redirect: 'manual',
      body: new URLSearchParams({return: base + '/chat'}),
    });
  } catch {
    // start() below shows where the window stands.
  }
}

async function waitForSignIn() {
  if (waiting) return;
  waiting = true;
  const mine = ++waitGeneration;
  let version = -1;
  while (waiting && mine === waitGeneration) {
    let r;
    try {
      r = await api('GET', base + '/api/chat/state?after=' + version);
    } catch {
      await sleep(2000);
      continue;
    }
    // Stopped meanwhile (guest, or the popup's code restarted the chat).
    if (!waiting || mine !== waitGeneration) return;
    if (!r.ok) {
      await sleep(2000);
      continue;
    }
    if (version >= 0 && r.version > version) {
      waiting = false;
      start();
      return;
    }
    version = r.version;
  }
}

// Whether this tab already went to the IdP ('get'), noting it
// ('set') or forgetting it once signed in ('clear'). Storage may be off.
function tabMemory(what) {
  const key = 'vsso-went-to-sign-in';
  try {
    if (what === 'set') sessionStorage.setItem(key, '1');
    else if (what === 'clear') sessionStorage.removeItem(key);
    return sessionStorage.getItem(key) !== null;
  } catch {
    return false;
  }
}

guest.addEventListener('click', async function () {
  waiting = false;
  handle(await api('POST', base + '/api/chat/guest', {chat}));
});

document.getElementById('prechat').addEventListener('submit', async function (event) {
  event.preventDefault();
  const fields = {};
  for (const input of this.querySelectorAll('input')) fields[input.name] = input.value;
  handle(await api('POST', base + '/api/chat/prechat', {chat, fields}));
});

document.getElementById('send').addEventListener('submit', async function (event) {
  event.preventDefault();
  const input = document.getElementById('message');
  if (!input.value) return;
  const r = await api('POST', base + '/api/chat/messages', {chat, text: input.value});
  if (r.ok) input.value = '';
  else status('Not sent: ' + (r.message || r.code));
});

// The messages of chat `id` while it is this window's chat (a sign-out
// ends it; signing in again starts another).
async function pollMessages(id) {
  if (polling === id) return;
  polling = id;
  let after = 0;
  const list = document.getElementById('messages');
  list.replaceChildren();
  document.getElementById('message').disabled = false;
  while (polling === id) {
    let r;
    try {
      r = await api('GET', base + '/api/chat/messages?chat=' + encodeURIComponent(id) + '&after=' + after);
    } catch {
      await sleep(2000);
      continue;
    }
    if (polling !== id) break;
    if (!r.ok) {
      if (r.code === 'host.busy') {
        await sleep(2000);
        continue;
      }
      status('Error: ' + (r.message || r.code));
      break;
    }
    for (const m of r.messages) {
      const item = el('li');
      item.append(el('span', {class: 'from'},
                     m.from === 'visitor' ? 'You' : m.from === 'agent' ? 'Agent' : 'Info'),
                  el('span', {}, m.text));
      list.append(item);
      after = m.n;
    }
    list.scrollTop = list.scrollHeight;
    if (r.status === 'ended') {
      if (chat === id) status('The chat has ended.');
      document.getElementById('message').disabled = true;
      break;
    }
  }
  if (polling === id) polling = null;
}

// Back from a sign-out in this window: the result, once (not on a reload).
const signOutResult = new URLSearchParams(location.search).get('sso_signed_out');
if (signOutResult !== null) {
  showSignedOut(signOutResult);
  window.history.replaceState(null, '', location.pathname);
}
start();
