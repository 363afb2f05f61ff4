// The HTTP vocabulary of serve's application layer: request and response
// types (Boost.Beast), the reply callback, the request target split into
// path and query, cookies, media types, and the response builders every
// route uses (JSON, pages, errors) with the headers they always carry.
// Pure functions; any thread.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/beast/http.hpp>
#include <boost/json/value.hpp>

#include "serve/api_error.hpp"

namespace sample_host::serve {

namespace http = boost::beast::http;
using Request = http::request<http::string_body>;
using Response = http::response<http::string_body>;
/// Sends the response; may be called later (long polls, delayed login
/// failures) and from any thread, exactly once.
using Respond = std::function<void(Response)>;

/// What the transport knows about the peer.
struct Client {
  std::string address;  ///< IP address as text
};

struct Target {
  std::string path;                                        ///< as sent, not decoded
  std::string raw_query;                                   ///< without '?'
  std::vector<std::pair<std::string, std::string>> query;  ///< decoded
  bool query_ok = true;  ///< false when the query has a malformed escape

  /// The first value of `name`, or "" when absent.
  std::string Param(std::string_view name) const;
};

Target SplitTarget(std::string_view target);

/// The value of cookie `name` in the Cookie header, or "".
std::string CookieValue(const Request& request, std::string_view name);

/// The media type of Content-Type, lowercase, without parameters.
std::string MediaType(const Request& request);

/// Whether a header value has CR, LF or NUL (RFC 9110 5.5: never sent).
bool HasForbiddenHeaderChars(std::string_view value);

/// A response with `Cache-Control: no-store` and `X-Content-Type-Options: nosniff`.
Response MakeResponse(const Request& request, http::status status, std::string_view content_type,
                      std::string body);
Response JsonResponse(const Request& request, const boost::json::value& value,
                      http::status status = http::status::ok);
/// {"ok":false,"code":..,"message":..} with the error's status.
Response ErrorResponse(const Request& request, const ApiError& error);

}  // namespace sample_host::serve
