// Every page of `serve` and the plugin's sign-in failure page, in each state a
// visitor, agent or admin meets, checked with axe-core against WCAG 2.1 A and
// AA: labels, names, contrast, landmarks, language, duplicate IDs, ...
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const {startStack, screenshot, newPage, withTimeout, openChatWindow, signInAgent} =
    require('./harness');

const axeSource = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

async function expectAccessible(page, what) {
  // Evaluated through the DevTools protocol: the pages' CSP (script-src
  // 'self') rightly refuses an injected <script>.
  await page.evaluate(axeSource);
  const result = await page.evaluate(() => window.axe.run(document, {
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
  }));
  const found = result.violations.map(
      v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target.join(' ')).join(', ')}`);
  assert.deepEqual(found, [], `${what} has accessibility violations`);
  // axe ran rules, so an empty list means something.
  assert.ok(result.passes.length > 0, `${what}: axe checked nothing`);
}

test('every page passes axe-core WCAG 2.1 A/AA checks', {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'optional'});
  t.after(() => stack.stop());
  const {sp} = stack;

  const site = await newPage(stack);
  await site.goto(`${sp}/`);
  await expectAccessible(site, 'website');

  const embedding = await newPage(stack);
  await embedding.goto(`${sp}/?embed=1`);
  await embedding.getByTestId('chat-button').click();
  await embedding.frameLocator('iframe[title="Chat"]').getByTestId('sign-in').waitFor();
  await expectAccessible(embedding, 'website with the embedded chat open');

  const {chat} = await openChatWindow(stack);
  await chat.getByTestId('chat-as-guest').waitFor({state: 'visible'});
  await expectAccessible(chat, 'chat window offering sign-in');
  await chat.getByTestId('chat-as-guest').click();
  const form = chat.getByTestId('prechat-form');
  await form.waitFor({state: 'visible'});
  await expectAccessible(chat, 'chat window with the pre-chat survey');
  await form.getByLabel('Name').fill('Ada');
  await chat.getByTestId('prechat-submit').click();
  await chat.getByTestId('message-input').fill('Hello');
  await chat.getByTestId('message-send').click();
  await chat.getByTestId('message-list').filter({hasText: 'Hello'}).waitFor();
  await expectAccessible(chat, 'chat window in a conversation');

  const agent = await newPage(stack);
  await agent.goto(`${sp}/agent`);
  await agent.getByTestId('agent-login-submit').waitFor();
  await expectAccessible(agent, 'agent login page');
  await signInAgent(agent, stack);
  await agent.getByTestId('visitor-row').first().click();
  await agent.getByTestId('info-name').filter({hasText: 'Ada'}).waitFor();
  await agent.getByTestId('message-list').filter({hasText: 'Hello'}).waitFor();
  await expectAccessible(agent, 'agent console with a chat open');
  await agent.getByTestId('end-chat').click();
  await agent.getByText(/Transcript .* saved/).waitFor();

  const history = await newPage(stack);
  await history.goto(`${sp}/agent/history`);
  await history.getByTestId('history-row').first().waitFor();
  await expectAccessible(history, 'history with a transcript');

  const admin = await newPage(stack);
  await admin.goto(`${sp}/admin`);
  await admin.getByTestId('admin-certificate-row').first().waitFor();
  await expectAccessible(admin, 'admin page');

  // The plugin's own page for a refused sign-in, as the visitor gets it.
  const refused = await admin.request.post(`${sp}/sso/acs`, {form: {SAMLResponse: 'bm90IHhtbA=='}});
  assert.equal(refused.status(), 403);  // not XML: refused by validation
  const failure = await newPage(stack);
  await failure.setContent(await refused.text());
  await expectAccessible(failure, 'sign-in failure page');
  await screenshot(failure, 'sign-in-failure-page');
});

test('the sign-out control and the signed-out states pass axe-core', {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required'});
  t.after(() => stack.stop());
  const {sp} = stack;
  const {chat} = await openChatWindow(stack);
  await chat.locator('input[name="username"]').waitFor();
  await chat.locator('input[name="username"]').fill('gold');
  await chat.locator('input[name="password"]').fill('gold-pass');
  await chat.locator('#submit_button').click();
  await chat.getByTestId('sign-out').waitFor({state: 'visible'});
  await expectAccessible(chat, 'signed-in chat window with its sign-out button');
  await chat.getByTestId('sign-out').click();
  await chat.getByTestId('sign-out-status').waitFor({state: 'visible'});
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  await expectAccessible(chat, 'chat window after signing out');
  // The embedded chat's sign-out popup page, opened on its own.
  const popupPage = await newPage(stack);
  await popupPage.goto(`${sp}/chat/signed-out?sso_signed_out=idp`);
  await popupPage.getByTestId('sign-out-popup-status')
      .filter({hasText: 'You are signed out of the chat.'}).waitFor();
  await expectAccessible(popupPage, 'sign-out popup page');
});

test('keyboard only: a guest starts a chat and an agent answers', {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'optional'});
  t.after(() => stack.stop());
  const {context, sp} = stack;
  const focused = page => page.evaluate(() => {
    const e = document.activeElement;
    return e ? e.dataset.testid || e.id || e.tagName : null;
  });

  const site = await newPage(stack);
  await site.goto(`${sp}/`);
  await site.keyboard.press('Tab');
  assert.equal(await focused(site), 'chat-button', 'the chat button is the first stop');
  const [chat] = await Promise.all([context.waitForEvent('page'), site.keyboard.press('Enter')]);
  withTimeout(chat);
  await chat.getByTestId('chat-as-guest').waitFor({state: 'visible'});
  // The chat window puts the visitor on its first choice, then the next.
  await chat.waitForFunction(() => document.activeElement?.dataset.testid === 'sign-in');
  await chat.keyboard.press('Tab');
  assert.equal(await focused(chat), 'chat-as-guest');
  await chat.keyboard.press('Enter');
  await chat.getByTestId('prechat-form').waitFor({state: 'visible'});
  await chat.waitForFunction(() => document.activeElement?.id === 'f-name');
  await chat.keyboard.type('Keyboard Kim');
  await chat.keyboard.press('Tab');
  assert.equal(await focused(chat), 'f-email');
  await chat.keyboard.type('kim@example.net');
  await chat.keyboard.press('Enter');  // submits the survey
  await chat.waitForFunction(() => document.activeElement?.dataset.testid === 'message-input');
  await chat.keyboard.type('Typed, not clicked');
  await chat.keyboard.press('Enter');
  await chat.getByTestId('message-list').filter({hasText: 'Typed, not clicked'}).waitFor();
  await screenshot(chat, 'keyboard-chat');

  const agent = await newPage(stack);
  await agent.goto(`${sp}/agent`);
  // The agent signs in by keyboard too: user name, password, Enter.
  await agent.getByTestId('agent-login-username').focus();
  await agent.keyboard.type('agent');
  await agent.keyboard.press('Tab');
  assert.equal(await focused(agent), 'agent-login-password');
  await agent.keyboard.type(stack.agentPassword);
  await agent.keyboard.press('Enter');
  await agent.getByTestId('visitor-row').first().waitFor();
  // Header links first (Chats, History, Admin, Sign out), then the visitor list.
  for (let i = 0; i < 5; ++i) await agent.keyboard.press('Tab');
  assert.match(await agent.evaluate(() => document.activeElement.textContent), /Guest/);
  await agent.keyboard.press('Enter');
  await agent.getByTestId('info-name').filter({hasText: 'Keyboard Kim'}).waitFor();
  await agent.getByTestId('message-input').focus();
  await agent.keyboard.type('Answered by keyboard');
  await agent.keyboard.press('Enter');
  await chat.getByTestId('message-list').filter({hasText: 'Answered by keyboard'}).waitFor();
  await agent.keyboard.press('Tab');  // Send
  await agent.keyboard.press('Tab');  // End chat
  assert.equal(await focused(agent), 'end-chat');
  await agent.keyboard.press('Enter');
  await chat.getByText('The chat has ended.').waitFor();
  await screenshot(agent, 'keyboard-agent');
});
