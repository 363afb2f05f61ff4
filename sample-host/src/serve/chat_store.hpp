// serve's chats and visitors, in memory and bounded, with the long polls of
// the chat window and the agent console.
//
// Every chat belongs to one website (site): the site is fixed when the chat
// opens and never changes; a visitor has at most one open chat per site.
//
// Bounds (StoreLimits, defaults below): at most max_chats chats and
// max_visitors visitors (a visitor on two sites counts twice); a new one
// evicts the least recently active. An
// ended chat stays only so that both windows see the end: at most
// max_ended of them, each for ended_grace, then it leaves memory (its
// transcript is in the plugin's store). Each chat holds at most
// max_messages messages. At most max_long_polls requests wait at once, each
// at most long_poll; the transport's own caps bound the rest.
//
// Long polls do not hold a thread: a waiting request is parked with its
// completion and answered by whoever changes the chat (any thread) or by a
// timer on the executor given at construction.
// Thread-safe; completions run without the store's lock held.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include <boost/asio/any_io_executor.hpp>

#include "visitor_sso/sdk/types.hpp"

namespace sample_host::serve {

enum class ChatStatus {
  kStarting,  ///< opened; waiting for the visitor to sign in or choose guest
  kPrechat,   ///< the pre-chat survey is shown
  kActive,    ///< routed; messages flow
  kEnded,     ///< transcript saved; kept briefly, then forgotten
};
std::string_view ChatStatusName(ChatStatus status);

enum class Author { kVisitor, kAgent, kSystem };
std::string_view AuthorName(Author author);

struct Message {
  int n = 0;  ///< 1-based position in the chat
  Author from = Author::kSystem;
  std::string text;
};

struct Chat {
  std::string id;
  /// The website the chat belongs to, set once by OpenChatFor.
  std::string site_id;
  std::string visitor_id;
  std::string customer_id;  ///< set when ChatWillStart reports a signed-in visitor
  ChatStatus status = ChatStatus::kStarting;
  std::vector<visitor_sso::sdk::FieldValue> prechat_answers;
  std::string team;
  std::string rule;
  std::string rule_text;
  std::string transcript_id;
  std::vector<std::pair<std::string, std::string>> tags;
  std::vector<Message> messages;
};

struct StoreLimits {
  std::size_t max_chats = 2000;
  std::size_t max_ended = 100;
  std::chrono::seconds ended_grace{120};
  std::size_t max_visitors = 10000;
  std::size_t max_messages = 500;
  std::size_t max_long_polls = 512;
  std::chrono::milliseconds long_poll{25000};
};

struct StoreCounts {
  std::size_t chats = 0;
  std::size_t open_chats = 0;
  std::size_t ended_chats = 0;
  std::size_t visitors = 0;
  std::size_t long_polls = 0;
  std::uint64_t chats_created = 0;
  std::uint64_t chats_evicted = 0;
  std::uint64_t visitors_evicted = 0;
};

/// What a message long poll answers.
struct MessagesView {
  bool found = false;  ///< false: the chat is unknown or was evicted
  ChatStatus status = ChatStatus::kStarting;
  std::vector<Message> messages;  ///< those after `after`
};

class ChatStore {
 public:
  using Clock = std::chrono::steady_clock;

  ChatStore(boost::asio::any_io_executor timers, StoreLimits limits);
  ~ChatStore();
  ChatStore(const ChatStore&) = delete;
  ChatStore& operator=(const ChatStore&) = delete;

  /// The visitor's chat on `site_id` unless it has ended (or is gone); else
  /// a new chat of that site in kStarting. Returns a copy.
  Chat OpenChatFor(const std::string& site_id, const std::string& visitor_id);
  std::optional<Chat> Find(const std::string& chat_id);
  /// Applies `change` under the lock when the chat exists and wakes its long
  /// polls; false when there is no such chat. `change` must not call back;
  /// a change of the chat's id, site or visitor is undone.
  bool Update(const std::string& chat_id, const std::function<void(Chat&)>& change);
  /// Ends an open chat: status kEnded, the transcript ID and tags, a system
  /// message; it then leaves memory after ended_grace. False when the chat
  /// is unknown or ended already.
  bool End(const std::string& chat_id, const std::string& transcript_id,
           std::vector<std::pair<std::string, std::string>> tags);
  /// Every chat (of `site_id` only, when not empty), newest first, at most
  /// `limit`.
  std::vector<Chat> List(std::size_t limit, const std::string& site_id = {});

