#include "serve/chat_store.hpp"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include "serve/secrets.hpp"

namespace sample_host::serve {

namespace asio = boost::asio;

std::string_view ChatStatusName(ChatStatus status) {
  switch (status) {
    case ChatStatus::kStarting:
      return "starting";
    case ChatStatus::kPrechat:
      return "prechat";
    case ChatStatus::kActive:
      return "active";
    case ChatStatus::kEnded:
      return "ended";
  }
  return "unknown";
}

std::string_view AuthorName(Author author) {
  switch (author) {
    case Author::kVisitor:
      return "visitor";
    case Author::kAgent:
      return "agent";
    case Author::kSystem:
      return "system";
  }
  return "unknown";
}

// A request waiting for a change. `done` is set once, by whichever comes
// first: a wake-up or the timer (both under the store's lock).
struct ChatStore::Parked {
  std::uint64_t id = 0;
  std::function<void()> resume;
  std::unique_ptr<asio::steady_timer> timer;
  bool done = false;
};

ChatStore::ChatStore(asio::any_io_executor timers, StoreLimits limits)
    : timers_(std::move(timers)),
      limits_(limits),
      // Keeps transcript IDs unique across restarts on the same plugin store.
      run_tag_(RandomHex(3)) {}

ChatStore::~ChatStore() { Shutdown(); }

void ChatStore::Run(std::vector<std::function<void()>>& wake) {
  for (auto& resume : wake) resume();
  wake.clear();
}

void ChatStore::TouchChat(ChatEntry& entry) {
  recent_chats_.splice(recent_chats_.end(), recent_chats_, entry.recent);
}

std::string ChatStore::VisitorKey(const std::string& site_id, const std::string& visitor_id) {
  // A site ID has no '/', so the key is unambiguous.
  return site_id + "/" + visitor_id;
}

ChatStore::VisitorEntry& ChatStore::VisitorLocked(const std::string& key) {
  auto it = visitors_.find(key);
  if (it != visitors_.end()) {
    recent_visitors_.splice(recent_visitors_.end(), recent_visitors_, it->second.recent);
    return it->second;
  }
  if (visitors_.size() >= limits_.max_visitors && !recent_visitors_.empty()) {
    // The visitor's cookie stays valid; only its chat pointer and sign-in
    // count are forgotten (its next chat window starts afresh).
    visitors_.erase(recent_visitors_.front());
    recent_visitors_.pop_front();
    ++totals_.visitors_evicted;
  }
  recent_visitors_.push_back(key);
  VisitorEntry& entry = visitors_[key];
  entry.recent = std::prev(recent_visitors_.end());
  return entry;
}

void ChatStore::ForgetEndedLocked(Clock::time_point now, std::vector<std::function<void()>>& wake) {
  while (!ended_.empty()) {
    auto it = chats_.find(ended_.front());
    if (it != chats_.end() && ended_.size() <= limits_.max_ended &&
        now - it->second.ended_at < limits_.ended_grace) {
      break;
    }
    ended_.pop_front();
    if (it != chats_.end()) EvictChatLocked(it, wake);
  }
}

void ChatStore::EvictChatLocked(std::map<std::string, ChatEntry>::iterator it,
                                std::vector<std::function<void()>>& wake) {
  const std::string id = it->first;
  if (it->second.chat.status == ChatStatus::kEnded) {
    std::erase(ended_, id);
  } else {
    ++totals_.chats_evicted;
  }
  auto visitor = visitors_.find(VisitorKey(it->second.chat.site_id, it->second.chat.visitor_id));
  if (visitor != visitors_.end() && visitor->second.current_chat == id) {
    visitor->second.current_chat.clear();
  }
  recent_chats_.erase(it->second.recent);
  chats_.erase(it);
  // Its windows learn that it is gone.
  WakeLocked("c:" + id, wake);
}

void ChatStore::WakeLocked(const std::string& key, std::vector<std::function<void()>>& wake) {
  auto [first, last] = parked_.equal_range(key);
  for (auto it = first; it != last; ++it) {
    std::shared_ptr<Parked> parked = it->second;
    parked->done = true;
    wake.push_back(std::move(parked->resume));
    // Cancelled on the timers' executor, where the timer is waited on.
    asio::post(timers_, [parked] { parked->timer->cancel(); });
  }
  parked_.erase(first, last);
}

bool ChatStore::ParkLocked(const std::string& key, std::function<void()> resume) {
  if (parked_.size() >= limits_.max_long_polls) return false;
  auto parked = std::make_shared<Parked>();
  parked->id = ++next_parked_;
  parked->resume = std::move(resume);
  parked->timer = std::make_unique<asio::steady_timer>(timers_, limits_.long_poll);
  parked_.emplace(key, parked);
  // Started under the lock, so a cancel posted by a later wake-up comes after it.
  parked->timer->async_wait([this, parked, key](const boost::system::error_code&) {
    std::function<void()> resume;
    {
      std::lock_guard lock(mutex_);
      if (parked->done) return;
      parked->done = true;
      resume = std::move(parked->resume);
      auto [first, last] = parked_.equal_range(key);
      for (auto it = first; it != last; ++it) {
        if (it->second == parked) {
          parked_.erase(it);
          break;
        }
      }
    }
    resume();
  });
  return true;
}

Chat ChatStore::OpenChatFor(const std::string& site_id, const std::string& visitor_id) {
  std::vector<std::function<void()>> wake;
  Chat out;
  {
    std::lock_guard lock(mutex_);
    const auto now = Clock::now();
    ForgetEndedLocked(now, wake);
    VisitorEntry& visitor = VisitorLocked(VisitorKey(site_id, visitor_id));
    auto it = chats_.find(visitor.current_chat);
    if (it != chats_.end() && it->second.chat.status != ChatStatus::kEnded) {
      TouchChat(it->second);
      out = it->second.chat;
    } else {
      while (chats_.size() >= limits_.max_chats && !recent_chats_.empty()) {
        EvictChatLocked(chats_.find(recent_chats_.front()), wake);
      }
      // Zero-padded, so the map's order is the start order.
      std::string number = std::to_string(++next_chat_);
      number.insert(0, number.size() < 8 ? 8 - number.size() : 0, '0');
      const std::string id = "chat-" + run_tag_ + "-" + number;
      recent_chats_.push_back(id);
      ChatEntry& entry = chats_[id];
      entry.chat.id = id;
      entry.chat.site_id = site_id;
      entry.chat.visitor_id = visitor_id;
      entry.recent = std::prev(recent_chats_.end());
      // Still valid: evicting chats never erases visitors.
      visitor.current_chat = id;
      ++totals_.chats_created;
      out = entry.chat;
    }
  }
  Run(wake);
  return out;
}

std::optional<Chat> ChatStore::Find(const std::string& chat_id) {
  std::lock_guard lock(mutex_);
  auto it = chats_.find(chat_id);
  if (it == chats_.end()) return std::nullopt;
  return it->second.chat;
}

bool ChatStore::Update(const std::string& chat_id, const std::function<void(Chat&)>& change) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    auto it = chats_.find(chat_id);
    if (it == chats_.end()) return false;
    Chat& chat = it->second.chat;
    // What a chat is never changes: which chat, whose, on which site.
    const std::string id = chat.id;
    const std::string site_id = chat.site_id;
    const std::string visitor_id = chat.visitor_id;
    change(chat);
    chat.id = id;
    chat.site_id = site_id;
    chat.visitor_id = visitor_id;
    TouchChat(it->second);
    WakeLocked("c:" + chat_id, wake);
  }
  Run(wake);
  return true;
}

