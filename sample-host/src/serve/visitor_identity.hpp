// Who a visitor is: the server makes each visitor's public ID (128 bits from
// RAND_bytes) and hands it out in a cookie together with its HMAC-SHA256
// under the server's secret. The visitor of a request comes from that
// cookie only, never from a query parameter or a body, so a link cannot fix
// a victim's visitor (session fixation) and knowing a public ID (agents,
// History and the audit log see it) is not enough to act as that visitor.
// Any node given the same secret accepts the cookie.
//
// The cookie is HttpOnly; on https or a loopback host also Secure;
// SameSite=None; Partitioned (CHIPS), so the chat window keeps its visitor
// inside an iframe on a website of another site, in that website's own
// partition. On plain http elsewhere browsers drop Secure cookies, so it is
// SameSite=Lax there and only a same-site embedding works.
// Immutable after construction; any thread.
#pragma once

#include <optional>
#include <string>

#include "serve/http_basics.hpp"

namespace sample_host::serve {

class VisitorIdentity {
 public:
  static constexpr const char* kCookie = "vsso_visitor";

  /// `secret`: the MAC key (at least 32 bytes); `secure_cookies`: whether
  /// browsers keep Secure cookies from the public origin (Origin::IsTrustworthy).
  VisitorIdentity(std::string secret, bool secure_cookies);

  /// The public ID in the request's cookie when its MAC is right; nullopt
  /// when there is no cookie or it was not made with this secret.
  std::optional<std::string> FromRequest(const Request& request) const;

  /// A fresh public ID: 32 lowercase hex digits.
  static std::string NewPublicId();

  /// The Set-Cookie header value that makes a browser this visitor.
  std::string SetCookie(const std::string& public_id) const;

 private:
  std::string Mac(const std::string& public_id) const;

  std::string secret_;
  bool secure_;
};

}  // namespace sample_host::serve
