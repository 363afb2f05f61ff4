// Sign-out and single logout (issue 14; SAML Profiles 4.4) against
// SimpleSAMLphp, whose metadata lists its SingleLogoutService and which
// signs its logout messages (scripts/idp: sign.logout):
// - the chat window's sign-out ends the chat sign-in AND the IdP session:
//   signing in again, the IdP asks for the password again; the chat ended
//   with its transcript saved for the customer; a sign-out posted from
//   another site is refused by the host;
// - a logout started at the IdP (SingleLogoutService.php?ReturnTo=) ends the
//   chat sign-in: the open chat window turns to the signed-out state;
// - the embedded chat signs out in a popup (the IdP cannot be framed), also
//   on a website of another site, where the iframe is not the popup's visitor;
// - a site of a platform signs out at its own /sso/<site>/ endpoints;
// - with an SP key, SimpleSAMLphp verifies the signed LogoutRequest;
// - an IdP the SP knows no SingleLogoutService of: sign-out ends the chat
//   sign-in only, says so, and the IdP session stays.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {startStack, screenshot, timeout, withTimeout, newPage, openChatWindow, fillIdpLogin,
       openAgentPage} = require('./harness');

// Signs `user` in from the chat window of its own (required: it goes to the
// IdP by itself) and waits for the conversation.
async function signInInChatWindow(stack, user) {
  const {chat} = await openChatWindow(stack);
  const submit = await fillIdpLogin(chat, stack, user);
  await submit.click();
  await chat.waitForURL(url => url.origin === stack.sp && url.pathname === '/chat');
  await chat.getByTestId('message-input').waitFor({state: 'visible'});
  await chat.getByTestId('sign-out').waitFor({state: 'visible'});
  return chat;
}

// What the host's chat start says about this browser's visitor now.
function chatStart(page) {
  return page.evaluate(() => fetch('/api/chat/start', {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json'}, body: '{}',
  }).then(r => r.json()));
}

// The sign-out status line once it shows `result`.
async function signOutStatus(frame, result) {
  const line = frame.getByTestId('sign-out-status');
  await line.and(frame.locator(`[data-result="${result}"]`)).waitFor({state: 'visible'});
  return (await line.textContent()).trim();
}

test('sign-out in the chat window ends the chat sign-in and the IdP session',
     {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {sp} = stack;
  const chat = await signInInChatWindow(stack, 'gold');
  await chat.getByTestId('message-input').fill('Please sign me out afterwards');
  await chat.getByTestId('message-send').click();
  await chat.getByTestId('message-list').filter({hasText: 'Please sign me out'}).waitFor();
  await screenshot(chat, 'signed-in-with-sign-out');

  // Another site's page cannot sign the visitor out (the browser's cookies
  // go along; the host refuses the foreign Origin before the plugin runs).
  const forged = await stack.context.request.post(`${sp}/sso/logout`, {
    headers: {Origin: 'http://attacker.example'}, form: {return: '/chat'}, maxRedirects: 0,
  });
  assert.equal(forged.status(), 403);
  assert.equal((await forged.json()).code, 'host.cross_site');
  assert.equal((await chatStart(chat)).signed_in, true, 'still signed in after the forged post');

  // The visitor's own sign-out: to the IdP's SingleLogoutService and back.
  await chat.getByTestId('sign-out').click();
  const text = await signOutStatus(chat, 'idp');
  assert.equal(text, 'Signed out of the chat and of your company\'s sign-in service.');
  assert.equal(new URL(chat.url()).pathname, '/chat');
  assert.equal(new URL(chat.url()).search, '', 'the result is not kept in the URL');
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('sign-out').isVisible(), false);
  await screenshot(chat, 'signed-out-idp');
  const after = await chatStart(chat);
  assert.equal(after.signed_in, false);
  assert.equal(after.stage, 'sign_in');
  // Not sent straight back to the IdP, as a required chat otherwise is.
  await chat.waitForTimeout(3000);
  assert.equal(new URL(chat.url()).origin, sp);

  // The chat ended with the sign-out; its transcript is the customer's.
  const agent = await openAgentPage(stack);
  const history = await agent.evaluate(
      () => fetch('/api/history?customer_id=cust-gold-001').then(r => r.json()));
  assert.equal(history.ok, true);
  assert.equal(history.transcripts.length, 1, JSON.stringify(history));
  assert.equal(history.transcripts[0].signed_in, true);

  // The IdP session is gone too: signing in again asks for the password.
  await chat.getByTestId('sign-in').click();
  await chat.waitForURL(url => url.port === String(new URL(stack.idp).port));
  await chat.locator('input[name="password"]').waitFor({state: 'visible'});
  await screenshot(chat, 'idp-asks-again');
  const submit = await fillIdpLogin(chat, stack, 'gold');
  await submit.click();
  await chat.waitForURL(url => url.origin === sp && url.pathname === '/chat');
  await chat.getByTestId('sign-out').waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('sign-out-status').isVisible(), false);
});

