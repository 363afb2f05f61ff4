// Starts the local SimpleSAMLphp IdP (scripts/idp) and `sample-host serve`
// on a temporary data directory, and launches Debian's Chromium through
// playwright-core (no browser is ever downloaded).
'use strict';
const {spawn, execFileSync} = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const readline = require('node:readline');
const {chromium} = require('playwright-core');

const root = path.resolve(__dirname, '..', '..');
const buildDir = process.env.VSSO_BUILD_DIR || path.join(root, 'build', 'browser');
const sampleHost = process.env.VSSO_SAMPLE_HOST || path.join(buildDir, 'sample-host', 'sample-host');
const plugin = process.env.VSSO_PLUGIN || path.join(buildDir, 'plugin', 'libvisitor-sso.so');
const chromiumPath = process.env.VSSO_CHROMIUM || '/usr/bin/chromium';
// Not 8080/8081, so a running scripts/demo does not collide with the tests.
// Fixed (the IdP is told the ACS URL), so test files run one at a time.
const spPort = Number(process.env.VSSO_BROWSER_SP_PORT || 18080);
const idpPort = Number(process.env.VSSO_BROWSER_IDP_PORT || 18081);
// Screenshots of one test file: VSSO_BROWSER_ARTIFACTS (ctest gives each
// file its own), else build/browser-artifacts/<file name without .test.js>.
const testFile = path.basename(process.argv[1] || 'browser', '.js').replace(/\.test$/, '');
const artifacts = process.env.VSSO_BROWSER_ARTIFACTS ||
                  path.join(root, 'build', 'browser-artifacts', testFile);
// Generous: a shared 2-CPU machine may be building or testing meanwhile.
// Every wait is for a condition; this only bounds how long it may take.
const timeout = Number(process.env.VSSO_BROWSER_TIMEOUT_MS || 30000);

// The IdP's entity ID and HTTP-Redirect SSO URL from the metadata scripts/idp wrote.
function idpEndpoints(idpDir) {
  const xml = fs.readFileSync(path.join(idpDir, 'idp-metadata.xml'), 'utf8');
  const entityId = /entityID="([^"]+)"/.exec(xml);
  const sso = /<(?:md:)?SingleSignOnService[^>]*Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-Redirect"[^>]*Location="([^"]+)"/.exec(xml);
  if (!entityId || !sso) throw new Error(`no entity ID / SSO URL in ${idpDir}/idp-metadata.xml`);
  return {entityId: entityId[1], ssoUrl: sso[1]};
}

// `wrongIdpCertificate`: the SP trusts a throwaway self-signed certificate
// instead of the IdP's, so every response fails its signature check.
// `noIdpLogout`: the SP is told the IdP's entity ID, sign-in URL and
// certificate but not its metadata, so it knows no SingleLogoutService
// (sign-out then ends the chat sign-in only).
function idpSettings(dir, wrongIdpCertificate, noIdpLogout) {
  if (noIdpLogout) {
    const {entityId, ssoUrl} = idpEndpoints(path.join(dir, 'idp'));
    return `idp_entity_id = ${entityId}
idp_sign_in_url = ${ssoUrl}
idp_certificates = idp/idp.pem`;
  }
  if (!wrongIdpCertificate) return 'idp_metadata = idp/idp-metadata.xml';
  const {entityId, ssoUrl} = idpEndpoints(path.join(dir, 'idp'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '30',
                           '-subj', '/CN=not the visitor-sso test IdP',
                           '-keyout', path.join(dir, 'wrong-idp.key'),
                           '-out', path.join(dir, 'wrong-idp.pem')],
               {stdio: 'ignore'});
  return `idp_entity_id = ${entityId}
idp_sign_in_url = ${ssoUrl}
idp_certificates = wrong-idp.pem`;
}

// The [mapping] and [routing] of every test configuration.
const mappingAndRouting = `[mapping]
name = displayName
email = mail
company = company
prechat:Account Number = accountNumber
variable:membership_level = membership_level

[routing]
rule.1 = variable:membership_level == gold -> Gold Team
default = General
`;

// A platform file (docs/configuration.md, "Many websites") with one site
// file per entry of `sites` ({id: signIn}): each site its own SP at
// /sso/<id>/, all trusting the local IdP (its metadata in idp/).
function writePlatform(dir, sites) {
  const sp = `http://127.0.0.1:${spPort}`;
  fs.mkdirSync(path.join(dir, 'sites'));
  for (const [id, signIn] of Object.entries(sites)) {
    fs.writeFileSync(path.join(dir, 'sites', `${id}.ini`), `[sso]
enabled = true
sign_in = ${signIn}
sp_entity_id = ${sp}/sso/${id}/metadata
acs_url = ${sp}/sso/${id}/acs
idp_metadata = ../idp/idp-metadata.xml

${mappingAndRouting}`);
  }
  const file = path.join(dir, 'platform.ini');
  fs.writeFileSync(file, '[platform]\ndatabase = demo.db\nsites = sites\n');
  return file;
}

// A key and certificate of the SP's own (sp.key, sp.pem in `dir`).
function makeSpKey(dir) {
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-sha256', '-nodes', '-days', '30',
                           '-subj', '/CN=visitor-sso browser test SP',
                           '-keyout', path.join(dir, 'sp.key'), '-out', path.join(dir, 'sp.pem')],
               {stdio: 'ignore'});
  fs.chmodSync(path.join(dir, 'sp.key'), 0o600);
}

