<?php
// visitor-sso for PHP hosts: the plugin's C ABI (host-sdk/include/visitor_sso/abi.h)
// through PHP's FFI, as a LiveHelperChat extension (or any PHP chat platform)
// would bind it. It knows nothing of the plugin's internals: only abi.h and
// the shared object.
//
// Loading follows abi.h's handshake: resolve visitor_sso_abi_info, check the
// major version, look every entry point up one by one (required ones must be
// there, a missing optional hook means "not handled"), then
// vsso_plugin_create with this host's version. FFI::cdef resolves every
// declared function eagerly, so declarations of optional entry points a
// library lacks are left out of the text given to it; for a complete plugin
// the header goes to FFI::cdef unchanged.
//
// Ownership (abi.h): inputs are PHP-owned FFI buffers kept alive in an Arena
// for the duration of one call; every result is copied into PHP arrays and
// handed back to its vsso_*_free before the method returns, so no plugin
// memory outlives a call. Results are read through a zeroed copy of at most
// struct_size bytes of this host's struct type: a field an older plugin lacks
// reads as zero, fields a newer plugin appended are never looked at.
//
// Threading: PHP runs one request per process or thread; the plugin never
// calls back into PHP (abi.h has no host callbacks), so nothing here needs a
// lock.
declare(strict_types=1);

namespace VisitorSso;

use FFI;
use FFI\CData;
use RuntimeException;

/** The host refused to load a library (the C++ SDK's loader.* codes). */
final class PluginRefused extends RuntimeException
{
    public function __construct(public readonly string $errorCode, string $message)
    {
        parent::__construct("$message [$errorCode]");
    }
}

/** A plugin call failed: the plugin's own code (docs/errors.md) and message. */
final class PluginError extends RuntimeException
{
    public function __construct(public readonly string $errorCode, public readonly string $errorMessage)
    {
        parent::__construct("$errorMessage [$errorCode]");
    }
}

/** Keeps the buffers of one call's inputs alive until the call returns. */
final class Arena
{
    /** @var list<CData> */
    private array $keep = [];

    public function __construct(private readonly FFI $ffi)
    {
    }

    /** Fills a vsso_bytes_host_owned field with a copy of $text (any bytes). */
    public function bytes(CData $field, string $text): void
    {
        $n = strlen($text);
        if ($n === 0) {
            $field->ptr = null;
            $field->len = 0;
            return;
        }
        $buffer = $this->ffi->new("uint8_t[$n]");
        FFI::memcpy($buffer, $text, $n);
        $this->keep[] = $buffer;
        $field->ptr = $this->ffi->cast('const uint8_t*', FFI::addr($buffer[0]));
        $field->len = $n;
    }

    /** A zeroed struct of $type with struct_size set, kept alive here. */
    public function struct(string $type): CData
    {
        $s = $this->ffi->new($type);
        $s->struct_size = FFI::sizeof($s);
        $this->keep[] = $s;
        return $s;
    }

    /** A zeroed array of $count elements of $type, kept alive here. */
    public function array(string $type, int $count): CData
    {
        $a = $this->ffi->new("{$type}[$count]");
        $this->keep[] = $a;
        return $a;
    }
}

final class Plugin
{
    public const HOST_NAME = 'visitor-sso PHP FFI host';

    /** Entry points every plugin library exports (abi.h, "Required"). */
    public const REQUIRED = [
        'visitor_sso_abi_info', 'vsso_plugin_create', 'vsso_plugin_destroy', 'vsso_plugin_configure',
        'vsso_plugin_describe', 'vsso_outcome_free', 'vsso_description_free',
    ];
    /** Optional entry points and the free function each one's result needs. */
    public const OPTIONAL = [
        'vsso_plugin_reload' => 'vsso_outcome_free',
        'vsso_plugin_shutdown' => null,
        'vsso_on_chat_will_start' => 'vsso_chat_start_free',
        'vsso_on_prechat_survey_will_show' => 'vsso_prechat_free',
        'vsso_on_chat_will_be_routed' => 'vsso_routing_free',
        'vsso_on_visitor_info_will_render' => 'vsso_visitor_info_free',
        'vsso_on_transcript_will_be_saved' => 'vsso_transcript_tags_free',
        'vsso_plugin_search_history' => 'vsso_history_page_free',
        'vsso_plugin_handle_http' => 'vsso_http_response_free',
        'vsso_plugin_get_admin_overview' => 'vsso_admin_overview_free',
    ];
    private const DECISIONS = ['proceed', 'offer_sign_in', 'require_sign_in', 'refuse'];

