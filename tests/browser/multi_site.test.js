// Two websites of one platform (issue 12): "acme" requires sign-in, "globex"
// offers it, each an SP of its own at the local SimpleSAMLphp IdP and a
// website of its own under /s/<site>/ of one chat host.
//
// 1. The gold user signs in on acme's chat; the agent console, filtered to
//    acme, shows the verified customer. The same browser then opens globex's
//    chat: acme's session does not sign it in there (it is offered sign-in
//    and goes on as a guest), and the agent sees an unverified guest on
//    globex. Each site's History lists only its own transcript.
// 2. globex's chat embedded on a website of another site signs in through the
//    popup hand-off, which runs at globex's own /sso/globex/ endpoints.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {startStack, screenshot, withTimeout, newPage, openChatWindow, fillIdpLogin, openAgentPage} =
    require('./harness');

const sites = {acme: 'required', globex: 'optional'};

// Selects the chat whose row shows `text` in the console and ends it.
async function endChat(agent, text) {
  await agent.getByTestId('visitor-row').filter({hasText: text}).getByRole('button').click();
  await agent.getByTestId('end-chat').click();
  await agent.getByText(/Transcript .* saved/).waitFor();
}

test('two sites: sign-in on acme is not a sign-in on globex, each History is its own',
     {timeout: 300000}, async t => {
  const stack = await startStack({sites});
  t.after(() => stack.stop());
  const {sp} = stack;

  // acme: required, the chat window goes on to the IdP by itself.
  const {site: acmeSite, chat: acme} = await openChatWindow(stack, 'acme');
  assert.equal((await acmeSite.getByTestId('website-site').textContent()).trim(), 'acme');
  await acme.getByTestId('sign-in').waitFor({state: 'visible'});
  assert.equal(await acme.getByTestId('chat-as-guest').isVisible(), false);
  assert.match(await acme.getByTestId('sign-in').getAttribute('href'), /^\/sso\/acme\/login\?/);
  const submit = await fillIdpLogin(acme, stack, 'gold');
  await submit.click();
  await acme.waitForURL(url => url.origin === sp && url.pathname === '/s/acme/chat');
  await acme.getByTestId('message-input').waitFor({state: 'visible'});
  assert.match(await acme.getByTestId('chat-window').getByRole('status').textContent(),
               /Gold Team/);
  await screenshot(acme, 'acme-signed-in');

  // globex in the same browser (its cookies, and a live IdP session): not
  // signed in by acme's sign-in; it offers sign-in, the visitor is a guest.
  const {chat: globex} = await openChatWindow(stack, 'globex');
  assert.equal(await globex.getByTestId('chat-window').getAttribute('data-site'), 'globex');
  const guest = globex.getByTestId('chat-as-guest');
  await guest.waitFor({state: 'visible'});
  assert.equal(await globex.getByTestId('sign-in').isVisible(), true);
  assert.match(await globex.getByTestId('sign-in').getAttribute('href'), /^\/sso\/globex\/login\?/);
  await screenshot(globex, 'globex-offer');
  await guest.click();
  const form = globex.getByTestId('prechat-form');
  await form.waitFor({state: 'visible'});
  await form.getByLabel('Name').fill('Globex Walk-in');
  await globex.getByTestId('prechat-submit').click();
  await globex.getByTestId('message-input').waitFor({state: 'visible'});
  await screenshot(globex, 'globex-guest-chat');

  // The console filtered to acme: one chat, the verified gold customer.
  const agent = await openAgentPage(stack, '/agent?site=acme');
  assert.equal(await agent.getByTestId('site-select').inputValue(), 'acme');
  const acmeRow = agent.getByTestId('visitor-row').filter({hasText: 'cust-gold-001'});
  await acmeRow.waitFor();
  assert.equal(await agent.getByTestId('visitor-row').count(), 1);
  await acmeRow.getByRole('button').click();
  await agent.getByTestId('info-customer-id').filter({hasText: 'cust-gold-001'}).waitFor();
  assert.match(await agent.getByTestId('info-verified').textContent(), /^✔ verified by http:/);
  assert.equal((await agent.getByTestId('chat-site').textContent()).trim(), 'acme');
  assert.equal((await agent.getByTestId('routed-team').textContent()).trim(), 'Gold Team');
  await screenshot(agent, 'agent-acme');

  // globex through the selector: one chat, an unverified guest.
  await agent.getByTestId('site-select').selectOption('globex');
  await agent.getByRole('button', {name: 'Show'}).click();
  await agent.waitForURL(/site=globex/);
  const globexRow = agent.getByTestId('visitor-row').filter({hasText: 'Guest'});
  await globexRow.waitFor();
  assert.equal(await agent.getByTestId('visitor-row').count(), 1);
  assert.doesNotMatch(await globexRow.textContent(), /cust-gold-001/);
  await globexRow.getByRole('button').click();
  await agent.getByTestId('info-name').filter({hasText: 'Globex Walk-in'}).waitFor();
  assert.match(await agent.getByTestId('info-verified').textContent(), /not verified/);
  assert.equal((await agent.getByTestId('info-customer-id').textContent()).trim(), '');
  assert.equal((await agent.getByTestId('chat-site').textContent()).trim(), 'globex');
  await screenshot(agent, 'agent-globex');

  // All sites: both chats, each naming its site.
  await agent.goto(`${sp}/agent`);
  await agent.getByTestId('visitor-row').nth(1).waitFor();
  assert.equal(await agent.getByTestId('visitor-row').count(), 2);
  await endChat(agent, 'cust-gold-001');
  await endChat(agent, 'globex');
  await screenshot(agent, 'agent-all-sites-ended');

  // Each site's History shows its own transcript only.
  const history = await newPage(stack);
  await history.goto(`${sp}/agent/history?site=acme`);
  const rows = history.getByTestId('history-row');
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /cust-gold-001/);
  assert.match(await history.getByRole('status').textContent(), /on site acme/);
  await screenshot(history, 'history-acme');
  // The selector switches the site; a customer ID of acme finds nothing on globex.
  await history.getByTestId('history-site').selectOption('globex');
  await history.getByTestId('history-filter-customer-id').fill('cust-gold-001');
  await history.getByRole('button', {name: 'Search'}).click();
  await history.waitForURL(/site=globex.*customer_id=cust-gold-001/);
  await history.getByRole('status').filter({hasText: '0 transcript(s) on site globex'}).waitFor();
  assert.equal(await history.getByTestId('history-row').count(), 0);
  await history.goto(`${sp}/agent/history?site=globex`);
  await rows.first().waitFor();
  assert.equal(await rows.count(), 1);
  assert.match(await rows.first().textContent(), /guest/);
  assert.doesNotMatch(await rows.first().textContent(), /cust-gold-001/);
  await screenshot(history, 'history-globex');

  // The admin page describes the site picked.
  const admin = await newPage(stack);
  await admin.goto(`${sp}/admin?site=globex`);
  const description = admin.getByTestId('plugin-description');
  await description.filter({hasText: 'optional'}).waitFor();
  assert.match(await description.textContent(), /\/sso\/globex\/metadata/);
  assert.equal(await admin.getByTestId('admin-site').inputValue(), 'globex');
  assert.equal(await admin.getByTestId('metadata-link').getAttribute('href'),
               '/sso/globex/metadata');
  await screenshot(admin, 'admin-globex');
});

