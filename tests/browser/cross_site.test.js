// The chat host (127.0.0.1) against other sites (localhost), as on real
// customer websites and as an attacker's page would be. The IdP on another
// port of 127.0.0.1 is same-site with the chat host, so it alone would let a
// SameSite mistake pass unseen (issue 9).
//
// 1. The website on another site embeds the chat: a third-party iframe whose
//    cookies are partitioned, so the first-party sign-in popup is another
//    visitor. The popup hands a one-time code to the iframe (postMessage to
//    the chat host's origin), which redeems it for its own visitor; the
//    agent sees the verified customer.
// 2. An attacker's page on another site posts a forged message into a
//    victim's chat (a text/plain form, no CORS preflight) and replays the
//    attacker's own SAMLResponse and RelayState, captured in another browser,
//    at the victim's ACS (login CSRF). Neither changes anything.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const {startStack, screenshot, withTimeout, newPage, openChatWindow, fillIdpLogin, openAgentPage,
       otherBrowser} = require('./harness');

test('chat embedded on a website of another site signs in through the popup hand-off',
     {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {context, sp, website} = stack;
  assert.notEqual(new URL(website).hostname, new URL(sp).hostname);

  const site = await newPage(stack);
  await site.goto(`${website}/?embed=1`);
  await site.getByTestId('chat-button').click();
  const frameElement = site.locator('iframe[title="Chat"]');
  await frameElement.waitFor();
  // The chat comes from the chat host, not from the website's origin.
  assert.equal(await frameElement.getAttribute('src'), `${sp}/chat`);
  const chat = site.frameLocator('iframe[title="Chat"]');
  const visitor = await chat.getByTestId('chat-window').getAttribute('data-visitor');
  assert.match(visitor, /^[0-9a-f]{32}$/);
  const signIn = chat.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  await screenshot(site, 'cross-site-embedded');

  // The popup is first-party on the chat host: a visitor of its own.
  const [popup] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
  withTimeout(popup);
  await chat.getByTestId('chat-window')
      .getByRole('status').filter({hasText: 'Finish signing in in the new window.'}).waitFor();
  const submit = await fillIdpLogin(popup, stack, 'gold');
  await screenshot(popup, 'cross-site-idp-login');
  await Promise.all([popup.waitForEvent('close'), submit.click()]);

  // The iframe's own visitor is signed in now: straight to the chat.
  const input = chat.getByTestId('message-input');
  await input.waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('prechat-form').isVisible(), false, 'survey skipped');
  assert.match(await chat.getByTestId('chat-window').getByRole('status').textContent(),
               /Gold Team/);
  await screenshot(site, 'cross-site-signed-in');

  const agent = await openAgentPage(stack);
  const row = agent.getByTestId('visitor-row').filter({hasText: visitor});
  await row.getByRole('button').click();
  await agent.getByTestId('info-customer-id').filter({hasText: 'cust-gold-001'}).waitFor();
  assert.match(await agent.getByTestId('info-verified').textContent(), /verified by/);
  assert.equal((await agent.getByTestId('routed-team').textContent()).trim(), 'Gold Team');
  // The popup's visitor opened no chat: one row, the iframe's.
  assert.equal(await agent.getByTestId('visitor-row').count(), 1);

  await input.fill('Hello from another site');
  await chat.getByTestId('message-send').click();
  await agent.getByTestId('message-list').filter({hasText: 'Hello from another site'}).waitFor();
  await agent.getByTestId('message-input').fill('Welcome back');
  await agent.getByTestId('message-send').click();
  await chat.getByTestId('message-list').filter({hasText: 'Welcome back'}).waitFor();
  await screenshot(agent, 'cross-site-agent');
});

// A page of the attacker's site (localhost, another port), served by this test.
async function attackerSite(t) {
  let html = '';
  const server = http.createServer((request, response) => {
    response.writeHead(200, {'Content-Type': 'text/html; charset=utf-8'});
    response.end(html);
  });
  await new Promise(resolve => server.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise(resolve => server.close(resolve)));
  return {
    url: `http://localhost:${server.address().port}/`,
    serve(page) { html = page; },
  };
}

function escapeAttribute(text) {
  return text.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
}

