<?php
// conformance.php: a PHP host (LiveHelperChat-style extension glue over FFI)
// drives the real plugin through abi.h alone: the required-mode flow end to
// end with responses the test IdP signs, then the handshake refusals.
//
//   php conformance.php --plugin LIB --abi ABI_H --idp-tool TOOL
//       --wrong-major LIB --missing-required LIB --minimal LIB --sdk1 LIB
//
// Output is TAP ("ok N - ..."); exit 0 when every check passed.
declare(strict_types=1);

namespace VisitorSso;

require_once __DIR__ . '/VisitorSsoExtension.php';

$options = getopt('', ['plugin:', 'abi:', 'idp-tool:', 'wrong-major:', 'missing-required:', 'minimal:', 'sdk1:']);
foreach (['plugin', 'abi', 'idp-tool', 'wrong-major', 'missing-required', 'minimal', 'sdk1'] as $required) {
    if (!isset($options[$required])) {
        fwrite(STDERR, "usage: conformance.php --$required is missing\n");
        exit(2);
    }
}

$checks = 0;
$failed = 0;
function check(bool $ok, string $what, mixed $detail = null): bool
{
    global $checks, $failed;
    $checks++;
    echo ($ok ? 'ok' : 'not ok') . " $checks - $what\n";
    if (!$ok) {
        $failed++;
        if ($detail !== null) {
            echo '  # ' . str_replace("\n", "\n  # ", is_string($detail) ? $detail : var_export($detail, true)) . "\n";
        }
    }
    return $ok;
}

/** The test IdP co-process (tests/conformance/test_idp_tool.cpp). */
final class TestIdp
{
    private $process;
    private array $pipes = [];

    public function __construct(string $tool)
    {
        $this->process = proc_open([$tool], [0 => ['pipe', 'r'], 1 => ['pipe', 'w'], 2 => STDERR], $this->pipes);
        if (!is_resource($this->process)) {
            throw new \RuntimeException("cannot start $tool");
        }
    }

    public function ask(string $line): string
    {
        fwrite($this->pipes[0], "$line\n");
        $answer = rtrim((string)fgets($this->pipes[1]), "\n");
        if ($answer === '' || str_starts_with($answer, 'error ')) {
            throw new \RuntimeException("test IdP: $line -> $answer");
        }
        return $answer;
    }

    public function close(): void
    {
        fclose($this->pipes[0]);
        fclose($this->pipes[1]);
        proc_close($this->process);
    }
}

/**
 * One visitor's browser: the host's visitor ID (from the host's own session
 * cookie) and a cookie jar for what the plugin sets under /sso/.
 */
final class Browser
{
    /** @var array<string, array{value: string, path: string}> */
    private array $jar = [];

    public function __construct(public readonly string $visitorId, public readonly string $ip)
    {
    }

    public function send(VisitorSsoExtension $host, string $method, string $uri, string $body = '',
                         array $extra = []): array
    {
        $path = (string)parse_url($uri, PHP_URL_PATH);
        $headers = [['Host', 'chat.example.com'], ['User-Agent', 'conformance-php/1.0']];
        $cookies = [];
        foreach ($this->jar as $name => $cookie) {
            if (str_starts_with($path, $cookie['path'])) {
                $cookies[] = "$name={$cookie['value']}";
            }
        }
        if ($cookies) {
            $headers[] = ['Cookie', implode('; ', $cookies)];
        }
        $response = $host->ssoRequest($method, $uri, [...$headers, ...$extra], $body, $this->visitorId, $this->ip);
        foreach ($response['headers'] as [$name, $value]) {
            if (strcasecmp($name, 'Set-Cookie') === 0) {
                $this->keep($value);
            }
        }
        return $response;
    }

    public function cookie(string $name): ?string
    {
        return $this->jar[$name]['value'] ?? null;
    }

    private function keep(string $setCookie): void
    {
        $parts = array_map('trim', explode(';', $setCookie));
        [$name, $value] = explode('=', array_shift($parts), 2) + [1 => ''];
        $path = '/';
        foreach ($parts as $attribute) {
            if (stripos($attribute, 'path=') === 0) {
                $path = substr($attribute, 5);
            }
        }
        $this->jar[$name] = ['value' => $value, 'path' => $path];
    }
}