    /** @var list<string> optional entry points the library lacks */
    public readonly array $missingHooks;
    /** true when abi.h went to FFI::cdef exactly as shipped */
    public readonly bool $headerUnchanged;
    public readonly string $name;
    public readonly string $version;
    public readonly int $sdkMajor;
    public readonly int $sdkMinor;

    private ?CData $handle = null;
    private bool $shutDown = false;

    private function __construct(private readonly FFI $ffi, array $info, array $missing, bool $unchanged)
    {
        [$this->name, $this->version, $this->sdkMajor, $this->sdkMinor] = $info;
        $this->missingHooks = $missing;
        $this->headerUnchanged = $unchanged;
    }

    /**
     * Loads and creates the plugin at $library, or throws PluginRefused with
     * the reason: loader.not_found, loader.load_failed, loader.not_a_plugin,
     * loader.abi_major, loader.missing_symbol, loader.create_failed.
     */
    public static function load(string $library, string $abiHeader): self
    {
        if (!is_file($library)) {
            throw new PluginRefused('loader.not_found', "plugin file $library does not exist");
        }
        $header = file_get_contents($abiHeader);
        $declarations = self::declarations($header);
        $types = str_replace(array_values($declarations), '', $header);
        try {
            FFI::cdef('', $library);  // loads it, nothing more
        } catch (\FFI\Exception $e) {
            throw new PluginRefused('loader.load_failed', "cannot load $library as a shared library: "
                . $e->getMessage());
        }
        // The handshake, before anything else: only visitor_sso_abi_info.
        if (!self::exports($library, 'visitor_sso_abi_info')) {
            throw new PluginRefused('loader.not_a_plugin',
                "$library is not a visitor-sso plugin (no visitor_sso_abi_info symbol)");
        }
        $handshake = FFI::cdef($types . $declarations['visitor_sso_abi_info'], $library);
        $info = $handshake->visitor_sso_abi_info();
        // SDK 1's leading fields first: struct_size, sdk_major, sdk_minor.
        if ($info === null || FFI::isNull($info) || $info->struct_size < 12) {
            throw new PluginRefused('loader.not_a_plugin', "$library returned no usable ABI information");
        }
        $major = $handshake->VSSO_SDK_VERSION_MAJOR;
        if ($info->sdk_major !== $major) {
            throw new PluginRefused('loader.abi_major',
                "plugin $library was built for SDK major version {$info->sdk_major}, this host supports $major");
        }
        $minimum = FFI::sizeof($handshake->type('vsso_abi_info_plugin_owned'));
        if ($info->struct_size < $minimum) {
            throw new PluginRefused('loader.not_a_plugin',
                "$library returned an ABI information struct of {$info->struct_size} bytes, SDK 2.0 has $minimum");
        }
        $missingRequired = array_values(array_filter(self::REQUIRED, fn($s) => !self::exports($library, $s)));
        if ($missingRequired) {
            throw new PluginRefused('loader.missing_symbol',
                "plugin $library lacks the required entry point(s) " . implode(', ', $missingRequired) . ' (abi.h)');
        }
        $missing = [];
        foreach (self::OPTIONAL as $hook => $free) {
            if (!self::exports($library, $hook) || ($free !== null && !self::exports($library, $free))) {
                $missing[] = $hook;
            }
        }
        $absent = array_filter(array_keys($declarations), fn($s) => !self::exports($library, $s));
        $unchanged = !$absent;
        $ffi = $unchanged
            ? FFI::cdef($header, $library)  // abi.h as shipped
            : FFI::cdef(str_replace(array_map(fn($s) => $declarations[$s], $absent), '', $header), $library);
        $plugin = new self($ffi, [
            FFI::string($info->plugin_name), FFI::string($info->plugin_version), $info->sdk_major, $info->sdk_minor,
        ], $missing, $unchanged);
        $plugin->create();
        return $plugin;
    }

