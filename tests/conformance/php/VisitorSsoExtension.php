<?php
// The glue a LiveHelperChat extension needs to put visitor-sso into the chat
// workflow, written against LHC's event names. In a real installation this is
// extension/visitorsso/bootstrap/bootstrap.php, run() registers the listeners
// with erLhcoreClassChatEventDispatcher::getInstance(), and a module
// controller forwards /sso/* to ssoRequest(). The conformance test drives it
// through EventDispatcher, a stand-in with the same listen/dispatch shape.
//
//   LHC event                      plugin hook                    what the listener does
//   chat.before_chat_started       vsso_on_chat_will_start        veto (STOP_WORKFLOW) until signed in,
//                                                                 or remember the customer ID
//   chat.startchat_data_fields     vsso_on_prechat_survey_will_show  hide the pre-chat form, prefill it
//   chat.chat_started              -                              (nothing to ask the plugin)
//   chat.workflow.autoassign       vsso_on_chat_will_be_routed    send the chat to the plugin's team
//   chat.close                     vsso_on_transcript_will_be_saved  store the tags with the transcript
//   agent's chat view (tab)        vsso_on_visitor_info_will_render  Info tab, pre-chat section, variables
//   History filter                 vsso_plugin_search_history
//   /sso/* front controller        vsso_plugin_handle_http        forward every header and the body
declare(strict_types=1);

namespace VisitorSso;

require_once __DIR__ . '/VisitorSso.php';

/** What LHC's erLhcoreClassChatEventDispatcher offers an extension. */
final class EventDispatcher
{
    public const STOP_WORKFLOW = 1;
    /** @var array<string, list<callable>> */
    private array $listeners = [];

    public function listen(string $event, callable $listener): void
    {
        $this->listeners[$event][] = $listener;
    }

    /** Calls the listeners in order; the first one that stops the workflow wins. */
    public function dispatch(string $event, array $params): ?array
    {
        foreach ($this->listeners[$event] ?? [] as $listener) {
            $result = $listener($params);
            if (is_array($result) && ($result['status'] ?? null) === self::STOP_WORKFLOW) {
                return $result;
            }
        }
        return null;
    }
}

/** The host's chat record, as LHC's erLhcoreClassModelChat carries it. */
final class Chat
{
    public string $customerId = '';
    public bool $signedIn = false;
    public ?string $department = null;
    /** @var array<string, string> */
    public array $tags = [];

    public function __construct(
        public readonly string $id,
        public readonly string $visitorId,  // from the host's own session cookie
        public readonly string $ip = '',
        public readonly string $userAgent = '',
        public readonly string $pageUrl = '',
        public readonly string $returnUrl = '/chat',
        /** @var list<array{key: string, label: string, values: list<string>}> */
        public array $prechatAnswers = [],
    ) {
    }

    public function forPlugin(): array
    {
        return [
            'id' => $this->id, 'visitor_id' => $this->visitorId, 'ip' => $this->ip,
            'user_agent' => $this->userAgent, 'page_url' => $this->pageUrl, 'return_url' => $this->returnUrl,
            'prechat_answers' => $this->prechatAnswers,
        ];
    }
}

final class VisitorSsoExtension
{
    /** @var list<string> visitors whose chat window should be woken (long poll) */
    public array $wake = [];

    public function __construct(private readonly Plugin $plugin)
    {
    }

    public function run(EventDispatcher $dispatcher): void
    {
        $dispatcher->listen('chat.before_chat_started', [$this, 'beforeChatStarted']);
        $dispatcher->listen('chat.startchat_data_fields', [$this, 'startChatDataFields']);
        $dispatcher->listen('chat.workflow.autoassign', [$this, 'autoAssign']);
        $dispatcher->listen('chat.close', [$this, 'chatClosed']);
    }

