// A misconfigured SP: it trusts a throwaway certificate instead of the IdP's.
// The visitor signs in at the IdP, the ACS refuses the response, and the
// visitor sees a plain "Sign-in failed" page (no XML, no stack trace) with a
// way back to the chat; the admin page lists the failure with its code.
'use strict';
const test = require('node:test');
const assert = require('node:assert/strict');
const {startStack, screenshot, openChatWindow, fillIdpLogin, openAgentPage} = require('./harness');

test('sign-in with a wrong IdP certificate fails plainly and is listed for the admin',
     {timeout: 300000}, async t => {
  const stack = await startStack({signIn: 'required', wrongIdpCertificate: true});
  t.after(() => stack.stop());
  const {sp} = stack;

  const {chat} = await openChatWindow(stack);
  const visitor = await chat.getByTestId('chat-window').getAttribute('data-visitor');
  const signIn = chat.getByTestId('sign-in');
  await signIn.waitFor({state: 'visible'});
  await signIn.click();
  await (await fillIdpLogin(chat, stack, 'gold')).click();

  // The ACS answers with the plugin's failure page, not a redirect.
  await chat.waitForURL(url => url.origin === sp && url.pathname === '/sso/acs');
  await chat.getByRole('heading', {name: 'Sign-in failed'}).waitFor();
  const message = (await chat.getByTestId('sso-message').textContent()).trim();
  assert.match(message, /^We could not confirm your sign-in\./);
  // Plain words for the visitor; the details are for the admin.
  assert.doesNotMatch(message, /[<>]|xml|saml|signature|certificate|exception|stack/i);
  // The page shows only the stable error code besides: no markup, XML,
  // exception text or stack trace.
  const code = (await chat.getByTestId('sso-error-code').textContent()).trim();
  assert.match(code, /^[a-z0-9_]+(\.[a-z0-9_]+)+$/);
  const page = await chat.locator('body').innerText();
  assert.doesNotMatch(page, /[<>]|exception|stack|\bat \S+ \(|0x[0-9a-f]{4}|\.cpp\b/i);
  await screenshot(chat, 'failed-sign-in');

  // A way back to the chat (the return URL is known from the RelayState).
  const back = chat.getByTestId('sso-return');
  assert.equal(await back.getAttribute('href'), '/chat');
  await back.click();
  await chat.waitForURL(url => url.origin === sp && url.pathname === '/chat');
  await chat.getByTestId('sign-in').waitFor({state: 'visible'});
  assert.equal(await chat.getByTestId('message-input').isVisible(), false, 'still signed out');
  // Back from a failed sign-in the chat waits for the visitor instead of
  // sending them round to the IdP again (set in the same step as the link).
  assert.equal((await chat.getByRole('status').first().textContent()).trim(),
               'Please sign in to start the chat.');
  await screenshot(chat, 'failed-back-to-chat');

  const admin = await openAgentPage(stack, '/admin');
  await admin.getByTestId('plugin-description').filter({hasText: 'Sign-in policy'}).waitFor();
  // Newest first: the one failure of this test.
  const failure = admin.getByTestId('admin-failure-row').first();
  await failure.waitFor();
  assert.equal((await failure.getByTestId('admin-failure-code').textContent()).trim(), code);
  assert.equal(await admin.getByTestId('admin-failure-row').count(), 1);
  // Identical refusals fold into one row: seen once so far.
  assert.equal((await failure.getByTestId('admin-failure-count').textContent()).trim(), '1');
  assert.match(await failure.getByTestId('admin-failure-last-seen').textContent(),
               /^\d{4}-\d{2}-\d{2}T/);
  assert.match(await failure.textContent(), new RegExp(visitor));
  assert.match(await failure.textContent(), /\d{4}-\d{2}-\d{2}T/);
  await screenshot(admin, 'failed-admin');
});
