// The one error type of serve's JSON API and pages: a stable code, a message
// a developer can act on, and the HTTP status it maps to. Every handler
// reports failures through it; routes.cpp turns it into
// {"ok":false,"code":..,"message":..} with that status.
#pragma once

#include <string>
#include <utility>
#include <variant>

#include "visitor_sso/sdk/expected.hpp"

namespace sample_host::serve {

struct ApiError {
  int status = 500;
  std::string code;     ///< "host.*" for the host's own refusals, else the plugin's code
  std::string message;  ///< for the developer reading the JSON or the log

  /// The request itself is wrong (missing member, not a number, ...).
  static ApiError BadInput(std::string code, std::string message) {
    return {400, std::move(code), std::move(message)};
  }
  /// No (valid) agent session or visitor cookie.
  static ApiError Unauthenticated(std::string code, std::string message) {
    return {401, std::move(code), std::move(message)};
  }
  /// Known caller, but not allowed: cross-site write, missing CSRF token.
  static ApiError Forbidden(std::string code, std::string message) {
    return {403, std::move(code), std::move(message)};
  }
  static ApiError NotFound(std::string code, std::string message) {
    return {404, std::move(code), std::move(message)};
  }
  /// The Host header names no origin this server answers for.
  static ApiError Misdirected(std::string code, std::string message) {
    return {421, std::move(code), std::move(message)};
  }
  /// The plugin or its store cannot answer now; retrying later may work.
  static ApiError Unavailable(std::string code, std::string message) {
    return {503, std::move(code), std::move(message)};
  }

  /// A hook's error: bad paging input is the caller's (400), anything else
  /// (store down, plugin not configured, internal) is "unavailable" (503).
  static ApiError FromPlugin(const visitor_sso::sdk::Error& error) {
    const bool callers_fault = error.code == "store.bad_cursor" ||
                               error.code == "store.bad_limit" || error.code == "plugin.bad_query";
    return {callers_fault ? 400 : 503, error.code, error.message};
  }
};

/// A value or the ApiError that prevented it.
template <class T>
using ApiResult = std::variant<T, ApiError>;

}  // namespace sample_host::serve