    /** Every entry point declaration of abi.h, by name (each is one statement starting a line). */
    private static function declarations(string $header): array
    {
        preg_match_all('/^(?:const\s+)?\w+\s*\*?\s*(visitor_sso_abi_info|vsso_\w+)\s*\([^;]*\);/m', $header, $m);
        return array_combine($m[1], $m[0]);
    }

    /** Whether the library exports $symbol (PHP's own loader, as FFI resolves it). */
    private static function exports(string $library, string $symbol): bool
    {
        try {
            FFI::cdef("void $symbol(void);", $library);
            return true;
        } catch (\FFI\Exception) {
            return false;
        }
    }

    private function create(): void
    {
        $arena = new Arena($this->ffi);
        $host = $arena->struct('vsso_host_info_host_owned');
        $host->sdk_major = $this->ffi->VSSO_SDK_VERSION_MAJOR;
        $host->sdk_minor = $this->ffi->VSSO_SDK_VERSION_MINOR;
        $arena->bytes($host->host_name, self::HOST_NAME);
        $handle = $this->ffi->new('vsso_handle_plugin_owned*');
        try {
            $this->outcome(fn($out) => $this->ffi->vsso_plugin_create(FFI::addr($host), FFI::addr($handle), $out));
        } catch (PluginError $e) {
            throw new PluginRefused('loader.create_failed',
                "plugin refused to start in this host: {$e->errorMessage} [{$e->errorCode}]");
        }
        $this->handle = $handle;
    }

    public function __destruct()
    {
        if ($this->handle !== null) {
            $this->ffi->vsso_plugin_destroy($this->handle);
            $this->handle = null;
        }
    }

    // ---- Lifecycle -------------------------------------------------------------

    /** Throws PluginError with the configuration's code (config.*) on failure. */
    public function configure(string $configPath, int $fixedNow = 0): void
    {
        $arena = new Arena($this->ffi);
        $request = $arena->struct('vsso_configure_request_host_owned');
        $arena->bytes($request->config_path, $configPath);
        $request->fixed_now = $fixedNow;
        $this->outcome(fn($out) => $this->ffi->vsso_plugin_configure($this->handle, FFI::addr($request), $out));
    }

    public function reload(): void
    {
        $this->requireHook('vsso_plugin_reload');
        $this->outcome(fn($out) => $this->ffi->vsso_plugin_reload($this->handle, $out));
    }

    public function shutdown(): void
    {
        if (!$this->shutDown && !in_array('vsso_plugin_shutdown', $this->missingHooks, true)) {
            $this->ffi->vsso_plugin_shutdown($this->handle);
        }
        $this->shutDown = true;
    }

    public function describe(): array
    {
        return $this->call('vsso_plugin_describe', 'vsso_description_free', 'vsso_description_plugin_owned',
            [], fn(CData $d) => $this->description($d));
    }

    // ---- Chat hooks ----------------------------------------------------------------

    /**
     * @param array $chat ['id', 'visitor_id', 'ip', 'user_agent', 'page_url', 'return_url',
     *                     'prechat_answers' => [['key', 'label', 'values' => [...]], ...]]
     * @return array ['decision' => proceed|offer_sign_in|require_sign_in|refuse, 'signed_in',
     *                'customer_id', 'sign_in_url', 'reason_code', 'reason']
     */
    public function chatWillStart(array $chat): array
    {
        if (in_array('vsso_on_chat_will_start', $this->missingHooks, true)) {
            return ['decision' => 'proceed', 'signed_in' => false, 'customer_id' => '', 'sign_in_url' => '',
                'reason_code' => '', 'reason' => ''];
        }
        return $this->chatCall('vsso_on_chat_will_start', 'vsso_chat_start_free', 'vsso_chat_start_plugin_owned',
            $chat, fn(CData $r) => [
                'decision' => self::DECISIONS[$r->decision] ?? throw new PluginError('abi.bad_result',
                        "unknown chat start decision {$r->decision}"),
                'signed_in' => $r->signed_in !== 0,
                'customer_id' => self::text($r->customer_id),
                'sign_in_url' => self::text($r->sign_in_url),
                'reason_code' => self::text($r->reason_code),
                'reason' => self::text($r->reason),
            ]);
    }