bool ChatStore::End(const std::string& chat_id, const std::string& transcript_id,
                    std::vector<std::pair<std::string, std::string>> tags) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    auto it = chats_.find(chat_id);
    if (it == chats_.end() || it->second.chat.status == ChatStatus::kEnded) return false;
    Chat& chat = it->second.chat;
    chat.status = ChatStatus::kEnded;
    chat.transcript_id = transcript_id;
    chat.tags = std::move(tags);
    chat.messages.push_back(
        Message{static_cast<int>(chat.messages.size()) + 1, Author::kSystem, "Chat ended"});
    it->second.ended_at = Clock::now();
    ended_.push_back(chat_id);
    WakeLocked("c:" + chat_id, wake);
    ForgetEndedLocked(it->second.ended_at, wake);
  }
  Run(wake);
  return true;
}

std::vector<Chat> ChatStore::List(std::size_t limit, const std::string& site_id) {
  std::vector<std::function<void()>> wake;
  std::vector<Chat> out;
  {
    std::lock_guard lock(mutex_);
    ForgetEndedLocked(Clock::now(), wake);
    for (auto it = chats_.rbegin(); it != chats_.rend() && out.size() < limit; ++it) {
      if (site_id.empty() || it->second.chat.site_id == site_id) out.push_back(it->second.chat);
    }
  }
  Run(wake);
  return out;
}