// `spKey`: the SP signs (sp.key) what it sends, e.g. its LogoutRequests.
function writeConfig(dir, signIn, wrongIdpCertificate, noIdpLogout, spKey) {
  const sp = `http://127.0.0.1:${spPort}`;
  const ini = `[sso]
enabled = true
sign_in = ${signIn}
sp_entity_id = ${sp}/sso/metadata
acs_url = ${sp}/sso/acs
${idpSettings(dir, wrongIdpCertificate, noIdpLogout)}
${spKey ? 'sp_private_key = sp.key\nsp_certificate = sp.pem' : ''}
database = demo.db

${mappingAndRouting}`;
  const file = path.join(dir, 'demo.ini');
  fs.writeFileSync(file, ini);
  return file;
}

// A browser of its own: a fresh profile, so no cookies are shared.
function launchBrowser(dir) {
  return chromium.launchPersistentContext(fs.mkdtempSync(path.join(dir, 'profile-')), {
    executablePath: chromiumPath,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
           '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: {width: 1100, height: 800},
  });
}

// Another person's browser (an attacker's), closed by stack.stop().
async function otherBrowser(stack) {
  const context = await launchBrowser(stack.dir);
  stack.others.push(context);
  return context;
}

// Everything one test needs; stop() undoes it all, even after a failure.
// `signIn`: one website (the site "default") with that policy; or `sites`
// ({id: signIn}): a platform of those websites, each served under /s/<id>/
// and registered at the IdP as an SP of its own.
// `spKey` (one website only): the SP has a key and certificate, and the IdP
// is given the certificate, so it accepts only signed LogoutRequests from it.
async function startStack({signIn, sites, wrongIdpCertificate = false, noIdpLogout = false,
                           spKey = false}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsso-browser-'));
  const idpDir = path.join(dir, 'idp');
  const sp = `http://127.0.0.1:${spPort}`;
  if (spKey) makeSpKey(dir);
  const sps = sites ? Object.keys(sites).flatMap(id => ['--sp-entity-id', `${sp}/sso/${id}/metadata`,
                                                        '--sp-acs', `${sp}/sso/${id}/acs`])
                    : ['--sp-acs', `${sp}/sso/acs`, '--sp-entity-id', `${sp}/sso/metadata`,
                       ...(spKey ? ['--sp-cert', path.join(dir, 'sp.pem')] : [])];
  execFileSync(path.join(root, 'scripts', 'idp'),
               ['start', '--dir', idpDir, '--port', String(idpPort), ...sps],
               {stdio: ['ignore', 'ignore', 'inherit']});
  // `website`: the same server answering the demo website on another site
  // (localhost against 127.0.0.1), so its chat iframe is third-party.
  const stack = {dir, sp, idp: `http://127.0.0.1:${idpPort}`, website: `http://localhost:${spPort}`,
                 server: null, context: null, serverLog: path.join(dir, 'serve.log')};
  stack.others = [];
  // What the browser refused under the host's Content-Security-Policy (an
  // inline script or style left in a page): stop() fails the test with it.
  stack.cspViolations = [];
  stack.stop = async () => {
    for (const other of stack.others) await other.close().catch(() => {});
    if (stack.context) await stack.context.close().catch(() => {});
    if (stack.server && stack.server.exitCode === null) {
      const exited = new Promise(resolve => stack.server.once('exit', resolve));
      stack.server.kill('SIGTERM');
      await exited;
    }
    execFileSync(path.join(root, 'scripts', 'idp'), ['stop', '--dir', idpDir], {stdio: 'ignore'});
    if (!process.env.VSSO_BROWSER_KEEP) fs.rmSync(dir, {recursive: true, force: true});
    if (stack.cspViolations.length > 0) {
      throw new Error(`the browser refused under the host's CSP:\n${stack.cspViolations.join('\n')}`);
    }
  };
  try {
    for (const file of [sampleHost, plugin]) {
      if (!fs.existsSync(file)) {
        throw new Error(`${file} does not exist: build sample-host and visitor_sso_plugin ` +
                        `(scripts/browser-test does)`);
      }
    }
    const config = sites ? writePlatform(dir, sites)
                         : writeConfig(dir, signIn, wrongIdpCertificate, noIdpLogout, spKey);
    const siteArgs = sites ? Object.keys(sites).flatMap(id => ['--site', id]) : [];
    // The agent's password, as an operator would give it (with the newline
    // an editor adds); `serve` prints a generated one only without the file.
    stack.agentPassword = `pw-${process.pid}-${Date.now()}`;
    const passwordFile = path.join(dir, 'agent-password');
    fs.writeFileSync(passwordFile, `${stack.agentPassword}\n`, {mode: 0o600});
    const log = fs.openSync(stack.serverLog, 'w');
    stack.server = spawn(sampleHost,
                         ['--plugin', plugin, '--config', config, 'serve', '--listen', `127.0.0.1:${spPort}`,
                          '--agent-password-file', passwordFile,
                          // The demo website on another site than the chat host.
                          '--website-origin', stack.website, ...siteArgs],
                         {stdio: ['ignore', 'pipe', log]});
    // The first stdout line comes once the server accepts connections; the
    // rest (URLs) is read and dropped so the pipe never fills.
    await new Promise((resolve, reject) => {
      const lines = readline.createInterface({input: stack.server.stdout});
      let first = true;
      lines.on('line', line => {
        if (!first) return;
        first = false;
        if (line.startsWith('listening on ')) resolve(); else reject(new Error(line));
      });
      stack.server.once('exit', code => reject(new Error(
          `sample-host serve exited with ${code}: ${fs.readFileSync(stack.serverLog, 'utf8')}`)));
    });
    stack.context = await launchBrowser(dir);
    stack.context.on('console', message => {
      const where = message.location().url || '';
      const hostPage = (where.startsWith(stack.sp) || where.startsWith(stack.website)) &&
                       !new URL(where).pathname.startsWith('/sso/');
      // Not the page's doing: Chromium's own favicon fetch for the IdP page a
      // tab passes through (sign-in with an IdP session) is reported under
      // the host page's CSP. The pages themselves link no icon.
      const favicon = /favicon\.ico/.test(message.text());
      if (hostPage && !favicon && /Content Security Policy/.test(message.text())) {
        stack.cspViolations.push(`${where}: ${message.text()}`);
      }
    });
    return stack;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

// A page (or popup) that waits up to `timeout` for every condition.
function withTimeout(page) {
  page.setDefaultTimeout(timeout);
  return page;
}

async function newPage(stack) {
  return withTimeout(await stack.context.newPage());
}

// Where a site's website lives: / for the default site, else /s/<site>/.
function sitePath(site) {
  return site && site !== 'default' ? `/s/${site}` : '';
}

// The website's chat button opens the chat window in a window of its own
// (the website of `site`, default the site "default").
async function openChatWindow(stack, site) {
  const website = await newPage(stack);
  await website.goto(`${stack.sp}${sitePath(site)}/`);
  const [chat] = await Promise.all([stack.context.waitForEvent('page'),
                                    website.getByTestId('chat-button').click()]);
  withTimeout(chat);
  await chat.getByTestId('chat-window').waitFor();
  return {site: website, chat};
}

// Once `page` shows SimpleSAMLphp's login form, fills it in for a scripts/idp
// user (password "<user>-pass") and returns the submit button.
async function fillIdpLogin(page, stack, user) {
  await page.waitForURL(url => url.port === String(new URL(stack.idp).port));
  await page.locator('input[name="username"]').fill(user);
  await page.locator('input[name="password"]').fill(`${user}-pass`);
  return page.locator('#submit_button');
}

// Signs the agent in on `page` (which shows the login page: /agent,
// /agent/history and /admin answer with it until then) with the password
// the harness gave serve; the page then shows what it asked for.
async function signInAgent(page, stack) {
  await page.getByTestId('agent-login-username').fill('agent');
  await page.getByTestId('agent-login-password').fill(stack.agentPassword);
  await page.getByTestId('agent-login-submit').click();
  // Every signed-in page has the sign-out button; the login page has not.
  await page.getByTestId('agent-sign-out').waitFor();
}

// A new page on an agent URL (default the console), signed in if need be:
// the browser context keeps the session cookie for later pages.
async function openAgentPage(stack, urlPath = '/agent') {
  const page = await newPage(stack);
  await page.goto(`${stack.sp}${urlPath}`);
  if (await page.getByTestId('agent-login-submit').count() > 0) await signInAgent(page, stack);
  return page;
}

// Numbered in the order taken; the file's old screenshots go first.
let shot = 0;
async function screenshot(page, name) {
  if (shot === 0) {
    fs.mkdirSync(artifacts, {recursive: true});
    for (const f of fs.readdirSync(artifacts)) {
      if (f.endsWith('.png')) fs.rmSync(path.join(artifacts, f), {force: true});
    }
  }
  const file = path.join(artifacts, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  return file;
}

module.exports = {startStack, screenshot, artifacts, timeout, withTimeout, newPage, openChatWindow,
                  fillIdpLogin, signInAgent, openAgentPage, otherBrowser, sitePath};
