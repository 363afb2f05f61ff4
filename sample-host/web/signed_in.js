// The last page of the sign-in popup of an embedded chat (/chat/signed-in,
// the return address of /chat/sign-in). The popup's visitor is signed in
// now; the chat in the iframe is another visitor when the website is on
// another site (partitioned cookies). The plugin turns this visitor's sign-in
// into a one-time code (the site's /sso/[<site>/]handoff, 60 s, single use), which goes to the
// opener only if it is on this origin (postMessage's targetOrigin), and
// never into a URL.
'use strict';
(async function () {
  const statusLine = document.getElementById('status');
  let r;
  try {
    r = await api('POST', document.getElementById('signed-in').dataset.handoff, {});
  } catch {
    r = {ok: false, message: 'the chat service cannot be reached'};
  }
  if (!r.ok) {
    statusLine.textContent = 'Your sign-in could not be passed to the chat: ' + (r.message || r.code);
    return;
  }
  if (!window.opener) {
    statusLine.textContent = 'You are signed in. Go back to the chat window and sign in there.';
    return;
  }
  window.opener.postMessage({type: 'vsso-code', code: r.code}, location.origin);
  statusLine.textContent = 'You are signed in. You can close this window.';
  window.close();
})();