function header_of(array $response, string $name): ?string
{
    foreach ($response['headers'] as [$n, $v]) {
        if (strcasecmp($n, $name) === 0) {
            return $v;
        }
    }
    return null;
}

/** The AuthnRequest ID and RelayState of the plugin's redirect to the IdP (HTTP-Redirect binding). */
function authn_request_of(string $location): array
{
    parse_str((string)parse_url($location, PHP_URL_QUERY), $query);
    $xml = gzinflate(base64_decode($query['SAMLRequest'] ?? '', true) ?: '');
    preg_match('/<(?:\w+:)?AuthnRequest\b[^>]*\sID="([^"]+)"/', (string)$xml, $m);
    return [$m[1] ?? '', $query['RelayState'] ?? ''];
}

function acs_body(string $samlResponse, string $relayState): string
{
    return 'SAMLResponse=' . rawurlencode($samlResponse) . '&RelayState=' . rawurlencode($relayState);
}

$form = ['Content-Type', 'application/x-www-form-urlencoded'];
$fromIdp = ['Origin', 'https://idp.example.org'];

// ---- Load, handshake, configure ----------------------------------------------
$idp = new TestIdp($options['idp-tool']);
[$configPath, $now] = explode(' ', $idp->ask('deploy'));

$plugin = Plugin::load($options['plugin'], $options['abi']);
check($plugin->headerUnchanged, 'abi.h loads unchanged in FFI::cdef');
check($plugin->name === 'visitor-sso' && $plugin->sdkMajor === 2, 'handshake: visitor-sso, SDK major 2',
    [$plugin->name, $plugin->sdkMajor]);
check($plugin->missingHooks === [], 'every optional hook is exported', $plugin->missingHooks);
$plugin->configure($configPath, (int)$now);
$described = $plugin->describe();
check($described['sign_in_policy'] === 'required' && $described['certificate_count'] === 1
    && $described['enabled'], 'describe: enabled, sign-in required, one IdP certificate', $described);

$host = new VisitorSsoExtension($plugin);
$events = new EventDispatcher();
$host->run($events);

$alice = new Browser('visitor-alice', '203.0.113.7');
$mallory = new Browser('visitor-mallory', '198.51.100.9');

// ---- 1. Chat start, sign-in required: the extension vetoes the chat ----------------
$chat = new Chat('chat-1', $alice->visitorId, $alice->ip, 'conformance-php/1.0', 'https://shop.example.com/',
    '/chat');
$veto = $events->dispatch('chat.before_chat_started', ['chat' => $chat]);
check(($veto['status'] ?? null) === EventDispatcher::STOP_WORKFLOW, 'chat.before_chat_started vetoes a guest',
    $veto);
check(($veto['sign_in_url'] ?? '') === '/sso/login?return=%2Fchat', 'the veto carries the sign-in URL', $veto);

// ---- 2. /sso/login, then an ACS post from ANOTHER browser: refused ------------------
$login = $alice->send($host, 'GET', $veto['sign_in_url']);
check($login['status'] === 302, 'GET /sso/login answers 302 to the IdP', $login);
check(preg_match('/^[0-9a-f]{32}$/', (string)$alice->cookie('vsso_browser')) === 1,
    'and sets the vsso_browser cookie (kept by this browser only)', $login['headers']);
[$requestId, $relayState] = authn_request_of((string)header_of($login, 'Location'));
check($requestId !== '' && $relayState !== '', 'the redirect carries an AuthnRequest ID and a RelayState');
$stolen = $mallory->send($host, 'POST', '/sso/acs',
    acs_body($idp->ask("respond $requestId cust-gold-001"), $relayState), [$form, $fromIdp]);
check($stolen['status'] === 403 && str_contains($stolen['body'], 'sso.acs.browser_mismatch'),
    'an ACS post without the browser cookie is refused (sso.acs.browser_mismatch)', $stolen);

// ---- 3. /sso/login again, the ACS post with the cookie: signed in --------------------
$login = $alice->send($host, 'GET', $veto['sign_in_url']);
[$requestId, $relayState] = authn_request_of((string)header_of($login, 'Location'));
$acs = $alice->send($host, 'POST', '/sso/acs',
    acs_body($idp->ask("respond $requestId cust-gold-001"), $relayState), [$form, $fromIdp]);
