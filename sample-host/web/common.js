// Shared by every page: JSON calls and DOM building without innerHTML
// (every value from the server goes in as text).
'use strict';
/* exported api, el, sleep, fillFields */

// A JSON call to this origin. An agent page whose session has ended reloads:
// the host then answers with its login page.
async function api(method, url, body, signal) {
  const options = {method, credentials: 'same-origin', signal};
  if (body !== undefined) {
    options.headers = {'Content-Type': 'application/json'};
    options.body = JSON.stringify(body);
  }
  const response = await fetch(url, options);
  if (response.status === 401 && document.body.dataset.agentPage === 'true') {
    location.reload();
  }
  return response.json();
}

function el(tag, attrs, text) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  if (text !== undefined && text !== null) node.textContent = String(text);
  return node;
}

function sleep(ms) { return new Promise(resolve => setTimeout(resolve, ms)); }

function fillFields(dl, fields) {
  dl.replaceChildren();
  for (const f of fields || []) {
    dl.append(el('dt', {}, f.label), el('dd', {}, f.value));
  }
}