    /** @return array ['skip' => bool, 'prefill' => fields] */
    public function prechatSurveyWillShow(array $chat): array
    {
        if (in_array('vsso_on_prechat_survey_will_show', $this->missingHooks, true)) {
            return ['skip' => false, 'prefill' => []];
        }
        return $this->chatCall('vsso_on_prechat_survey_will_show', 'vsso_prechat_free', 'vsso_prechat_plugin_owned',
            $chat, fn(CData $r) => [
                'skip' => $r->decision === $this->ffi->VSSO_PRECHAT_SKIP,
                'prefill' => $this->fields($r->prefill, $r->prefill_count),
            ]);
    }

    /** @return array ['team' => string|null, 'rule', 'rule_text']; team null: no opinion */
    public function chatWillBeRouted(array $chat): array
    {
        if (in_array('vsso_on_chat_will_be_routed', $this->missingHooks, true)) {
            return ['team' => null, 'rule' => '', 'rule_text' => ''];
        }
        return $this->chatCall('vsso_on_chat_will_be_routed', 'vsso_routing_free', 'vsso_routing_plugin_owned',
            $chat, fn(CData $r) => [
                'team' => $r->decision === $this->ffi->VSSO_ROUTING_ROUTE ? self::text($r->team) : null,
                'rule' => self::text($r->rule),
                'rule_text' => self::text($r->rule_text),
            ]);
    }

    /** @return array ['prechat' => fields, 'variables' => fields, 'info' => [...]] */
    public function visitorInfoWillRender(array $chat): array
    {
        if (in_array('vsso_on_visitor_info_will_render', $this->missingHooks, true)) {
            return ['prechat' => [], 'variables' => [], 'info' => null];
        }
        return $this->chatCall('vsso_on_visitor_info_will_render', 'vsso_visitor_info_free',
            'vsso_visitor_info_plugin_owned', $chat, fn(CData $r) => [
                'prechat' => $this->fields($r->prechat_section, $r->prechat_section_count),
                'variables' => $this->fields($r->custom_variables, $r->custom_variables_count),
                'info' => [
                    'name' => self::text($r->info_name),
                    'customer_id' => self::text($r->info_customer_id),
                    'verified' => $r->info_verified !== 0,
                    'idp' => self::text($r->info_idp_entity_id),
                    'signed_in_at' => $r->info_signed_in_at,
                ],
            ]);
    }

    /** @return array ['tags' => [name => value], 'customer_id'] */
    public function transcriptWillBeSaved(array $chat, string $transcriptId, string $team): array
    {
        if (in_array('vsso_on_transcript_will_be_saved', $this->missingHooks, true)) {
            return ['tags' => [], 'customer_id' => ''];
        }
        $arena = new Arena($this->ffi);
        $c = $this->chatStruct($arena, $chat);
        $t = $arena->struct('vsso_transcript_host_owned');
        $arena->bytes($t->transcript_id, $transcriptId);
        $arena->bytes($t->team, $team);
        return $this->call('vsso_on_transcript_will_be_saved', 'vsso_transcript_tags_free',
            'vsso_transcript_tags_plugin_owned', [FFI::addr($c), FFI::addr($t)], fn(CData $r) => [
                'tags' => $this->pairs($r->tags, $r->tags_count),
                'customer_id' => self::text($r->customer_id),
            ]);
    }

    // ---- Requests ----------------------------------------------------------------------

