#include "support/browser_client.hpp"

#include <gtest/gtest.h>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace vsso::testing {

namespace asio = boost::asio;
namespace http = boost::beast::http;

std::string Reply::Header(std::string_view name) const {
  for (const auto& [k, v] : headers) {
    if (boost::beast::iequals(k, name)) return v;
  }
  return {};
}

std::string BrowserClient::PluginCookie() const {
  auto it = jar_.find("vsso_browser");
  return it == jar_.end() ? std::string() : it->second.value;
}

void BrowserClient::OpenChat() { ASSERT_EQ(Get("/chat").status, 200); }

Reply BrowserClient::Send(http::verb method, const std::string& target, const std::string& body,
                          const std::string& type, const std::string& origin) {
  asio::io_context io;
  asio::ip::tcp::socket socket(io);
  socket.open(asio::ip::tcp::v4());
  socket.bind({asio::ip::make_address(address_), 0});
  socket.connect({asio::ip::make_address("127.0.0.1"), port_});
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, host_);
  if (!type.empty()) request.set(http::field::content_type, type);
  if (!origin.empty()) request.set(http::field::origin, origin);
  std::string cookies;
  for (const auto& [name, cookie] : jar_) {
    if (cookie.sso_only && !target.starts_with("/sso/")) continue;
    cookies += (cookies.empty() ? "" : "; ") + name + "=" + cookie.value;
  }
  if (!cookies.empty()) request.set(http::field::cookie, cookies);
  request.body() = body;
  request.prepare_payload();
  request.keep_alive(false);
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(16 << 20);
  http::read(socket, buffer, parser);
  const auto& response = parser.get();
  Reply reply;
  reply.status = static_cast<int>(response.result_int());
  reply.body = response.body();
  for (const auto& field : response) {
    reply.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
    if (field.name() == http::field::set_cookie) Keep(std::string(field.value()));
  }
  return reply;
}

void BrowserClient::Keep(const std::string& set_cookie) {
  const std::size_t eq = set_cookie.find('=');
  const std::size_t semi = set_cookie.find(';');
  if (eq == std::string::npos || eq > semi) return;
  Cookie c;
  c.value = set_cookie.substr(eq + 1, semi - eq - 1);
  c.sso_only = set_cookie.find("Path=/sso/") != std::string::npos;
  jar_[set_cookie.substr(0, eq)] = c;
}

}  // namespace vsso::testing
