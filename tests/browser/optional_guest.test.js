// sign_in = optional: one visitor declines to sign in, answers the pre-chat
// survey, and the agent sees an unverified guest routed by the default rule.
// Another visitor (another browser: no cookies) signs in as silver instead,
// skips the survey, and the agent sees the verified customer.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {startStack, screenshot, openChatWindow, fillIdpLogin, signInAgent, openAgentPage} =
    require('./harness');

test('optional sign-in: a guest fills the survey, a signed-in visitor does not',
     {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'optional'});
  t.after(() => stack.stop());
  const {context, sp} = stack;

  const {chat} = await openChatWindow(stack);
  const guestVisitor = await chat.getByTestId('chat-window').getAttribute('data-visitor');
  const guest = chat.getByTestId('chat-as-guest');
  await guest.waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('sign-in').isVisible(), true);
  await screenshot(chat, 'optional-offer');

  await guest.click();
  const form = chat.getByTestId('prechat-form');
  await form.waitFor({state: 'visible'});
  await form.getByLabel('Name').fill('Walk-in Visitor');
  await form.getByLabel('Email').fill('walk.in@example.net');
  await screenshot(chat, 'optional-prechat');
  await chat.getByTestId('prechat-submit').click();
  await chat.getByTestId('message-input').waitFor({state: 'visible'});
  assert.equal(await form.isVisible(), false);
  await screenshot(chat, 'optional-chat');

  const agent = await openAgentPage(stack);
  await agent.getByTestId('visitor-row').filter({hasText: guestVisitor}).getByRole('button').click();
  await agent.getByTestId('info-name').filter({hasText: 'Walk-in Visitor'}).waitFor();
  assert.equal((await agent.getByTestId('info-customer-id').textContent()).trim(), '');
  assert.match(await agent.getByTestId('info-verified').textContent(), /not verified/);
  assert.equal((await agent.getByTestId('routed-team').textContent()).trim(), 'General');
  // The default rule has no rule text.
  assert.equal((await agent.getByTestId('routed-rule').textContent()).trim(), '(default)');
  assert.match(await agent.getByTestId('prechat-section').textContent(), /walk\.in@example\.net/);
  await screenshot(agent, 'optional-agent-info');

  // Another visitor: the host hands out a new visitor ID when there is no
  // cookie. (That signs the agent out too: the console shows the login page.)
  await context.clearCookies();
  const {chat: chat2} = await openChatWindow(stack);
  const visitor = await chat2.getByTestId('chat-window').getAttribute('data-visitor');
  assert.ok(visitor);
  assert.notEqual(visitor, guestVisitor);
  const signIn = chat2.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  assert.equal(await chat2.getByTestId('chat-as-guest').isVisible(), true);
  await signIn.click();
  const submit = await fillIdpLogin(chat2, stack, 'silver');
  await screenshot(chat2, 'optional-idp-login');
  await submit.click();
  await chat2.waitForURL(url => url.origin === sp && url.pathname === '/chat');
  // Signed in: straight to the chat, no survey.
  await chat2.getByTestId('message-input').waitFor({state: 'visible'});
  assert.equal(await chat2.getByTestId('prechat-form').isVisible(), false, 'survey skipped');
  assert.equal(await chat2.getByTestId('sign-in').isVisible(), false);
  await screenshot(chat2, 'optional-signed-in-chat');

  // Rows read "Customer ID · visitor-id · status · team" ("Guest" for guests);
  // the list refreshes on its own.
  await agent.goto(`${sp}/agent`);
  await signInAgent(agent, stack);
  const row = agent.getByTestId('visitor-row').filter({hasText: visitor});
  await row.getByRole('button').click();
  await agent.getByTestId('info-customer-id').filter({hasText: 'cust-silver-002'}).waitFor();
  assert.equal((await agent.getByTestId('info-customer-id').textContent()).trim(),
               'cust-silver-002');
  assert.match(await agent.getByTestId('info-verified').textContent(), /^✔ verified by http:/);
  // The display name has XML/HTML specials; it arrives as text, unchanged.
  assert.equal((await agent.getByTestId('info-name').textContent()).trim(), 'Tom & "Jerry" <Sales>');
  assert.equal((await agent.getByTestId('routed-team').textContent()).trim(), 'General');
  assert.equal(await agent.getByTestId('visitor-row').count(), 2);
  await screenshot(agent, 'optional-agent-signed-in');
});