test('a logout started at the IdP ends the chat sign-in', {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {sp, idp} = stack;
  const chat = await signInInChatWindow(stack, 'gold');
  const visitor = await chat.getByTestId('chat-window').getAttribute('data-visitor');

  // In another tab: SimpleSAMLphp sends its signed LogoutRequest to the
  // SP's /sso/slo, which answers with a LogoutResponse, then the IdP
  // returns to ReturnTo.
  const elsewhere = await newPage(stack);
  await elsewhere.goto(`${idp}/saml2/idp/SingleLogoutService.php?ReturnTo=` +
                       encodeURIComponent(`${sp}/`));
  await elsewhere.waitForURL(`${sp}/`);
  await screenshot(elsewhere, 'idp-logout-returned');

  // The open chat window learns of it at once (the host's long poll).
  const text = await signOutStatus(chat, 'elsewhere');
  assert.equal(text, 'You have been signed out of the chat.');
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('sign-out').isVisible(), false);
  await screenshot(chat, 'signed-out-by-idp');
  const fresh = await chatStart(chat);
  assert.equal(fresh.signed_in, false);
  assert.equal(fresh.stage, 'sign_in');

  // The agent sees the chat ended, the visitor no longer verified.
  const agent = await openAgentPage(stack);
  const chats = await agent.evaluate(() => fetch('/api/agent/chats').then(r => r.json()));
  const first = chats.chats.filter(c => c.visitor === visitor)
                           .find(c => c.customer_id === 'cust-gold-001');
  assert.ok(first, JSON.stringify(chats));
  assert.equal(first.status, 'ended');

  // And the IdP asks for the password again.
  await chat.getByTestId('sign-in').click();
  await chat.waitForURL(url => url.port === String(new URL(idp).port));
  await chat.locator('input[name="password"]').waitFor({state: 'visible'});
});