    /** @param array $query ['customer_id', 'team', 'from', 'until', 'limit', 'cursor'] */
    public function searchHistory(array $query): array
    {
        $this->requireHook('vsso_plugin_search_history');
        $arena = new Arena($this->ffi);
        $q = $arena->struct('vsso_history_query_host_owned');
        $arena->bytes($q->customer_id, $query['customer_id'] ?? '');
        $arena->bytes($q->team, $query['team'] ?? '');
        $q->from = $query['from'] ?? 0;
        $q->until = $query['until'] ?? 0;
        $q->limit = $query['limit'] ?? 0;
        $arena->bytes($q->cursor, $query['cursor'] ?? '');
        return $this->call('vsso_plugin_search_history', 'vsso_history_page_free', 'vsso_history_page_plugin_owned',
            [FFI::addr($q)], fn(CData $r) => [
                'rows' => $this->items($r->rows, $r->rows_count, 'vsso_transcript_record_plugin_owned',
                    fn(CData $e) => [
                        'transcript_id' => self::text($e->transcript_id),
                        'chat_id' => self::text($e->chat_id),
                        'visitor_id' => self::text($e->visitor_id),
                        'customer_id' => self::text($e->customer_id),
                        'idp' => self::text($e->idp_entity_id),
                        'signed_in' => $e->signed_in !== 0,
                        'team' => self::text($e->team),
                        'saved_at' => $e->saved_at,
                    ]),
                'next_cursor' => self::text($r->next_cursor),
            ]);
    }

    /**
     * @param array $request ['method', 'path', 'query', 'headers' => [[name, value], ...], 'body',
     *                        'visitor_id', 'remote_address']
     * @return array ['status', 'headers' => [[name, value], ...], 'body', 'signed_in_visitor_id',
     *               'signed_out_visitor_ids' => [visitor, ...]]
     */
    public function handleHttp(array $request): array
    {
        if (in_array('vsso_plugin_handle_http', $this->missingHooks, true)) {
            return ['status' => 404, 'headers' => [['Content-Type', 'text/plain']], 'body' => "not found\n",
                'signed_in_visitor_id' => '', 'signed_out_visitor_ids' => []];
        }
        $arena = new Arena($this->ffi);
        $r = $arena->struct('vsso_http_request_host_owned');
        foreach (['method', 'path', 'query', 'body', 'visitor_id', 'remote_address'] as $field) {
            $arena->bytes($r->$field, $request[$field] ?? '');
        }
        $headers = $request['headers'] ?? [];
        if ($headers) {
            $array = $arena->array('vsso_pair_host_owned', count($headers));
            foreach (array_values($headers) as $i => [$name, $value]) {
                $arena->bytes($array[$i]->name, $name);
                $arena->bytes($array[$i]->value, $value);
            }
            $r->headers = $this->ffi->cast('const vsso_pair_host_owned*', FFI::addr($array[0]));
            $r->headers_count = count($headers);
        }
        return $this->call('vsso_plugin_handle_http', 'vsso_http_response_free', 'vsso_http_response_plugin_owned',
            [FFI::addr($r)], fn(CData $res) => [
                'status' => $res->http_status,
                'headers' => $this->pairList($res->headers, $res->headers_count),
                'body' => self::text($res->body),
                'signed_in_visitor_id' => self::text($res->signed_in_visitor_id),
                'signed_out_visitor_ids' => $this->texts($res->signed_out_visitor_ids,
                    $res->signed_out_visitor_ids_count),
            ]);
    }

