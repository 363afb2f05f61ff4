#include "common/url.hpp"

#include <boost/url/encode.hpp>
#include <boost/url/params_view.hpp>
#include <boost/url/parse.hpp>
#include <boost/url/parse_query.hpp>
#include <boost/url/rfc/unreserved_chars.hpp>
#include <boost/url/url.hpp>

#include <exception>

namespace vsso::url {
namespace {

// Boost.URL 1.81's compiled parse_query reads its argument up to a NUL
// (strlen), past the end of a view that is not NUL-terminated: every call
// gets a NUL-terminated copy, and a NUL inside the input, which it would
// silently cut, is refused.
Result<std::string> Terminated(std::string_view query) {
  if (query.find('\0') != std::string_view::npos) {
    return MakeError("common.bad_query", "not a valid query string: it contains a NUL byte");
  }
  return std::string(query);
}

Result<QueryParams> Decode(std::string_view input, bool space_as_plus) {
  auto owned = Terminated(input);
  if (!owned) return std::move(owned).error();
  const std::string& query = *owned;
  auto parsed = boost::urls::parse_query(query);
  if (!parsed) {
    return MakeError("common.bad_query", "not a valid query string: " + parsed.error().message());
  }
  try {
    QueryParams out;
    boost::urls::encoding_opts opts;
    opts.space_as_plus = space_as_plus;
    for (const auto& p : boost::urls::params_view(query, opts)) {
      out.emplace_back(p.key, p.value);
    }
    return out;
  } catch (const std::exception& e) {
    return MakeError("common.bad_query", std::string("not a valid query string: ") + e.what());
  }
}

}  // namespace

std::string EncodeQueryValue(std::string_view value) {
  return boost::urls::encode(value, boost::urls::unreserved_chars);
}

Result<std::string> AppendQuery(std::string_view base_url, const QueryParams& params) {
  // URI-reference (RFC 3986 4.1): absolute, or relative to the current page.
  auto parsed = boost::urls::parse_uri_reference(base_url);
  if (!parsed) {
    return MakeError("common.bad_url", "not a URL: \"" + std::string(base_url) + "\" (" +
                                           parsed.error().message() + ")");
  }
  try {
    boost::urls::url u(*parsed);
    for (const auto& [key, value] : params) {
      const std::string k = EncodeQueryValue(key);
      const std::string v = EncodeQueryValue(value);
      u.encoded_params().append(boost::urls::param_pct_view(boost::urls::pct_string_view(k),
                                                            boost::urls::pct_string_view(v)));
    }
    return std::string(u.buffer());
  } catch (const std::exception& e) {
    return MakeError("common.bad_url",
                     "cannot extend \"" + std::string(base_url) + "\": " + e.what());
  }
}

Result<QueryParams> ParseQuery(std::string_view query) { return Decode(query, false); }

Result<QueryParams> SplitQuery(std::string_view input) {
  auto owned = Terminated(input);
  if (!owned) return std::move(owned).error();
  auto parsed = boost::urls::parse_query(*owned);
  if (!parsed) {
    return MakeError("common.bad_query", "not a valid query string: " + parsed.error().message());
  }
  QueryParams out;
  for (const auto& p : *parsed) out.emplace_back(p.key, p.value);
  return out;
}

Result<QueryParams> ParseForm(std::string_view body) { return Decode(body, true); }

}  // namespace vsso::url
