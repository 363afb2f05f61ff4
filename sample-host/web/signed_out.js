// The last page of the sign-out popup of an embedded chat (/chat/signed-out,
// the return path of the sign-out form the chat window posted into this
// popup). The plugin put the result in ?sso_signed_out=; it goes to the
// opener only if the opener is on this origin (postMessage's targetOrigin),
// and the popup closes. Nothing secret is passed: the chat window asks the
// host where it stands anyway.
'use strict';
(function () {
  const result = new URLSearchParams(location.search).get('sso_signed_out') || '';
  const statusLine = document.getElementById('status');
  if (!window.opener) {
    statusLine.textContent = result === 'none' ? 'You were not signed in to the chat.'
                                               : 'You are signed out of the chat. You can close this window.';
    return;
  }
  window.opener.postMessage({type: 'vsso-signed-out', result}, location.origin);
  statusLine.textContent = 'You are signed out of the chat. You can close this window.';
  window.close();
})();
