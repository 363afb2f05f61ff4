// sign_in = required, the chat window in its own window: the gold user signs
// in at SimpleSAMLphp, skips the survey, is routed to Gold Team, chats with
// an agent, and the saved transcript is found by customer ID in the history.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {startStack, screenshot, newPage, openChatWindow, fillIdpLogin, openAgentPage} =
    require('./harness');

test('required sign-in: gold user from chat button to history', {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {sp} = stack;

  // The chat opens in a window of its own.
  const {site, chat} = await openChatWindow(stack);
  await screenshot(site, 'website');
  const signIn = chat.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  // Required: no way around signing in.
  assert.equal(await chat.getByTestId('chat-as-guest').isVisible(), false);
  await screenshot(chat, 'chat-sign-in-required');

  // Own window: the chat window goes on to the IdP's sign-in page by itself.
  const submit = await fillIdpLogin(chat, stack, 'gold');
  await screenshot(chat, 'idp-login');
  await submit.click();

  // SimpleSAMLphp posts the response to the ACS, which sends the visitor back.
  await chat.waitForURL(url => url.origin === sp && url.pathname === '/chat');
  const input = chat.getByTestId('message-input');
  await input.waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('prechat-form').isVisible(), false, 'survey skipped');
  await screenshot(chat, 'chat-signed-in');

  // The console needs the agent's sign-in.
  const agent = await openAgentPage(stack);
  const row = agent.getByTestId('visitor-row').filter({hasText: 'cust-gold-001'});
  // The whole row selects the visitor.
  await row.click();
  await agent.getByTestId('info-customer-id').filter({hasText: 'cust-gold-001'}).waitFor();
  assert.equal((await agent.getByTestId('info-customer-id').textContent()).trim(), 'cust-gold-001');
  assert.equal((await agent.getByTestId('info-name').textContent()).trim(), 'Zoë Ångström');
  assert.match(await agent.getByTestId('custom-variables-section').textContent(), /gold/);
  assert.equal((await agent.getByTestId('routed-team').textContent()).trim(), 'Gold Team');
  await screenshot(agent, 'agent-info');

  await input.fill('Hello, where is my order?');
  await chat.getByTestId('message-send').click();
  await agent.getByTestId('message-list').filter({hasText: 'Hello, where is my order?'}).waitFor();
  await agent.getByTestId('message-input').fill('It ships today.');
  await agent.getByTestId('message-send').click();
  await chat.getByTestId('message-list').filter({hasText: 'It ships today.'}).waitFor();
  await screenshot(chat, 'chat-messages');
  await screenshot(agent, 'agent-messages');

  await agent.getByTestId('end-chat').click();
  await agent.getByText(/Transcript .* saved for customer cust-gold-001/).waitFor();
  await chat.getByText('The chat has ended.').waitFor();
  await screenshot(agent, 'agent-ended');

  const history = await newPage(stack);
  await history.goto(`${sp}/agent/history`);
  await history.getByTestId('history-filter-customer-id').fill('cust-gold-001');
  await history.getByRole('button', {name: 'Search'}).click();
  await history.waitForURL(/customer_id=cust-gold-001/);
  const rows = history.getByTestId('history-row');
  await rows.first().waitFor();
  assert.match(await rows.first().textContent(), /cust-gold-001/);
  assert.match(await rows.first().textContent(), /Gold Team/);
  await screenshot(history, 'history');
});

test('admin page describes the running plugin', {timeout: 180000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const admin = await openAgentPage(stack, '/admin');
  const description = admin.getByTestId('plugin-description');
  await description.filter({hasText: 'Sign-in policy'}).waitFor();
  const text = await description.textContent();
  assert.match(text, /required/);
  assert.match(text, /127\.0\.0\.1:\d+\/saml2\/idp\/metadata\.php/);
  await screenshot(admin, 'admin');
  const href = await admin.getByTestId('metadata-link').getAttribute('href');
  const metadata = await admin.request.get(new URL(href, stack.sp).toString());
  assert.equal(metadata.status(), 200);
  assert.match(await metadata.text(), /AssertionConsumerService/);

  // No sign-in was attempted: the failures table says so.
  const failures = admin.getByTestId('admin-failures');
  await failures.filter({hasText: 'None.'}).waitFor();
  assert.equal(await admin.getByTestId('admin-failure-row').count(), 0);

  // The plugin's overview: the IdP's certificate, the mappings, the rules.
  const certificate = admin.getByTestId('admin-certificate-row').first();
  await certificate.waitFor();
  assert.match(await certificate.textContent(), /visitor-sso test IdP/);
  const notAfter = (await certificate.getByTestId('admin-certificate-not-after').textContent()).trim();
  assert.match(notAfter, /^\d{4}-\d{2}-\d{2}T/);
  assert.ok(Date.parse(notAfter) > Date.now(), `not after ${notAfter} is in the future`);
  assert.match(await certificate.getByTestId('admin-certificate-status').textContent(),
               /^expires in \d+ days$/);

  // The five [mapping] lines of the harness's configuration, in file order.
  const mappings = admin.getByTestId('admin-mapping-row');
  await mappings.first().waitFor();
  assert.equal(await mappings.count(), 5);
  assert.match(await mappings.first().textContent(), /displayName/);
  assert.match(await admin.getByTestId('admin-mappings').textContent(), /membership_level/);

  const rule = admin.getByTestId('admin-routing-rule-row');
  await rule.first().waitFor();
  assert.equal(await rule.count(), 1);
  assert.match(await rule.first().textContent(), /membership_level.*gold/);
  assert.match(await rule.first().textContent(), /Gold Team/);
  assert.equal((await admin.getByTestId('admin-default-team').textContent()).trim(), 'General');
  await screenshot(admin, 'admin-overview');

  // Signing out ends the session: the console asks for the password again.
  await admin.getByTestId('agent-sign-out').click();
  await admin.getByTestId('agent-login-submit').waitFor();
  await admin.goto(`${stack.sp}/agent`);
  await admin.getByTestId('agent-login-password').waitFor();
  assert.equal(await admin.getByTestId('visitor-list').count(), 0);
  const api = await admin.request.get(`${stack.sp}/api/agent/chats`);
  assert.equal(api.status(), 401);
});
