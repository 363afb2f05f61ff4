// Shared by every page: JSON calls and DOM building without innerHTML
// (every value from the server goes in as text).
'use strict';
/* exported api, el, sleep, fillFields, siteSelect */

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

// The site selector of an agent page (in an element of class site-picker):
// one option per site the host serves (the body's data-sites), after "All
// sites" (value '') when `all`. Returns the page's ?site=, else '' (all) or
// the first site; a site the host does not serve is returned as asked, so
// the API's answer names the problem. With one site there is nothing to pick.
function siteSelect(select, all) {
  const sites = (document.body.dataset.sites || '').split(' ').filter(Boolean);
  if (all) select.append(el('option', {value: ''}, 'All sites'));
  for (const site of sites) select.append(el('option', {value: site}, site));
  const asked = new URLSearchParams(location.search).get('site') || '';
  const chosen = asked || (all ? '' : sites[0] || '');
  select.value = chosen;
  if (sites.length < 2) select.closest('.site-picker').hidden = true;
  return chosen;
}