check($acs['status'] === 303 && header_of($acs, 'Location') === '/chat', 'ACS with the cookie: 303 to /chat',
    $acs);
check($acs['signed_in_visitor_id'] === $alice->visitorId && $host->wake === [$alice->visitorId],
    "the host wakes alice's chat window", [$acs['signed_in_visitor_id'], $host->wake]);

// ---- 4. Chat start, signed in ----------------------------------------------------------
$chat = new Chat('chat-1', $alice->visitorId, $alice->ip, 'conformance-php/1.0', 'https://shop.example.com/',
    '/chat');
$veto = $events->dispatch('chat.before_chat_started', ['chat' => $chat]);
check($veto === null && $chat->signedIn && $chat->customerId === 'cust-gold-001',
    'chat.before_chat_started lets the signed-in visitor in, customer cust-gold-001', [$veto, $chat]);

// ---- 5. Pre-chat survey skipped ------------------------------------------------------------
$prechatForm = new \stdClass();
$prechatForm->hidePrechat = false;
$prechatForm->values = [];
$events->dispatch('chat.startchat_data_fields', ['chat' => $chat, 'form' => $prechatForm]);
check($prechatForm->hidePrechat && ($prechatForm->values['name'] ?? '') === 'Zoë Gold',
    'chat.startchat_data_fields hides the survey, name prefilled (UTF-8 intact)', $prechatForm);
$events->dispatch('chat.chat_started', ['chat' => $chat]);

// ---- 6. Visitor info: customer ID and sections ------------------------------------------------
$tab = $host->visitorTab($chat);
$prechatKeys = array_column($tab['prechat'], 'value', 'key');
$variables = array_column($tab['variables'], 'value', 'key');
check($tab['info']['customer_id'] === 'cust-gold-001' && $tab['info']['verified']
    && $tab['info']['name'] === 'Zoë Gold', 'visitor info: verified, customer ID, name', $tab['info']);
check(($prechatKeys['prechat:Account Number'] ?? '') === 'A-1001' && ($prechatKeys['email'] ?? '') === 'zoe@acme.example',
    'visitor info: pre-chat section (email, Account Number)', $tab['prechat']);
check(($variables['variable:membership_level'] ?? '') === 'gold', 'visitor info: custom variable membership_level',
    $tab['variables']);

// ---- 7. Routing: Gold Team ---------------------------------------------------------------------
$assigned = $events->dispatch('chat.workflow.autoassign', ['chat' => $chat]);
check(($assigned['department'] ?? '') === 'Gold Team' && $chat->department === 'Gold Team',
    'chat.workflow.autoassign routes to Gold Team', $assigned);

// ---- 8. Transcript tags --------------------------------------------------------------------------
$events->dispatch('chat.close', ['chat' => $chat, 'transcript_id' => 'transcript-1']);
check(($chat->tags['customer_id'] ?? '') === 'cust-gold-001' && ($chat->tags['signed_in'] ?? '') === 'true'
    && ($chat->tags['team'] ?? '') === 'Gold Team', 'chat.close stores the transcript tags', $chat->tags);

// ---- 9. History by customer ID ------------------------------------------------------------------
$history = $host->historyOf('cust-gold-001');
check(count($history['rows']) === 1 && $history['rows'][0]['transcript_id'] === 'transcript-1'
    && $history['rows'][0]['team'] === 'Gold Team' && $history['rows'][0]['saved_at'] === (int)$now,
    'History by customer ID finds the transcript', $history);

// ---- 10. Admin view and the rest of the surface --------------------------------------------------
$overview = $plugin->adminOverview(10);
$codes = array_column($overview['recent_failures'], 'code');
$mismatch = $overview['recent_failures'][array_search('sso.acs.browser_mismatch', $codes, true)] ?? [];
check(($mismatch['remote_address'] ?? '') === $mallory->ip, "admin overview: the refused post, with mallory's address",
    $overview['recent_failures']);
