// The read-only admin page: what the plugin reports through /api/admin
// (Describe, GetAdminOverview): warnings, certificates, mappings, routing
// rules and the last refused sign-ins, of the site picked (?site=).
'use strict';

// Fields the plugin could not report are left out: each list is then empty.
function list(value) { return Array.isArray(value) ? value : []; }

// One row per item; `cells` gives [text, attributes] pairs. Empty: "None.".
function fillTable(id, items, rowTestId, cells) {
  const body = document.getElementById(id);
  body.replaceChildren();
  const columns = body.parentElement.querySelectorAll('thead th').length;
  if (items.length === 0) {
    const row = el('tr');
    row.append(el('td', {colspan: String(columns)}, 'None.'));
    body.append(row);
    return;
  }
  for (const item of items) {
    const row = el('tr', {'data-testid': rowTestId});
    for (const [text, attrs] of cells(item)) row.append(el('td', attrs || {}, text ?? ''));
    body.append(row);
  }
}

// The status cell of a certificate: a warning colour from 30 days left.
function expiry(days) {
  const attrs = {'data-testid': 'admin-certificate-status'};
  if (typeof days !== 'number') return ['', attrs];
  if (days <= 30) attrs.class = 'expired';
  if (days < 0) return ['EXPIRED', attrs];
  if (days === 0) return ['expires today', attrs];
  return ['expires in ' + days + (days === 1 ? ' day' : ' days'), attrs];
}

(async function () {
  let r;
  try {
    const site = siteSelect(document.getElementById('site'), false);
    r = await api('GET', '/api/admin?site=' + encodeURIComponent(site));
  } catch {
    document.getElementById('admin-status').textContent = 'Cannot reach the host.';
    return;
  }
  if (r.ok === false) {
    document.getElementById('admin-status').textContent = 'Error: ' + (r.message || r.code);
    return;
  }
  if (typeof r.sp_metadata_url === 'string' && r.sp_metadata_url.startsWith('/')) {
    document.getElementById('metadata-link').setAttribute('href', r.sp_metadata_url);
  }
  if (r.overview_error) {
    const e = document.getElementById('overview-error');
    e.textContent = 'The plugin could not report its certificates, mappings, rules and failures: ' +
                    (r.overview_error.message || '') + ' [' + (r.overview_error.code || '') + ']';
    e.hidden = false;
  }
  const warnings = list(r.warnings);
  if (warnings.length > 0) {
    const ul = document.getElementById('warnings');
    for (const w of warnings) {
      ul.append(el('li', {'data-testid': 'admin-warning'},
                   typeof w === 'string' ? w : (w.message || '') + (w.code ? ' [' + w.code + ']' : '')));
    }
    document.getElementById('warnings-section').hidden = false;
  }
  const rows = [['Site', r.site], ['Sites configured', r.site_count],
                ['Name', r.name], ['Version', r.version], ['SDK', r.sdk],
                ['Enabled', r.enabled ? 'yes' : 'no'], ['Sign-in policy', r.sign_in_policy],
                ['Active IdP certificates', r.certificate_count], ['Mappings', r.mapping_count],
                ['SP entity ID', r.sp_entity_id], ['IdP entity ID', r.idp_entity_id]];
  fillFields(document.getElementById('description'), rows.map(([label, value]) => ({label, value})));
  fillTable('certificates', list(r.certificates), 'admin-certificate-row', c => [
    [c.subject], [c.issuer], [c.fingerprint, {class: 'fingerprint'}], [c.not_before],
    [c.not_after, {'data-testid': 'admin-certificate-not-after'}],
    expiry(c.days_left),
    [c.source]]);
  // configured: the value as the admin wrote it ("@email | mail", SDK 2.2);
  // attributes: what its aliases expanded to.
  fillTable('mappings', list(r.mappings), 'admin-mapping-row', m => [
    [m.field], [m.label],
    [m.configured || list(m.attributes).join(' | '), {'data-testid': 'mapping-configured'}],
    [list(m.attributes).join(' | '), {'data-testid': 'mapping-attributes'}]]);
  // SDK 2.2: IdP metadata fetched from [sso] idp_metadata_url; null without one.
  const md = r.idp_metadata;
  if (md && typeof md === 'object') {
    const put = (id, text) => { document.getElementById(id).textContent = text; };
    put('idp-metadata-url', md.source_url || '');
    put('idp-metadata-last-fetch', md.last_fetch_at || 'never');
    put('idp-metadata-last-success', md.last_success_at || 'never');
    put('idp-metadata-next-refresh', md.next_refresh_at || '');
    put('idp-metadata-valid-until', md.valid_until || '(not set)');
    put('idp-metadata-error', md.error_code
      ? md.error_message + ' [' + md.error_code + '] (the metadata in force stays)' : 'none');
    document.getElementById('idp-metadata-section').hidden = false;
  }
  const routing = r.routing || {};
  fillTable('rules', list(routing.rules), 'admin-routing-rule-row', rule => [
    [rule.name], [rule.text], [rule.team]]);
  document.getElementById('default-team').textContent = routing.default_team || '(none)';
  // count, last_at and remote_address come from SDK 1.2 plugins only.
  fillTable('failures', list(r.failures), 'admin-failure-row', f => [
    [f.at], [f.last_at || f.at, {'data-testid': 'admin-failure-last-seen'}],
    [f.count ?? 1, {'data-testid': 'admin-failure-count'}],
    [f.code, {'data-testid': 'admin-failure-code'}], [f.message], [f.issuer], [f.visitor_id],
    [f.remote_address || '']]);
})();