test('two sites: globex embedded on another site signs in through its own hand-off',
     {timeout: 300000}, async t => {
  const stack = await startStack({sites});
  t.after(() => stack.stop());
  const {context, sp, website} = stack;

  const page = await newPage(stack);
  await page.goto(`${website}/s/globex/?embed=1`);
  await page.getByTestId('chat-button').click();
  const frameElement = page.locator('iframe[title="Chat"]');
  await frameElement.waitFor();
  assert.equal(await frameElement.getAttribute('src'), `${sp}/s/globex/chat`);
  const chat = page.frameLocator('iframe[title="Chat"]');
  const signIn = chat.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  const [popup] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
  withTimeout(popup);
  const submit = await fillIdpLogin(popup, stack, 'silver');
  await Promise.all([popup.waitForEvent('close'), submit.click()]);
  await chat.getByTestId('message-input').waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('prechat-form').isVisible(), false, 'survey skipped');
  await screenshot(page, 'globex-embedded-signed-in');

  const agent = await openAgentPage(stack, '/agent?site=globex');
  const row = agent.getByTestId('visitor-row').filter({hasText: 'cust-silver-002'});
  await row.getByRole('button').click();
  await agent.getByTestId('info-customer-id').filter({hasText: 'cust-silver-002'}).waitFor();
  assert.equal((await agent.getByTestId('chat-site').textContent()).trim(), 'globex');
  // acme has no chat at all (what the console's list is built from, asked
  // from the console's page with its session).
  const acme = await agent.evaluate(
      () => fetch('/api/agent/chats?site=acme', {credentials: 'same-origin'}).then(r => r.json()));
  assert.equal(acme.ok, true);
  assert.deepEqual(acme.chats, []);
});