check(count($overview['certificates']) === 1 && $overview['routing_rules'][0]['team'] === 'Gold Team'
    && $overview['description']['sign_in_policy'] === 'required', 'admin overview: certificate, rules, description',
    $overview);
$metadata = $alice->send($host, 'GET', '/sso/metadata');
check($metadata['status'] === 200 && str_contains($metadata['body'], 'EntityDescriptor'), 'GET /sso/metadata', $metadata);
$plugin->reload();
check(true, 'reload keeps the plugin configured');
try {
    $plugin->searchHistory(['limit' => 20000]);
    check(false, 'a History limit of 20000 is refused');
} catch (PluginError $e) {
    check($e->errorCode === 'store.bad_limit', "a History limit of 20000 is refused ({$e->errorCode})", $e->errorCode);
}
$plugin->shutdown();
$refused = $events->dispatch('chat.before_chat_started', ['chat' => new Chat('chat-2', $alice->visitorId)]);
check(($refused['status'] ?? null) === EventDispatcher::STOP_WORKFLOW,
    'after shutdown, required mode still refuses chats (fail closed)', $refused);
unset($host, $events, $plugin);  // vsso_plugin_destroy
$idp->close();

// ---- 11. Handshake refusals ------------------------------------------------------------------------
function refusal(string $library, string $abi): ?PluginRefused
{
    try {
        Plugin::load($library, $abi);
        return null;
    } catch (PluginRefused $e) {
        return $e;
    }
}

$abi = $options['abi'];
$e = refusal($options['wrong-major'], $abi);
check($e?->errorCode === 'loader.abi_major' && str_contains($e->getMessage(), 'SDK major version 3, this host supports 2'),
    'a plugin for SDK major 3 is refused by name', $e?->getMessage());
$e = refusal($options['sdk1'], $abi);
check($e?->errorCode === 'loader.abi_major' && str_contains($e->getMessage(), 'SDK major version 1'),
    'an SDK 1 plugin (smaller handshake struct) is refused by name', $e?->getMessage());
$e = refusal($options['missing-required'], $abi);
check($e?->errorCode === 'loader.missing_symbol' && str_contains($e->getMessage(), 'vsso_plugin_configure'),
    'a plugin without vsso_plugin_configure is refused by name', $e?->getMessage());
$e = refusal('/usr/lib/x86_64-linux-gnu/libz.so.1', $abi);
check($e?->errorCode === 'loader.not_a_plugin', 'a shared library that is no plugin is refused', $e?->getMessage());
$e = refusal($abi, $abi);
check($e?->errorCode === 'loader.load_failed', 'a file that is no shared library is refused', $e?->getMessage());
$e = refusal('/nonexistent/libvisitor-sso.so', $abi);
check($e?->errorCode === 'loader.not_found', 'a missing file is refused', $e?->getMessage());

// ---- 12. A plugin without optional hooks: "not handled" everywhere --------------------------------
$minimal = Plugin::load($options['minimal'], $abi);
check(!$minimal->headerUnchanged && count($minimal->missingHooks) === 10,
    'a plugin with the required entry points only loads; 10 optional hooks missing', $minimal->missingHooks);
$minimal->configure('/unused.ini');
$mHost = new VisitorSsoExtension($minimal);
$mEvents = new EventDispatcher();
$mHost->run($mEvents);
$mChat = new Chat('chat-m', 'visitor-m');
check($mEvents->dispatch('chat.before_chat_started', ['chat' => $mChat]) === null, 'missing chat start hook: the chat proceeds');
check($mEvents->dispatch('chat.workflow.autoassign', ['chat' => $mChat]) === null && $mChat->department === null,
    'missing routing hook: LHC routes as usual');
check($mHost->ssoRequest('GET', '/sso/metadata', [], '', 'visitor-m', '')['status'] === 404,
    'missing HTTP hook: 404 under /sso/');
try {
    $minimal->adminOverview();
    check(false, 'missing admin overview hook is reported');
} catch (PluginError $e) {
    check($e->errorCode === 'abi.not_handled', 'missing admin overview hook: abi.not_handled', $e->errorCode);
}
check($minimal->describe()['name'] === 'minimal', 'describe works on the minimal plugin');

echo "1..$checks\n";
exit($failed === 0 ? 0 : 1);