  enum class PostResult { kPosted, kNoChat, kNotActive, kFull };
  /// Appends a message to an active chat (kSystem messages also to others).
  PostResult Post(const std::string& chat_id, Author from, std::string text, int* n = nullptr);

  /// Calls `done` with the messages after `after` as soon as there are any,
  /// the chat ends or disappears, or long_poll has passed. Returns false
  /// (and never calls `done`) when max_long_polls requests already wait.
  bool WaitForMessages(const std::string& chat_id, int after,
                       std::function<void(MessagesView)> done);

  /// The visitor's chat on `site_id` unless it has ended (or is gone); never
  /// opens one.
  std::optional<Chat> OpenChatOf(const std::string& site_id, const std::string& visitor_id);

  /// Counts the visitor's sign-ins and sign-outs on a site seen by the host
  /// (the plugin's HttpResponse::signed_in_visitor_id and
  /// signed_out_visitor_ids on that site's /sso/ endpoints) and wakes its
  /// chat windows of that site, which then ask the plugin where they stand.
  void MarkSignInChanged(const std::string& site_id, const std::string& visitor_id);
  /// Calls `done` with the visitor's count of those changes on the site once
  /// it exceeds `after`, or after long_poll; false as for WaitForMessages.
  bool WaitForSignIn(const std::string& site_id, const std::string& visitor_id, std::int64_t after,
                     std::function<void(std::int64_t)> done);

  /// Answers every waiting request now; later waits answer at once.
  void Shutdown();
  StoreCounts Counts();
  const StoreLimits& limits() const { return limits_; }

 private:
  struct Parked;
  struct ChatEntry {
    Chat chat;
    std::list<std::string>::iterator recent;  // position in recent_chats_
    Clock::time_point ended_at;
  };
  // A visitor on one site, keyed by VisitorKey(site, visitor).
  struct VisitorEntry {
    std::string current_chat;
    std::int64_t sign_in_changes = 0;
    std::list<std::string>::iterator recent;
  };

  // All with mutex_ held. The *Locked functions that wake long polls append
  // their completions to `wake` for the caller to run after unlocking.
  void TouchChat(ChatEntry& entry);
  static std::string VisitorKey(const std::string& site_id, const std::string& visitor_id);
  VisitorEntry& VisitorLocked(const std::string& key);
  void ForgetEndedLocked(Clock::time_point now, std::vector<std::function<void()>>& wake);
  void EvictChatLocked(std::map<std::string, ChatEntry>::iterator it,
                       std::vector<std::function<void()>>& wake);
  void WakeLocked(const std::string& key, std::vector<std::function<void()>>& wake);
  MessagesView ViewLocked(const std::string& chat_id, int after);
  bool ParkLocked(const std::string& key, std::function<void()> resume);
  static void Run(std::vector<std::function<void()>>& wake);

  const boost::asio::any_io_executor timers_;
  const StoreLimits limits_;
  const std::string run_tag_;
  std::mutex mutex_;
  bool stopping_ = false;
  std::uint64_t next_chat_ = 0;
  std::uint64_t next_parked_ = 0;
  StoreCounts totals_;
  // Chat IDs sort in start order, so the map's reverse is "newest first".
  std::map<std::string, ChatEntry> chats_;
  std::list<std::string> recent_chats_;  // least recently active first
  std::list<std::string> ended_;         // ended chats, oldest first
  std::unordered_map<std::string, VisitorEntry> visitors_;
  std::list<std::string> recent_visitors_;
  // "c:<chat>" / "v:<VisitorKey>" -> waiting requests.
  std::multimap<std::string, std::shared_ptr<Parked>> parked_;
};

}  // namespace sample_host::serve