ChatStore::PostResult ChatStore::Post(const std::string& chat_id, Author from, std::string text,
                                      int* n) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    auto it = chats_.find(chat_id);
    if (it == chats_.end()) return PostResult::kNoChat;
    Chat& chat = it->second.chat;
    if (from != Author::kSystem && chat.status != ChatStatus::kActive) {
      return PostResult::kNotActive;
    }
    if (chat.messages.size() >= limits_.max_messages) return PostResult::kFull;
    chat.messages.push_back(
        Message{static_cast<int>(chat.messages.size()) + 1, from, std::move(text)});
    if (n != nullptr) *n = static_cast<int>(chat.messages.size());
    TouchChat(it->second);
    WakeLocked("c:" + chat_id, wake);
  }
  Run(wake);
  return PostResult::kPosted;
}

MessagesView ChatStore::ViewLocked(const std::string& chat_id, int after) {
  MessagesView view;
  auto it = chats_.find(chat_id);
  if (it == chats_.end()) return view;
  view.found = true;
  view.status = it->second.chat.status;
  const auto& messages = it->second.chat.messages;
  const std::size_t from = after < 0 ? 0 : static_cast<std::size_t>(after);
  if (from < messages.size()) view.messages.assign(messages.begin() + from, messages.end());
  return view;
}

bool ChatStore::WaitForMessages(const std::string& chat_id, int after,
                                std::function<void(MessagesView)> done) {
  MessagesView now;
  {
    std::lock_guard lock(mutex_);
    now = ViewLocked(chat_id, after);
    if (!stopping_ && now.found && now.messages.empty() && now.status != ChatStatus::kEnded) {
      auto resume = [this, chat_id, after, done] {
        MessagesView view;
        {
          std::lock_guard relock(mutex_);
          view = ViewLocked(chat_id, after);
        }
        done(std::move(view));
      };
      return ParkLocked("c:" + chat_id, std::move(resume));
    }
  }
  done(std::move(now));
  return true;
}

std::optional<Chat> ChatStore::OpenChatOf(const std::string& site_id,
                                          const std::string& visitor_id) {
  std::lock_guard lock(mutex_);
  auto visitor = visitors_.find(VisitorKey(site_id, visitor_id));
  if (visitor == visitors_.end()) return std::nullopt;
  auto it = chats_.find(visitor->second.current_chat);
  if (it == chats_.end() || it->second.chat.status == ChatStatus::kEnded) return std::nullopt;
  return it->second.chat;
}

void ChatStore::MarkSignInChanged(const std::string& site_id, const std::string& visitor_id) {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    const std::string key = VisitorKey(site_id, visitor_id);
    ++VisitorLocked(key).sign_in_changes;
    WakeLocked("v:" + key, wake);
  }
  Run(wake);
}

bool ChatStore::WaitForSignIn(const std::string& site_id, const std::string& visitor_id,
                              std::int64_t after, std::function<void(std::int64_t)> done) {
  const std::string key = VisitorKey(site_id, visitor_id);
  // Read without creating an entry: waiting costs no visitor slot.
  const auto count = [this, key] {
    auto it = visitors_.find(key);
    return it == visitors_.end() ? std::int64_t{0} : it->second.sign_in_changes;
  };
  std::int64_t now = 0;
  {
    std::lock_guard lock(mutex_);
    now = count();
    if (!stopping_ && now <= after) {
      auto resume = [this, count, done] {
        std::int64_t value = 0;
        {
          std::lock_guard relock(mutex_);
          value = count();
        }
        done(value);
      };
      return ParkLocked("v:" + key, std::move(resume));
    }
  }
  done(now);
  return true;
}

void ChatStore::Shutdown() {
  std::vector<std::function<void()>> wake;
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    std::vector<std::string> keys;
    for (const auto& [key, parked] : parked_) keys.push_back(key);
    for (const auto& key : keys) WakeLocked(key, wake);
  }
  Run(wake);
}

StoreCounts ChatStore::Counts() {
  std::vector<std::function<void()>> wake;
  StoreCounts counts;
  {
    std::lock_guard lock(mutex_);
    ForgetEndedLocked(Clock::now(), wake);
    counts = totals_;
    counts.chats = chats_.size();
    counts.ended_chats = ended_.size();
    counts.open_chats = chats_.size() - ended_.size();
    counts.visitors = visitors_.size();
    counts.long_polls = parked_.size();
  }
  Run(wake);
  return counts;
}

}  // namespace sample_host::serve