    public function adminOverview(int $failureLimit = 20): array
    {
        $this->requireHook('vsso_plugin_get_admin_overview');
        $arena = new Arena($this->ffi);
        $q = $arena->struct('vsso_admin_overview_query_host_owned');
        $q->failure_limit = $failureLimit;
        return $this->call('vsso_plugin_get_admin_overview', 'vsso_admin_overview_free',
            'vsso_admin_overview_plugin_owned', [FFI::addr($q)], fn(CData $r) => [
                'description' => $this->description($this->view($r->description, 'vsso_description_plugin_owned')),
                'now' => $r->now,
                'certificates' => $this->items($r->certificates, $r->certificates_count,
                    'vsso_certificate_plugin_owned', fn(CData $c) => [
                        'subject' => self::text($c->subject),
                        'fingerprint' => self::text($c->fingerprint_sha256),
                        'not_after' => $c->not_after,
                        'source' => self::text($c->source),
                    ]),
                'mappings' => $this->items($r->mappings, $r->mappings_count, 'vsso_mapping_plugin_owned',
                    fn(CData $m) => [
                        'field' => self::text($m->field),
                        'attributes' => $this->texts($m->attributes, $m->attributes_count),
                    ]),
                'routing_rules' => $this->items($r->routing_rules, $r->routing_rules_count,
                    'vsso_routing_rule_plugin_owned', fn(CData $u) => [
                        'name' => self::text($u->name), 'text' => self::text($u->text), 'team' => self::text($u->team),
                    ]),
                'routing_default_team' => self::text($r->routing_default_team),
                'sp_metadata_path' => self::text($r->sp_metadata_path),
                'recent_failures' => $this->items($r->recent_failures, $r->recent_failures_count,
                    'vsso_sign_in_failure_plugin_owned', fn(CData $f) => [
                        'code' => self::text($f->code),
                        'message' => self::text($f->message),
                        'visitor_id' => self::text($f->visitor_id),
                        'count' => $f->count,
                        'remote_address' => self::text($f->remote_address),
                    ]),
                'warnings' => $this->texts($r->warnings, $r->warnings_count),
            ]);
    }

    // ---- Plumbing --------------------------------------------------------------

    private function requireHook(string $hook): void
    {
        if (in_array($hook, $this->missingHooks, true)) {
            throw new PluginError('abi.not_handled', "the plugin does not export $hook (optional in abi.h)");
        }
    }

    private function chatStruct(Arena $arena, array $chat): CData
    {
        $c = $arena->struct('vsso_chat_host_owned');
        $arena->bytes($c->chat_id, $chat['id'] ?? '');
        $arena->bytes($c->visitor_id, $chat['visitor_id'] ?? '');
        $arena->bytes($c->visitor_ip_address, $chat['ip'] ?? '');
        $arena->bytes($c->visitor_user_agent, $chat['user_agent'] ?? '');
        $arena->bytes($c->visitor_page_url, $chat['page_url'] ?? '');
        $arena->bytes($c->return_url, $chat['return_url'] ?? '');
        $answers = $chat['prechat_answers'] ?? [];
        if ($answers) {
            $pointers = $arena->array('const vsso_field_host_owned*', count($answers));
            foreach (array_values($answers) as $i => $answer) {
                $f = $arena->struct('vsso_field_host_owned');
                $arena->bytes($f->key, $answer['key']);
                $arena->bytes($f->label, $answer['label'] ?? '');
                $arena->bytes($f->value, implode(', ', $answer['values']));
                $values = $arena->array('vsso_bytes_host_owned', max(1, count($answer['values'])));
                foreach (array_values($answer['values']) as $j => $v) {
                    $arena->bytes($values[$j], $v);
                }
                $f->values = $this->ffi->cast('const vsso_bytes_host_owned*', FFI::addr($values[0]));
                $f->values_count = count($answer['values']);
                $pointers[$i] = FFI::addr($f);
            }
            $c->prechat_answers = $this->ffi->cast('const vsso_field_host_owned* const*', FFI::addr($pointers[0]));
            $c->prechat_answers_count = count($answers);
        }
        return $c;
    }

    private function chatCall(string $fn, string $free, string $type, array $chat, callable $read): array
    {
        $arena = new Arena($this->ffi);
        $c = $this->chatStruct($arena, $chat);
        return $this->call($fn, $free, $type, [FFI::addr($c)], $read);
    }

