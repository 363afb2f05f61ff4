// The one error style at the plugin boundary: every hook returns
// Expected<T>, either a value or an Error with a stable machine-readable code
// and a message an admin can act on. No exception ever crosses the boundary.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace visitor_sso::sdk {

struct Error {
  /// Stable, documented code such as "config.unknown_key" or
  /// "saml.conditions.expired". Hosts may switch on it.
  std::string code;
  /// Admin-facing explanation with expected vs. received values. Never
  /// contains assertions or key material.
  std::string message;
};

template <class T>
class [[nodiscard]] Expected {
 public:
  Expected(T value) : v_(std::in_place_index<0>, std::move(value)) {}      // NOLINT
  Expected(Error error) : v_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool has_value() const noexcept { return v_.index() == 0; }
  explicit operator bool() const noexcept { return has_value(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &std::get<0>(v_); }
  const T* operator->() const { return &std::get<0>(v_); }
  T& operator*() & { return std::get<0>(v_); }
  const T& operator*() const& { return std::get<0>(v_); }

  const Error& error() const& { return std::get<1>(v_); }
  Error&& error() && { return std::get<1>(std::move(v_)); }

 private:
  std::variant<T, Error> v_;
};

/// Result of an operation with no value.
struct Done {};
using Status = Expected<Done>;

inline Status Ok() { return Done{}; }
inline Error MakeError(std::string code, std::string message) {
  return Error{std::move(code), std::move(message)};
}

}  // namespace visitor_sso::sdk
