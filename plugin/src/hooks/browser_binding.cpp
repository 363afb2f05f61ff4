#include "hooks/browser_binding.hpp"

#include <openssl/evp.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cctype>

#include <boost/url/parse.hpp>

#include "common/encoding.hpp"

namespace vsso::hooks {
namespace sdk = visitor_sso::sdk;
namespace {

bool EqualsIgnoreCase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           return std::tolower(static_cast<unsigned char>(x)) ==
                  std::tolower(static_cast<unsigned char>(y));
         });
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool IsToken(std::string_view v) {
  return v.size() == 32 && std::all_of(v.begin(), v.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
         });
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::string HeaderOf(const sdk::HttpRequest& request, std::string_view name) {
  for (const auto& [k, v] : request.headers) {
    if (EqualsIgnoreCase(k, name)) return v;
  }
  return {};
}

std::optional<std::string> BrowserCookieOf(const sdk::HttpRequest& request) {
  // RFC 6265 5.4: one Cookie header of "name=value; name=value" pairs (HTTP/2
  // may split it; every Cookie header is read).
  for (const auto& [k, v] : request.headers) {
    if (!EqualsIgnoreCase(k, "cookie")) continue;
    std::string_view rest = v;
    while (!rest.empty()) {
      const std::size_t semi = rest.find(';');
      const std::string_view pair = Trim(rest.substr(0, semi));
      rest = semi == std::string_view::npos ? std::string_view() : rest.substr(semi + 1);
      const std::size_t eq = pair.find('=');
      if (eq == std::string_view::npos || Trim(pair.substr(0, eq)) != kBrowserCookie) continue;
      const std::string_view value = Trim(pair.substr(eq + 1));
      if (IsToken(value)) return std::string(value);
    }
  }
  return std::nullopt;
}

Result<std::string> RandomToken() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return MakeError("sso.random_failed", "OpenSSL's random generator failed (RAND_bytes)");
  }
  return encoding::HexLower(std::string_view(reinterpret_cast<const char*>(bytes), sizeof bytes));
}

std::string Sha256Hex(std::string_view value) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  if (EVP_Digest(value.data(), value.size(), digest, &length, EVP_sha256(), nullptr) != 1) {
    // Only an allocation failure gets here; an empty hash matches no stored row.
    return {};
  }
  return encoding::HexLower(std::string_view(reinterpret_cast<const char*>(digest), length));
}

std::string BrowserCookieHeader(const std::string& cookie) {
  return std::string(kBrowserCookie) + "=" + cookie +
         "; Path=/sso/; HttpOnly; Secure; SameSite=None";
}

Result<BrowserBinding> BindBrowser(const sdk::HttpRequest& request) {
  if (auto existing = BrowserCookieOf(request)) return BrowserBinding{*existing, false};
  auto fresh = RandomToken();
  if (!fresh) return std::move(fresh).error();
  return BrowserBinding{*fresh, true};
}

std::string OriginOf(std::string_view url) {
  auto parsed = boost::urls::parse_absolute_uri(url);
  if (!parsed || !parsed->has_authority()) return {};
  const std::string scheme = Lower(parsed->scheme());
  if (scheme != "http" && scheme != "https") return {};
  std::string origin = scheme + "://" + Lower(parsed->encoded_host());
  const std::string_view port = parsed->port();
  const bool default_port =
      port.empty() || (scheme == "http" && port == "80") || (scheme == "https" && port == "443");
  if (!default_port) origin += ":" + std::string(port);
  return origin;
}

Status CheckSameOriginJson(const sdk::HttpRequest& request, const std::string& own_origin,
                           const std::string& code) {
  const std::string type = Lower(Trim(HeaderOf(request, "content-type")));
  if (type != "application/json" && !type.starts_with("application/json;")) {
    return MakeError(code, "the request must be JSON (Content-Type: application/json), got \"" +
                               type.substr(0, 64) + "\"");
  }
  const std::string origin = std::string(Trim(HeaderOf(request, "origin")));
  if (own_origin.empty() || origin != own_origin) {
    return MakeError(code, "the request's Origin \"" + origin.substr(0, 128) +
                               "\" is not this chat host (" + own_origin +
                               ", the origin of acs_url)");
  }
  return Ok();
}

}  // namespace vsso::hooks
