#include "serve/visitor_identity.hpp"

#include "serve/secrets.hpp"

namespace sample_host::serve {

namespace {

constexpr std::size_t kIdHex = 32;   // 128 bits
constexpr std::size_t kMacHex = 64;  // HMAC-SHA256

bool IsLowerHex(std::string_view text) {
  return text.find_first_not_of("0123456789abcdef") == std::string_view::npos;
}

}  // namespace

VisitorIdentity::VisitorIdentity(std::string secret, bool secure_cookies)
    : secret_(std::move(secret)), secure_(secure_cookies) {}

std::string VisitorIdentity::Mac(const std::string& public_id) const {
  // Domain-separated from the other MACs made with the same secret.
  return HmacSha256Hex(secret_, "visitor-cookie\n" + public_id);
}

std::optional<std::string> VisitorIdentity::FromRequest(const Request& request) const {
  const std::string value = CookieValue(request, kCookie);
  if (value.size() != kIdHex + 1 + kMacHex || value[kIdHex] != '.') return std::nullopt;
  const std::string id = value.substr(0, kIdHex);
  const std::string mac = value.substr(kIdHex + 1);
  if (!IsLowerHex(id) || !IsLowerHex(mac)) return std::nullopt;
  if (!ConstantTimeEqual(mac, Mac(id))) return std::nullopt;
  return id;
}

std::string VisitorIdentity::NewPublicId() { return RandomHex(kIdHex / 2); }

std::string VisitorIdentity::SetCookie(const std::string& public_id) const {
  std::string cookie = std::string(kCookie) + "=" + public_id + "." + Mac(public_id) +
                       "; Path=/; Max-Age=2592000; HttpOnly";
  cookie += secure_ ? "; Secure; SameSite=None; Partitioned" : "; SameSite=Lax";
  return cookie;
}

}  // namespace sample_host::serve
