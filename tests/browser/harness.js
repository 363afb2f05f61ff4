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
const chromiumPath = process.env.VSSO_CHROMIUM || '/usr/bin/chromium';
// Not 8080/8081, so a running scripts/demo does not collide with the tests.
// Fixed (the IdP is told the ACS URL), so test files run one at a time.
const spPort = Number(process.env.VSSO_BROWSER_SP_PORT || 18080);
const idpPort = Number(process.env.VSSO_BROWSER_IDP_PORT || 18081);
const artifacts = path.join(root, 'build', 'browser-artifacts');

function writeConfig(dir, signIn) {
  const sp = `http://127.0.0.1:${spPort}`;
  const ini = `[sso]
enabled = true
sign_in = ${signIn}
sp_entity_id = ${sp}/sso/metadata
acs_url = ${sp}/sso/acs
idp_metadata = idp/idp-metadata.xml
database = demo.db

[mapping]
name = displayName
email = mail
company = company
prechat:Account Number = accountNumber
variable:membership_level = membership_level

[routing]
rule.1 = variable:membership_level == gold -> Gold Team
default = General
`;
  const file = path.join(dir, 'demo.ini');
  fs.writeFileSync(file, ini);
  return file;
}

// Everything one test needs; stop() undoes it all, even after a failure.
async function startStack({signIn}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vsso-browser-'));
  const idpDir = path.join(dir, 'idp');
  const sp = `http://127.0.0.1:${spPort}`;
  execFileSync(path.join(root, 'scripts', 'idp'),
               ['start', '--dir', idpDir, '--port', String(idpPort), '--sp-acs', `${sp}/sso/acs`,
                '--sp-entity-id', `${sp}/sso/metadata`],
               {stdio: ['ignore', 'ignore', 'inherit']});
  const stack = {dir, sp, idp: `http://127.0.0.1:${idpPort}`, server: null, context: null,
                 serverLog: path.join(dir, 'serve.log')};
  stack.stop = async () => {
    if (stack.context) await stack.context.close().catch(() => {});
    if (stack.server && stack.server.exitCode === null) {
      const exited = new Promise(resolve => stack.server.once('exit', resolve));
      stack.server.kill('SIGTERM');
      await exited;
    }
    execFileSync(path.join(root, 'scripts', 'idp'), ['stop', '--dir', idpDir], {stdio: 'ignore'});
    if (!process.env.VSSO_BROWSER_KEEP) fs.rmSync(dir, {recursive: true, force: true});
  };
  try {
    const config = writeConfig(dir, signIn);
    const log = fs.openSync(stack.serverLog, 'w');
    stack.server = spawn(path.join(buildDir, 'sample-host', 'sample-host'),
                         ['--plugin', path.join(buildDir, 'plugin', 'libvisitor-sso.so'),
                          '--config', config, 'serve', '--listen', `127.0.0.1:${spPort}`],
                         {stdio: ['ignore', 'pipe', log]});
    // The first stdout line comes once the server accepts connections.
    await new Promise((resolve, reject) => {
      const lines = readline.createInterface({input: stack.server.stdout});
      lines.once('line', line => line.startsWith('listening on ') ? resolve()
                                                               : reject(new Error(line)));
      stack.server.once('exit', code => reject(new Error(
          `sample-host serve exited with ${code}: ${fs.readFileSync(stack.serverLog, 'utf8')}`)));
    });
    stack.context = await chromium.launchPersistentContext(
        fs.mkdtempSync(path.join(dir, 'profile-')), {
          executablePath: chromiumPath,
          headless: true,
          args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
                 '--disable-background-networking', '--disable-component-update', '--disable-sync'],
          viewport: {width: 1100, height: 800},
        });
    return stack;
  } catch (e) {
    await stack.stop();
    throw e;
  }
}

let shot = 0;
async function screenshot(page, name) {
  fs.mkdirSync(artifacts, {recursive: true});
  const file = path.join(artifacts, `${String(++shot).padStart(2, '0')}-${name}.png`);
  await page.screenshot({path: file, fullPage: true});
  return file;
}

module.exports = {startStack, screenshot, artifacts};