    /**
     * Calls $fn(handle, ...$args, &result), reads the result with $read and
     * frees it, whatever happens. Throws PluginError for a failed call.
     */
    private function call(string $fn, string $free, string $type, array $args, callable $read): mixed
    {
        $out = $this->ffi->new("$type*");
        $status = $this->ffi->$fn($this->handle, ...[...$args, FFI::addr($out)]);
        if (FFI::isNull($out)) {
            throw new PluginError('abi.out_of_memory', "$fn returned no result (status $status)");
        }
        try {
            $r = $this->view($out, $type);
            if ($status !== $this->ffi->VSSO_STATUS_OK || $r->status !== $this->ffi->VSSO_STATUS_OK) {
                throw new PluginError(self::text($r->error_code) ?: 'abi.bad_result', self::text($r->error_message));
            }
            return $read($r);
        } finally {
            $this->ffi->$free($out);
        }
    }

    private function outcome(callable $invoke): void
    {
        $out = $this->ffi->new('vsso_outcome_plugin_owned*');
        $status = $invoke(FFI::addr($out));
        if (FFI::isNull($out)) {
            throw new PluginError('abi.out_of_memory', "no outcome (status $status)");
        }
        try {
            if ($status !== $this->ffi->VSSO_STATUS_OK) {
                throw new PluginError(self::text($out->error_code), self::text($out->error_message));
            }
        } finally {
            $this->ffi->vsso_outcome_free($out);
        }
    }

    /**
     * A zeroed copy of at most struct_size bytes of the plugin's struct, as
     * this host's $type (abi.h's struct_size rule). Pointers inside still
     * point at plugin memory, valid until the result is freed.
     */
    private function view(CData $pointer, string $type): CData
    {
        if (FFI::isNull($pointer)) {
            throw new PluginError('abi.bad_result', "NULL $type in a result");
        }
        $copy = $this->ffi->new($type);
        $size = min($pointer->struct_size, FFI::sizeof($copy));
        if ($size < 4) {
            throw new PluginError('abi.bad_result', "$type with struct_size {$pointer->struct_size}");
        }
        FFI::memcpy($copy, $pointer, $size);
        return $copy;
    }

    private static function text(CData $bytes): string
    {
        return $bytes->len === 0 ? '' : FFI::string($bytes->ptr, $bytes->len);
    }

    private function texts(?CData $items, int $count): array
    {
        $out = [];
        for ($i = 0; $i < $count; $i++) {
            $out[] = self::text($items[$i]);
        }
        return $out;
    }

    /** @return list<array{0: string, 1: string}> */
    private function pairList(?CData $items, int $count): array
    {
        $out = [];
        for ($i = 0; $i < $count; $i++) {
            $out[] = [self::text($items[$i]->name), self::text($items[$i]->value)];
        }
        return $out;
    }

    private function pairs(?CData $items, int $count): array
    {
        $out = [];
        foreach ($this->pairList($items, $count) as [$name, $value]) {
            $out[$name] = $value;
        }
        return $out;
    }

    private function items(?CData $pointers, int $count, string $type, callable $read): array
    {
        $out = [];
        for ($i = 0; $i < $count; $i++) {
            $out[] = $read($this->view($pointers[$i], $type));
        }
        return $out;
    }

    private function fields(?CData $pointers, int $count): array
    {
        return $this->items($pointers, $count, 'vsso_field_plugin_owned', fn(CData $f) => [
            'key' => self::text($f->key),
            'label' => self::text($f->label),
            'value' => self::text($f->value),
            'values' => $this->texts($f->values, $f->values_count),
        ]);
    }

    private function description(CData $d): array
    {
        return [
            'name' => self::text($d->name),
            'version' => self::text($d->version),
            'sdk' => "{$d->sdk_major}.{$d->sdk_minor}",
            'enabled' => $d->enabled !== 0,
            'sign_in_policy' => self::text($d->sign_in_policy),
            'certificate_count' => $d->certificate_count,
            'mapping_count' => $d->mapping_count,
            'sp_entity_id' => self::text($d->sp_entity_id),
            'idp_entity_id' => self::text($d->idp_entity_id),
        ];
    }
}