    /** chat.before_chat_started: may veto the chat. */
    public function beforeChatStarted(array $params): ?array
    {
        /** @var Chat $chat */
        $chat = $params['chat'];
        try {
            $start = $this->plugin->chatWillStart($chat->forPlugin());
        } catch (PluginError $e) {
            // Fail closed: no verdict from the plugin, no chat in required mode.
            return ['status' => EventDispatcher::STOP_WORKFLOW, 'errors' => [$e->errorMessage],
                'code' => $e->errorCode];
        }
        $chat->signedIn = $start['signed_in'];
        $chat->customerId = $start['customer_id'];
        return match ($start['decision']) {
            'proceed' => null,
            'offer_sign_in' => null,  // the widget shows "Sign in" next to "Chat as guest"
            'require_sign_in' => ['status' => EventDispatcher::STOP_WORKFLOW,
                'errors' => ['Please sign in to chat with us.'], 'sign_in_url' => $start['sign_in_url']],
            'refuse' => ['status' => EventDispatcher::STOP_WORKFLOW,
                'errors' => [$start['reason'] ?: 'Chat is unavailable.'], 'code' => $start['reason_code']],
        };
    }

    /** chat.startchat_data_fields: the form object is filled in place. */
    public function startChatDataFields(array $params): ?array
    {
        $form = $params['form'];
        try {
            $prechat = $this->plugin->prechatSurveyWillShow($params['chat']->forPlugin());
        } catch (PluginError) {
            return null;  // the survey is shown as usual
        }
        $form->hidePrechat = $prechat['skip'];
        foreach ($prechat['prefill'] as $field) {
            $form->values[$field['key']] = $field['value'];
        }
        return null;
    }

    /** chat.workflow.autoassign: the plugin's team, or LHC's own routing. */
    public function autoAssign(array $params): ?array
    {
        /** @var Chat $chat */
        $chat = $params['chat'];
        try {
            $routed = $this->plugin->chatWillBeRouted($chat->forPlugin());
        } catch (PluginError) {
            return null;
        }
        if ($routed['team'] === null) {
            return null;
        }
        $chat->department = $routed['team'];
        return ['status' => EventDispatcher::STOP_WORKFLOW, 'department' => $routed['team'],
            'why' => $routed['rule_text']];
    }

    /** chat.close: tags go with the transcript (the plugin has stored them already). */
    public function chatClosed(array $params): ?array
    {
        /** @var Chat $chat */
        $chat = $params['chat'];
        $saved = $this->plugin->transcriptWillBeSaved($chat->forPlugin(), $params['transcript_id'],
            $chat->department ?? '');
        $chat->tags = $saved['tags'];
        return null;
    }

    /** The agent's chat view. */
    public function visitorTab(Chat $chat): array
    {
        return $this->plugin->visitorInfoWillRender($chat->forPlugin());
    }

    /** History filtered by customer ID. */
    public function historyOf(string $customerId): array
    {
        return $this->plugin->searchHistory(['customer_id' => $customerId, 'limit' => 50]);
    }

    /**
     * The front controller for /sso/*: every header goes to the plugin (the
     * Cookie carries the plugin's vsso_browser cookie), visitor_id comes from
     * the host's own session, and the answer goes back as is, except that a
     * header value with CR, LF or NUL is never sent (500 instead).
     *
     * @param list<array{0: string, 1: string}> $headers
     */
    public function ssoRequest(string $method, string $uri, array $headers, string $body, string $visitorId,
                               string $remoteAddress): array
    {
        $path = parse_url($uri, PHP_URL_PATH) ?? '';
        $query = parse_url($uri, PHP_URL_QUERY) ?? '';
        try {
            $response = $this->plugin->handleHttp([
                'method' => $method, 'path' => $path, 'query' => $query, 'headers' => $headers,
                'body' => $body, 'visitor_id' => $visitorId, 'remote_address' => $remoteAddress,
            ]);
        } catch (PluginError $e) {
            return ['status' => 500, 'headers' => [], 'body' => "Sign-in is unavailable.\n", 'code' => $e->errorCode];
        }
        foreach ($response['headers'] as [$name, $value]) {
            if (strpbrk($name . $value, "\r\n\0") !== false) {
                return ['status' => 500, 'headers' => [], 'body' => "Sign-in is unavailable.\n",
                    'code' => 'host.bad_header'];
            }
        }
        if ($response['signed_in_visitor_id'] !== '') {
            $this->wake[] = $response['signed_in_visitor_id'];
        }
        foreach ($response['signed_out_visitor_ids'] as $visitor) {
            $this->wake[] = $visitor;
        }
        return $response;
    }
}