test('an attacker page on another site can neither write nor sign the victim in',
     {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'optional'});
  t.after(() => stack.stop());
  const {sp} = stack;
  const attacker = await attackerSite(t);

  // The victim chats as a guest.
  const {chat} = await openChatWindow(stack);
  const victim = await chat.getByTestId('chat-window').getAttribute('data-visitor');
  await chat.getByTestId('chat-as-guest').click();
  await chat.getByTestId('prechat-form').getByLabel('Name').fill('Victoria');
  await chat.getByTestId('prechat-submit').click();
  await chat.getByTestId('message-input').fill('Hello, I am the real visitor');
  await chat.getByTestId('message-send').click();
  const agent = await openAgentPage(stack);
  await agent.getByTestId('visitor-row').filter({hasText: victim}).getByRole('button').click();
  await agent.getByTestId('message-list').filter({hasText: 'I am the real visitor'}).waitFor();
  const chatId = (await agent.locator('#d-chat').textContent()).trim();
  assert.ok(chatId);

  // 1. A form on the attacker's site posts JSON-looking text/plain into the
  //    victim's chat, with the victim's cookies (the visitor cookie is
  //    SameSite=None, so only the host's own checks stand in the way).
  attacker.serve(`<!doctype html><html lang="en"><title>Win a prize</title>
<form method="post" action="${sp}/api/chat/messages" enctype="text/plain">
<input type="hidden" name='{"chat":"${chatId}","text":"Pay to this account","x":"' value='"}'>
</form><script>document.forms[0].submit()</script></html>`);
  const forged = await newPage(stack);
  const [forgedResponse] = await Promise.all([
    forged.waitForResponse(r => r.url() === `${sp}/api/chat/messages`),
    forged.goto(attacker.url)]);
  assert.equal(forgedResponse.status(), 403);
  assert.match(await forgedResponse.text(), /host\.cross_site/);
  await screenshot(forged, 'attacker-forged-message');

  // 2. Login CSRF: the attacker signs in at the IdP as silver in a browser of
  //    their own and keeps the response their browser would have posted.
  const attackerBrowser = await otherBrowser(stack);
  const own = withTimeout(await attackerBrowser.newPage());
  let captured = null;
  await own.route(`${sp}/sso/acs`, route => {
    captured = route.request().postData();
    route.abort();
  });
  await own.goto(`${sp}/chat`);
  await own.getByTestId('sign-in').click();
  const submit = await fillIdpLogin(own, stack, 'silver');
  await Promise.all([own.waitForEvent('requestfailed', r => r.url() === `${sp}/sso/acs`),
                     submit.click()]);
  const form = new URLSearchParams(captured);
  assert.ok(form.get('SAMLResponse'), 'captured a SAMLResponse');
  assert.ok(form.get('RelayState'), 'captured a RelayState');

  //    The attacker's page makes the victim's browser post them.
  attacker.serve(`<!doctype html><html lang="en"><title>Win a prize</title>
<form method="post" action="${sp}/sso/acs">
<input type="hidden" name="SAMLResponse" value="${escapeAttribute(form.get('SAMLResponse'))}">
<input type="hidden" name="RelayState" value="${escapeAttribute(form.get('RelayState'))}">
</form><script>document.forms[0].submit()</script></html>`);
  const csrf = await newPage(stack);
  const [acs] = await Promise.all([
    csrf.waitForResponse(r => r.url() === `${sp}/sso/acs`),
    csrf.goto(attacker.url)]);
  assert.equal(acs.status(), 403, 'the ACS refuses a sign-in this browser did not start');
  await screenshot(csrf, 'attacker-login-csrf');

  // Nothing changed: the victim's chat has no forged message, and the victim
  // is still the guest (no silver identity anywhere).
  await agent.reload();
  await agent.getByTestId('visitor-row').filter({hasText: victim}).getByRole('button').click();
  await agent.getByTestId('message-list').filter({hasText: 'I am the real visitor'}).waitFor();
  assert.doesNotMatch(await agent.getByTestId('message-list').textContent(), /Pay to this account/);
  assert.match(await agent.getByTestId('info-verified').textContent(), /not verified/);
  assert.equal((await agent.getByTestId('info-name').textContent()).trim(), 'Victoria');
  assert.doesNotMatch(await agent.getByTestId('visitor-list').textContent(), /cust-silver-002/);
  const fresh = await newPage(stack);
  await fresh.goto(`${sp}/chat`);
  assert.equal(await fresh.getByTestId('chat-window').getAttribute('data-visitor'), victim);
  await fresh.getByTestId('chat-window').getByRole('status')
      .filter({hasText: 'You are chatting with'}).waitFor();
  await screenshot(agent, 'attacker-nothing-changed');
});
