// sign_in = required, the chat window embedded in the website (/?embed=1):
// the IdP refuses to be framed, so the chat signs in in a popup. The popup
// ends on the host's /chat/signed-in page, which hands the chat in the
// iframe a one-time code (postMessage to the chat host's origin only) and
// closes itself; the chat redeems it and continues signed in as gold.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {startStack, screenshot, timeout, withTimeout, newPage, openAgentPage} = require('./harness');

test('required sign-in in a popup from the embedded chat', {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {context, sp} = stack;

  const site = await newPage(stack);
  await site.goto(`${sp}/?embed=1`);
  const button = site.getByTestId('chat-button');
  assert.equal(await button.getAttribute('aria-expanded'), 'false');
  await screenshot(site, 'embedded-website');

  // The chat opens inside the page, not in a window of its own; by keyboard too.
  const pagesBefore = context.pages().length;
  await button.focus();
  await site.keyboard.press('Enter');
  await site.getByRole('button', {name: 'Chat with us', expanded: true}).waitFor();
  const frameElement = site.locator('iframe[title="Chat"]');
  await frameElement.waitFor();
  // The chat URL names no visitor: the host knows it from its cookie.
  assert.equal(await frameElement.getAttribute('src'), '/chat');
  const chat = site.frameLocator('iframe[title="Chat"]');
  const visitor = await chat.getByTestId('chat-window').getAttribute('data-visitor');
  assert.ok(visitor, 'the chat window names its visitor');
  const signIn = chat.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('chat-as-guest').isVisible(), false);
  assert.equal(context.pages().length, pagesBefore, 'no window opened for the chat');
  await screenshot(site, 'embedded-sign-in-required');

  // Sign-in opens a popup on the IdP (it cannot be framed).
  const [popup] = await Promise.all([context.waitForEvent('page'), signIn.click()]);
  withTimeout(popup);
  await chat.getByTestId('chat-window')
      .getByRole('status').filter({hasText: 'Finish signing in in the new window.'}).waitFor();
  await popup.waitForURL(url => url.port === String(new URL(stack.idp).port));
  const username = popup.locator('input[name="username"]');
  await username.waitFor();
  await screenshot(popup, 'embedded-idp-login');
  await username.fill('gold');
  await popup.locator('input[name="password"]').fill('gold-pass');
  // The popup reports the sign-in to the chat in the iframe (its opener).
  const chatFrame = site.frame({url: url => new URL(url).pathname === '/chat'});
  const notified = chatFrame.evaluate(wait => new Promise(resolve => {
    window.addEventListener('message', e => resolve({origin: e.origin, data: e.data}));
    setTimeout(() => resolve(null), wait);
  }), timeout);
  // The ACS sends the popup to /chat/signed-in, which closes it.
  await Promise.all([popup.waitForEvent('close', {timeout}),
                     popup.locator('#submit_button').click()]);
  assert.equal(popup.isClosed(), true);
  // A one-time code, from the chat host's origin (never in a URL).
  const message = await notified;
  assert.ok(message, 'the popup posted to the chat');
  assert.equal(message.origin, sp);
  assert.equal(message.data.type, 'vsso-code');
  assert.match(message.data.code, /^[0-9a-f]{32}$/);

  // The iframe's chat goes on, signed in: no survey.
  const input = chat.getByTestId('message-input');
  await input.waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('prechat-form').isVisible(), false, 'survey skipped');
  assert.equal(await chat.getByTestId('sign-in').isVisible(), false);
  assert.match(await chat.getByTestId('chat-window').getByRole('status').textContent(),
               /Gold Team/);
  // No second chat window was left behind.
  assert.deepEqual(context.pages().filter(p => new URL(p.url()).pathname === '/chat'), []);
  await screenshot(site, 'embedded-signed-in');

  const agent = await openAgentPage(stack);
  const row = agent.getByTestId('visitor-row').filter({hasText: visitor});
  await row.getByRole('button').click();
  await agent.getByTestId('info-customer-id').filter({hasText: 'cust-gold-001'}).waitFor();
  assert.equal((await agent.getByTestId('info-name').textContent()).trim(), 'Zoë Ångström');
  assert.match(await agent.getByTestId('info-verified').textContent(), /verified by/);
  assert.equal((await agent.getByTestId('routed-team').textContent()).trim(), 'Gold Team');
  assert.equal(await agent.getByTestId('visitor-row').count(), 1, 'one chat, not two');

  await input.fill('Hello from the embedded chat');
  await chat.getByTestId('message-send').click();
  await agent.getByTestId('message-list')
      .filter({hasText: 'Hello from the embedded chat'}).waitFor();
  await screenshot(agent, 'embedded-agent-info');
});
