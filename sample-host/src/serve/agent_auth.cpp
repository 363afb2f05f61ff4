#include "serve/agent_auth.hpp"

#include <algorithm>

#include "serve/secrets.hpp"

namespace sample_host::serve {

namespace {

constexpr std::chrono::milliseconds kFirstDelay{500};
constexpr std::chrono::milliseconds kMaxDelay{16000};
// A client that stopped failing this long ago starts from the first delay.
constexpr std::chrono::minutes kForgetFailures{15};
// Bounds the table when many addresses fail (the oldest are dropped).
constexpr std::size_t kMaxThrottles = 10000;

}  // namespace

AgentAuth::AgentAuth(std::string password, std::string secret, bool secure_cookies)
    : password_mac_(HmacSha256Hex(secret, "agent-password\n" + password)),
      secret_(std::move(secret)),
      secure_(secure_cookies) {}

std::string AgentAuth::Key(std::string_view purpose, std::string_view value) const {
  std::string message(purpose);
  message += '\n';
  message += value;
  return HmacSha256Hex(secret_, message);
}

bool AgentAuth::CheckCredentials(std::string_view user, std::string_view password) const {
  // Both compared, always: no early exit on a wrong user name.
  const bool user_ok = ConstantTimeEqual(Key("agent-user", user), Key("agent-user", kAccount));
  const bool password_ok = ConstantTimeEqual(Key("agent-password", password), password_mac_);
  return user_ok && password_ok;
}

std::optional<std::string> AgentAuth::SessionOf(const Request& request) {
  const std::string id = CookieValue(request, kSessionCookie);
  if (id.size() != 32) return std::nullopt;
  const std::string key = Key("agent-session", id);
  std::lock_guard lock(mutex_);
  const auto it = sessions_.find(key);
  if (it == sessions_.end()) return std::nullopt;
  if (it->second <= Clock::now()) {
    sessions_.erase(it);
    return std::nullopt;
  }
  return id;
}

std::string AgentAuth::StartSession() {
  const std::string id = RandomHex(16);
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  PurgeLocked(now);
  if (sessions_.size() >= kMaxSessions) {
    // The session that expires first is the oldest one.
    sessions_.erase(
        std::min_element(sessions_.begin(), sessions_.end(),
                         [](const auto& a, const auto& b) { return a.second < b.second; }));
  }
  sessions_[Key("agent-session", id)] = now + kSessionLifetime;
  return id;
}

void AgentAuth::EndSession(const std::string& session_id) {
  std::lock_guard lock(mutex_);
  sessions_.erase(Key("agent-session", session_id));
}

std::size_t AgentAuth::SessionCount() {
  std::lock_guard lock(mutex_);
  PurgeLocked(Clock::now());
  return sessions_.size();
}

void AgentAuth::PurgeLocked(Clock::time_point now) {
  std::erase_if(sessions_, [&](const auto& entry) { return entry.second <= now; });
}

std::string AgentAuth::SessionCookie(const std::string& session_id) const {
  return std::string(kSessionCookie) + "=" + session_id + "; Path=/; HttpOnly; SameSite=Lax" +
         (secure_ ? "; Secure" : "");
}

std::string AgentAuth::ClearSessionCookie() const {
  return std::string(kSessionCookie) + "=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax" +
         (secure_ ? "; Secure" : "");
}

std::string AgentAuth::NewLoginCookieValue() const { return RandomHex(16); }

std::string AgentAuth::LoginCookie(const std::string& value) const {
  return std::string(kLoginCookie) + "=" + value + "; Path=/agent/; HttpOnly; SameSite=Strict" +
         (secure_ ? "; Secure" : "");
}

std::string AgentAuth::LoginToken(const std::string& login_cookie) const {
  return Key("csrf-login", login_cookie);
}

std::string AgentAuth::SignOutToken(const std::string& session_id) const {
  return Key("csrf-sign-out", session_id);
}

bool AgentAuth::CheckToken(const std::string& expected, const std::string& given) const {
  return ConstantTimeEqual(expected, given);
}

std::chrono::milliseconds AgentAuth::LockedFor(const std::string& address) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  const auto it = throttles_.find(address);
  if (it == throttles_.end() || it->second.locked_until <= now) return {};
  return std::chrono::ceil<std::chrono::milliseconds>(it->second.locked_until - now);
}

std::chrono::milliseconds AgentAuth::RecordFailure(const std::string& address) {
  const auto now = Clock::now();
  std::lock_guard lock(mutex_);
  if (throttles_.size() >= kMaxThrottles && !throttles_.contains(address)) {
    std::erase_if(throttles_, [&](const auto& entry) {
      return now - entry.second.last_failure > kForgetFailures;
    });
    if (throttles_.size() >= kMaxThrottles) {
      throttles_.erase(
          std::min_element(throttles_.begin(), throttles_.end(), [](const auto& a, const auto& b) {
            return a.second.last_failure < b.second.last_failure;
          }));
    }
  }
  Throttle& throttle = throttles_[address];
  if (now - throttle.last_failure > kForgetFailures) throttle.failures = 0;
  throttle.failures = std::min(throttle.failures + 1, 16);
  auto delay = kFirstDelay * (1 << std::min(throttle.failures - 1, 5));
  delay = std::min(delay, kMaxDelay);
  throttle.last_failure = now;
  throttle.locked_until = now + delay;
  return delay;
}

void AgentAuth::RecordSuccess(const std::string& address) {
  std::lock_guard lock(mutex_);
  throttles_.erase(address);
}

}  // namespace sample_host::serve
