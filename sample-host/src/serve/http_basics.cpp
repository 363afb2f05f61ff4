#include "serve/http_basics.hpp"

#include <algorithm>
#include <cctype>

#include <boost/json/serialize.hpp>

#include "wire.hpp"

namespace sample_host::serve {

std::string Target::Param(std::string_view name) const {
  for (const auto& [key, value] : query) {
    if (key == name) return value;
  }
  return {};
}

Target SplitTarget(std::string_view whole) {
  Target target;
  const std::size_t question = whole.find('?');
  target.path = std::string(whole.substr(0, question));
  if (question != std::string_view::npos) {
    target.raw_query = std::string(whole.substr(question + 1));
    auto parsed = ParseQuery(target.raw_query);
    target.query_ok = parsed.has_value();
    if (parsed) target.query = std::move(*parsed);
  }
  return target;
}

std::string CookieValue(const Request& request, std::string_view name) {
  // Several Cookie headers may arrive (HTTP/2 gateways split them).
  for (const auto& field : request) {
    if (field.name() != http::field::cookie) continue;
    std::string_view cookies = field.value();
    while (!cookies.empty()) {
      const std::size_t semi = cookies.find(';');
      std::string_view part = cookies.substr(0, semi);
      cookies = semi == std::string_view::npos ? std::string_view() : cookies.substr(semi + 1);
      while (!part.empty() && part.front() == ' ') part.remove_prefix(1);
      const std::size_t equals = part.find('=');
      if (equals != std::string_view::npos && part.substr(0, equals) == name) {
        return std::string(part.substr(equals + 1));
      }
    }
  }
  return {};
}

std::string MediaType(const Request& request) {
  const auto it = request.find(http::field::content_type);
  if (it == request.end()) return {};
  std::string_view value = it->value();
  value = value.substr(0, value.find(';'));
  while (!value.empty() && (value.back() == ' ' || value.back() == '\t')) value.remove_suffix(1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  std::string out(value);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

bool HasForbiddenHeaderChars(std::string_view value) {
  return value.find_first_of(std::string_view("\r\n\0", 3)) != std::string_view::npos;
}

Response MakeResponse(const Request& request, http::status status, std::string_view content_type,
                      std::string body) {
  Response response{status, request.version()};
  response.set(http::field::content_type, content_type);
  response.set(http::field::cache_control, "no-store");
  response.set("X-Content-Type-Options", "nosniff");
  response.keep_alive(request.keep_alive());
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

Response JsonResponse(const Request& request, const boost::json::value& value,
                      http::status status) {
  return MakeResponse(request, status, "application/json", boost::json::serialize(value));
}

Response ErrorResponse(const Request& request, const ApiError& error) {
  return JsonResponse(
      request, boost::json::object{{"ok", false}, {"code", error.code}, {"message", error.message}},
      static_cast<http::status>(error.status));
}

}  // namespace sample_host::serve
