// A browser for the end-to-end tests against the real `sample-host serve`:
// its own cookie jar (cookies with Path=/sso/ go only to /sso/), its own
// client address, one connection per request.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http/verb.hpp>

namespace vsso::testing {

struct Reply {
  int status = 0;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;

  /// The first header `name` (any case), or "" when absent.
  std::string Header(std::string_view name) const;
  std::string Code() const { return Header("X-Visitor-SSO-Error"); }
};

class BrowserClient {
 public:
  /// Talks to 127.0.0.1:`port` from `address`, sending `host` as Host.
  BrowserClient(unsigned short port, std::string host, std::string address = "127.0.0.1")
      : port_(port), host_(std::move(host)), address_(std::move(address)) {}

  Reply Get(const std::string& target) {
    return Send(boost::beast::http::verb::get, target, {}, {}, {});
  }
  Reply PostForm(const std::string& target, const std::string& body,
                 const std::string& origin = {}) {
    return Send(boost::beast::http::verb::post, target, body, "application/x-www-form-urlencoded",
                origin);
  }
  Reply PostJson(const std::string& target, const std::string& body, const std::string& origin) {
    return Send(boost::beast::http::verb::post, target, body, "application/json", origin);
  }
  /// The plugin's browser cookie, when this browser has one.
  std::string PluginCookie() const;
  /// Opens the chat window, as a visitor does first: the host's visitor cookie.
  void OpenChat();

 private:
  struct Cookie {
    std::string value;
    bool sso_only = false;
  };

  Reply Send(boost::beast::http::verb method, const std::string& target, const std::string& body,
             const std::string& type, const std::string& origin);
  void Keep(const std::string& set_cookie);

  unsigned short port_;
  std::string host_;
  std::string address_;
  std::map<std::string, Cookie> jar_;
};

}  // namespace vsso::testing
