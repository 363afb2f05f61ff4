// Agents sign in: one account, "agent", with the password from
// --agent-password-file or one generated at start. A successful login gets
// a random 128-bit session ID in an HttpOnly, SameSite=Lax cookie (Secure on
// https); /agent, /agent/history, /admin and their APIs need it.
//
// - Passwords are compared in constant time (HMACs of both, CRYPTO_memcmp),
//   so neither content nor length leaks through timing.
// - Failed logins are slowed per client address: each failure doubles the
//   wait before the answer (0.5 s up to 16 s), and attempts during that wait
//   are refused at once without looking at the password. The transport's
//   thread is not blocked: the caller answers from a timer.
// - The login and sign-out forms carry CSRF tokens: HMACs bound to a
//   pre-login cookie and to the session (OWASP CSRF cheat sheet, "HMAC based
//   token pattern").
// - Sessions live 12 hours; at most 1,000 are kept (the oldest goes first).
//   Only a MAC of each session ID is stored, so a map lookup reveals nothing.
// Thread-safe.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "serve/http_basics.hpp"

namespace sample_host::serve {

class AgentAuth {
 public:
  using Clock = std::chrono::steady_clock;
  static constexpr const char* kAccount = "agent";
  static constexpr const char* kSessionCookie = "vsso_agent";
  /// Binds the login form's CSRF token to the browser before there is a session.
  static constexpr const char* kLoginCookie = "vsso_login";
  static constexpr std::size_t kMaxSessions = 1000;
  static constexpr std::chrono::hours kSessionLifetime{12};

  AgentAuth(std::string password, std::string secret, bool secure_cookies);

  bool CheckCredentials(std::string_view user, std::string_view password) const;

  /// The request's session ID when its cookie names a live session.
  std::optional<std::string> SessionOf(const Request& request);
  /// A new session; returns its ID.
  std::string StartSession();
  void EndSession(const std::string& session_id);
  std::size_t SessionCount();

  std::string SessionCookie(const std::string& session_id) const;
  std::string ClearSessionCookie() const;
  /// A new pre-login cookie value and its Set-Cookie header.
  std::string NewLoginCookieValue() const;
  std::string LoginCookie(const std::string& value) const;

  /// CSRF tokens of the login form (bound to the pre-login cookie) and of the
  /// sign-out form (bound to the session).
  std::string LoginToken(const std::string& login_cookie) const;
  std::string SignOutToken(const std::string& session_id) const;
  bool CheckToken(const std::string& expected, const std::string& given) const;

  /// How long `address` must still wait before its next attempt (0: none).
  std::chrono::milliseconds LockedFor(const std::string& address);
  /// Records a failure; returns how long to hold the answer back.
  std::chrono::milliseconds RecordFailure(const std::string& address);
  void RecordSuccess(const std::string& address);

 private:
  struct Throttle {
    int failures = 0;
    Clock::time_point locked_until;
    Clock::time_point last_failure;
  };
  std::string Key(std::string_view purpose, std::string_view value) const;
  void PurgeLocked(Clock::time_point now);

  const std::string password_mac_;
  const std::string secret_;
  const bool secure_;
  std::mutex mutex_;
  std::map<std::string, Clock::time_point> sessions_;  // MAC of the ID -> expiry
  std::map<std::string, Throttle> throttles_;          // client address -> state
};

}  // namespace sample_host::serve
