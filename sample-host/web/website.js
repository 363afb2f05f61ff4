// The website's chat button. website.html: it opens the chat window in a
// window of its own. website_embed.html: it shows the chat window in an
// iframe of this page, created on the first click (the moment the chat
// opens), and shows and hides it after; the IdP cannot be framed, so that
// chat signs in in a popup (chat.js).
'use strict';
const button = document.getElementById('chat-button');

if (button.tagName === 'A') {
  button.addEventListener('click', function (event) {
    const w = window.open(this.href, 'vsso-chat', 'width=440,height=680');
    if (w) {
      event.preventDefault();
      w.focus();
    }
  });
} else {
  button.addEventListener('click', function () {
    const panel = document.getElementById('chat-panel');
    let frame = document.getElementById('chat-frame');
    if (!frame) {
      frame = el('iframe', {id: 'chat-frame', 'data-testid': 'chat-frame', title: 'Chat',
                            src: this.dataset.src, class: 'chat-frame'});
      panel.append(frame);
    } else if (!panel.hidden) {
      panel.hidden = true;
      this.setAttribute('aria-expanded', 'false');
      return;
    }
    panel.hidden = false;
    this.setAttribute('aria-expanded', 'true');
    frame.focus();
  });
}
