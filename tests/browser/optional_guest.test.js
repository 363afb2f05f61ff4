// sign_in = optional: the visitor declines to sign in, answers the pre-chat
// survey, and the agent sees an unverified guest routed by the default rule.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {startStack, screenshot} = require('./harness');

test('optional sign-in: guest fills the survey', {timeout: 120000}, async t => {
  const stack = await startStack({signIn: 'optional'});
  t.after(() => stack.stop());
  const {context, sp} = stack;

  const site = await context.newPage();
  site.setDefaultTimeout(15000);
  await site.goto(`${sp}/`);
  const [chat] = await Promise.all([context.waitForEvent('page'),
                                    site.getByTestId('chat-button').click()]);
  chat.setDefaultTimeout(15000);
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

  const agent = await context.newPage();
  agent.setDefaultTimeout(15000);
  await agent.goto(`${sp}/agent`);
  await agent.getByTestId('visitor-row').first().getByRole('button').click();
  await agent.getByTestId('info-name').filter({hasText: 'Walk-in Visitor'}).waitFor();
  assert.equal((await agent.getByTestId('info-customer-id').textContent()).trim(), '');
  assert.match(await agent.getByTestId('info-verified').textContent(), /not verified/);
  assert.equal((await agent.getByTestId('routed-team').textContent()).trim(), 'General');
  // The default rule has no rule text.
  assert.equal((await agent.getByTestId('routed-rule').textContent()).trim(), '(default)');
  assert.match(await agent.getByTestId('prechat-section').textContent(), /walk\.in@example\.net/);
  await screenshot(agent, 'optional-agent-info');
});