test('the embedded chat signs out in a popup', {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {context, sp} = stack;
  const site = await newPage(stack);
  await site.goto(`${sp}/?embed=1`);
  await site.getByTestId('chat-button').click();
  const chat = site.frameLocator('iframe[title="Chat"]');
  const signIn = chat.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  const [popup] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
  withTimeout(popup);
  const submit = await fillIdpLogin(popup, stack, 'gold');
  await Promise.all([popup.waitForEvent('close', {timeout}), submit.click()]);
  await chat.getByTestId('message-input').waitFor({state: 'visible'});

  // Sign-out opens a popup (the IdP cannot be framed), which ends on
  // /chat/signed-out, tells the iframe and closes.
  const [outPopup] = await Promise.all([context.waitForEvent('page'),
                                        chat.getByTestId('sign-out').click()]);
  withTimeout(outPopup);
  // It may be gone already (the IdP answers at once).
  if (!outPopup.isClosed()) await outPopup.waitForEvent('close', {timeout});
  const text = await signOutStatus(chat, 'idp');
  assert.match(text, /Signed out of the chat and of your company's sign-in service/);
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  await screenshot(site, 'embedded-signed-out');
  const frame = site.frame({url: url => new URL(url).pathname === '/chat'});
  assert.equal((await chatStart(frame)).signed_in, false);
});

test('the chat embedded on a website of another site signs out in a popup', {timeout: 300000},
     async t => {
  // The iframe's cookies are partitioned: the sign-in popup was a visitor of
  // its own, whose sign-in the iframe redeemed. Signing out must end both.
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {context, website} = stack;
  const site = await newPage(stack);
  await site.goto(`${website}/?embed=1`);
  await site.getByTestId('chat-button').click();
  const chat = site.frameLocator('iframe[title="Chat"]');
  const signIn = chat.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  const [popup] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
  withTimeout(popup);
  const submit = await fillIdpLogin(popup, stack, 'gold');
  await Promise.all([popup.waitForEvent('close', {timeout}), submit.click()]);
  await chat.getByTestId('message-input').waitFor({state: 'visible'});

  const [outPopup] = await Promise.all([context.waitForEvent('page'),
                                        chat.getByTestId('sign-out').click()]);
  withTimeout(outPopup);
  if (!outPopup.isClosed()) await outPopup.waitForEvent('close', {timeout});
  await signOutStatus(chat, 'idp');
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  await screenshot(site, 'cross-site-embedded-signed-out');
  const frame = site.frame({url: url => new URL(url).pathname === '/chat'});
  assert.equal((await chatStart(frame)).signed_in, false, 'the iframe\'s own sign-in ended');
  // And the IdP session: the next sign-in popup asks for the password.
  const [again] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
  withTimeout(again);
  await again.waitForURL(url => url.port === String(new URL(stack.idp).port));
  await again.locator('input[name="password"]').waitFor({state: 'visible'});
});

test('a site of a platform signs out at /sso/<site>/logout and /sso/<site>/slo',
     {timeout: 300000}, async t => {
  const stack = await startStack({sites: {acme: 'required', globex: 'optional'}});
  t.after(() => stack.stop());
  const {sp} = stack;
  const {chat} = await openChatWindow(stack, 'acme');
  const submit = await fillIdpLogin(chat, stack, 'gold');
  await submit.click();
  await chat.waitForURL(url => url.origin === sp && url.pathname === '/s/acme/chat');
  await chat.getByTestId('sign-out').waitFor({state: 'visible'});
  assert.equal(await chat.locator('#sign-out-form').getAttribute('action'), '/sso/acme/logout');

  await chat.getByTestId('sign-out').click();
  await signOutStatus(chat, 'idp');
  assert.equal(new URL(chat.url()).pathname, '/s/acme/chat');
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  await screenshot(chat, 'site-signed-out');
  const start = await chat.evaluate(() => fetch('/s/acme/api/chat/start', {
    method: 'POST', credentials: 'same-origin',
    headers: {'Content-Type': 'application/json'}, body: '{}',
  }).then(r => r.json()));
  assert.equal(start.signed_in, false);
  assert.equal(start.site, 'acme');
});

test('a signed LogoutRequest: SimpleSAMLphp verifies the SP\'s signature (validate.logout)',
     {timeout: 300000}, async t => {
  // The IdP knows the SP's certificate and refuses unsigned or badly signed
  // LogoutRequests from it (an error page, not a LogoutResponse).
  const stack = await startStack({signIn: 'required', spKey: true});
  t.after(() => stack.stop());
  const chat = await signInInChatWindow(stack, 'gold');
  await chat.getByTestId('sign-out').click();
  await signOutStatus(chat, 'idp');
  assert.equal((await chatStart(chat)).signed_in, false);
  await chat.getByTestId('sign-in').click();
  await chat.waitForURL(url => url.port === String(new URL(stack.idp).port));
  await chat.locator('input[name="password"]').waitFor({state: 'visible'});
});

test('an IdP without single logout: sign-out ends the chat sign-in only, and says so',
     {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required', noIdpLogout: true});
  t.after(() => stack.stop());
  const {sp} = stack;
  const chat = await signInInChatWindow(stack, 'silver');

  await chat.getByTestId('sign-out').click();
  const text = await signOutStatus(chat, 'local');
  assert.equal(text, 'Signed out of the chat. You are still signed in at your company\'s ' +
                     'sign-in service: it offers no single logout.');
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  await screenshot(chat, 'signed-out-local');
  assert.equal((await chatStart(chat)).signed_in, false);

  // Its session at the IdP stays: signing in again asks for nothing.
  await chat.getByTestId('sign-in').click();
  await chat.waitForURL(url => url.origin === sp && url.pathname === '/chat');
  await chat.getByTestId('sign-out').waitFor({state: 'visible'});
  assert.equal((await chatStart(chat)).signed_in, true);
});
