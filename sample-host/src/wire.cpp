#include "wire.hpp"

#include <zlib.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>
#include <ctime>
#include <iomanip>
#include <sstream>

#include <boost/beast/core/detail/base64.hpp>

namespace sample_host {

namespace sdk = visitor_sso::sdk;
namespace json = boost::json;

namespace {

// A SAML request stays far below this; the cap keeps a hostile redirect from
// inflating without bound.
constexpr std::size_t kMaxInflated = 1 << 20;

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<std::string> PercentDecode(std::string_view text) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] != '%') {
      out.push_back(text[i]);
      continue;
    }
    if (i + 2 >= text.size()) return std::nullopt;
    const int high = HexValue(text[i + 1]);
    const int low = HexValue(text[i + 2]);
    if (high < 0 || low < 0) return std::nullopt;
    out.push_back(static_cast<char>(high * 16 + low));
    i += 2;
  }
  return out;
}

}  // namespace

std::optional<sdk::UnixSeconds> ParseRfc3339(std::string_view text) {
  // RFC 3339 section 5.6: date-time = full-date "T" full-time; time-offset is
  // "Z" or +hh:mm / -hh:mm. Lower-case 't' and 'z' are allowed too (5.6 NOTE).
  if (text.size() < 20) return std::nullopt;
  std::string head(text.substr(0, 19));
  if (head[10] == 't') head[10] = 'T';
  std::tm tm{};
  std::istringstream in(head);
  in >> std::get_time(&tm, "%Y-%m-%dT%H:%M:%S");
  if (in.fail() || head[4] != '-' || head[7] != '-' || head[13] != ':' || head[16] != ':') {
    return std::nullopt;
  }
  std::string_view rest = text.substr(19);
  if (!rest.empty() && rest.front() == '.') {
    std::size_t digits = 1;
    while (digits < rest.size() && std::isdigit(static_cast<unsigned char>(rest[digits]))) {
      ++digits;
    }
    if (digits == 1) return std::nullopt;
    rest.remove_prefix(digits);
  }
  long offset = 0;
  if (rest == "Z" || rest == "z") {
    offset = 0;
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    for (std::size_t i : {1, 2, 4, 5}) {
      if (!std::isdigit(static_cast<unsigned char>(rest[i]))) return std::nullopt;
    }
    const long hours = (rest[1] - '0') * 10 + (rest[2] - '0');
    const long minutes = (rest[4] - '0') * 10 + (rest[5] - '0');
    if (hours > 23 || minutes > 59) return std::nullopt;
    offset = (hours * 60 + minutes) * 60 * (rest[0] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  // get_time does not range-check the day against the month; timegm would
  // silently normalise "02-31", so round-trip and compare.
  std::tm check = tm;
  const time_t local = timegm(&check);
  if (check.tm_mday != tm.tm_mday || check.tm_mon != tm.tm_mon) return std::nullopt;
  return static_cast<sdk::UnixSeconds>(local) - offset;
}

std::string FormatRfc3339(sdk::UnixSeconds seconds) {
  const time_t t = static_cast<time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buffer.data();
}

std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(c);
    } else {
      out.push_back('%');
      out.push_back(kHex[u >> 4]);
      out.push_back(kHex[u & 0x0F]);
    }
  }
  return out;
}

std::optional<std::vector<std::pair<std::string, std::string>>> ParseQuery(std::string_view query) {
  std::vector<std::pair<std::string, std::string>> out;
  while (!query.empty()) {
    const std::size_t amp = query.find('&');
    const std::string_view part = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (part.empty()) continue;
    const std::size_t equals = part.find('=');
    auto key = PercentDecode(part.substr(0, equals));
    auto value = PercentDecode(equals == std::string_view::npos ? std::string_view()
                                                                : part.substr(equals + 1));
    if (!key || !value) return std::nullopt;
    out.emplace_back(std::move(*key), std::move(*value));
  }
  return out;
}

std::string Base64Encode(std::string_view bytes) {
  namespace base64 = boost::beast::detail::base64;
  std::string out(base64::encoded_size(bytes.size()), '\0');
  out.resize(base64::encode(out.data(), bytes.data(), bytes.size()));
  return out;
}

std::optional<std::string> Base64Decode(std::string_view text) {
  namespace base64 = boost::beast::detail::base64;
  // Beast stops at the first '=': drop the padding first, so "read everything"
  // means "every character was base64".
  for (int pad = 0; pad < 2 && !text.empty() && text.back() == '='; ++pad) text.remove_suffix(1);
  // decoded_size rounds down for unpadded input; size for whole groups.
  std::string out(base64::decoded_size(text.size() + 3), '\0');
  const auto [written, read] = base64::decode(out.data(), text.data(), text.size());
  if (read != text.size()) return std::nullopt;
  out.resize(written);
  return out;
}

std::optional<std::string> InflateRedirectMessage(std::string_view base64) {
  auto deflated = Base64Decode(base64);
  if (!deflated) return std::nullopt;
  z_stream stream{};
  // Negative window bits: raw DEFLATE without zlib header (RFC 1951), as the
  // binding specifies.
  if (inflateInit2(&stream, -15) != Z_OK) return std::nullopt;
  stream.next_in = reinterpret_cast<Bytef*>(deflated->data());
  stream.avail_in = static_cast<uInt>(deflated->size());
  std::string out;
  std::array<char, 4096> chunk{};
  int rc = Z_OK;
  while (rc == Z_OK && out.size() <= kMaxInflated) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk.data());
    stream.avail_out = static_cast<uInt>(chunk.size());
    rc = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk.data(), chunk.size() - stream.avail_out);
  }
  inflateEnd(&stream);
  if (rc != Z_STREAM_END) return std::nullopt;
  return out;
}

const char* ChatStartDecisionName(sdk::ChatStartDecision decision) {
  switch (decision) {
    case sdk::ChatStartDecision::kProceed:
      return "proceed";
    case sdk::ChatStartDecision::kOfferSignIn:
      return "offer_sign_in";
    case sdk::ChatStartDecision::kRequireSignIn:
      return "require_sign_in";
    case sdk::ChatStartDecision::kRefuse:
      return "refuse";
  }
  return "unknown";
}

std::optional<std::int64_t> ParseInt(std::string_view text, std::int64_t min, std::int64_t max) {
  // from_chars takes a leading '-' but no '+' or spaces; a partial parse
  // ("12abc") or an overflow is refused rather than cut short.
  if (text.empty()) return std::nullopt;
  std::int64_t value = 0;
  const char* end = text.data() + text.size();
  const auto [stop, error] = std::from_chars(text.data(), end, value, 10);
  if (error != std::errc() || stop != end) return std::nullopt;
  if (value < min || value > max) return std::nullopt;
  return value;
}

bool IsValidSiteId(std::string_view id) {
  if (id.empty() || id.size() > 63) return false;
  const auto lower_or_digit = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!lower_or_digit(id.front())) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) { return lower_or_digit(c) || c == '-'; });
}

std::string SsoPath(std::string_view site, std::string_view endpoint) {
  if (site.empty() || site == kDefaultSite) return "/sso/" + std::string(endpoint);
  return "/sso/" + std::string(site) + "/" + std::string(endpoint);
}

std::string PrechatFieldLabel(const std::string& key) {
  for (std::string_view prefix : {"prechat:", "variable:"}) {
    if (key.starts_with(prefix)) return key.substr(prefix.size());
  }
  if (key == "product_service") return "Product/Service";
  std::string label = key;
  // toupper on a plain char is undefined for negative values (UTF-8 bytes).
  if (!label.empty()) {
    label[0] = static_cast<char>(std::toupper(static_cast<unsigned char>(label[0])));
  }
  return label;
}

sdk::FieldValue PrechatAnswer(const std::string& key, std::vector<std::string> values) {
  sdk::FieldValue field;
  field.key = key;
  field.label = PrechatFieldLabel(key);
  for (const auto& v : values) field.value += (field.value.empty() ? "" : ", ") + v;
  field.values = std::move(values);
  return field;
}

json::value OptionalJson(const std::string& text) {
  return text.empty() ? json::value(nullptr) : json::value(text);
}

json::value OptionalTimeJson(sdk::UnixSeconds seconds) {
  return seconds != 0 ? json::value(FormatRfc3339(seconds)) : json::value(nullptr);
}

json::array FieldsJson(const std::vector<sdk::FieldValue>& fields) {
  json::array out;
  for (const auto& f : fields) {
    json::array values;
    for (const auto& v : f.values) values.emplace_back(v);
    out.emplace_back(json::object{
        {"key", f.key}, {"label", f.label}, {"value", f.value}, {"values", std::move(values)}});
  }
  return out;
}

json::object InfoTabJson(const sdk::InfoTab& info) {
  return {{"name", info.name},
          {"customer_id", OptionalJson(info.customer_id)},
          {"verified", info.verified},
          {"idp_entity_id", OptionalJson(info.idp_entity_id)},
          {"signed_in_at", OptionalTimeJson(info.signed_in_at)}};
}

json::object ChatStartJson(const sdk::ChatStartResult& started) {
  return {{"decision", ChatStartDecisionName(started.decision)},
          {"signed_in", started.signed_in},
          {"customer_id", OptionalJson(started.customer_id)},
          {"sign_in_url", OptionalJson(started.sign_in_url)},
          {"reason_code", OptionalJson(started.reason_code)},
          {"reason", OptionalJson(started.reason)}};
}

json::object RoutingJson(const sdk::RoutingResult& routed) {
  return {{"decision", routed.decision == sdk::RoutingDecision::kRoute ? "route" : "no_opinion"},
          {"team", OptionalJson(routed.team)},
          {"rule", OptionalJson(routed.rule)},
          {"rule_text", OptionalJson(routed.rule_text)}};
}

json::object TagsJson(const std::vector<std::pair<std::string, std::string>>& tags) {
  json::object out;
  for (const auto& [key, value] : tags) out[key] = value;
  return out;
}

json::object TranscriptRecordJson(const sdk::TranscriptRecord& record) {
  return {{"transcript_id", record.transcript_id},
          {"chat_id", record.chat_id},
          {"visitor_id", record.visitor_id},
          {"customer_id", OptionalJson(record.customer_id)},
          {"idp_entity_id", OptionalJson(record.idp_entity_id)},
          {"signed_in", record.signed_in},
          {"team", OptionalJson(record.team)},
          {"saved_at", FormatRfc3339(record.saved_at)}};
}

json::object HistoryPageJson(const sdk::HistoryPage& page) {
  json::array rows;
  for (const auto& record : page.rows) rows.emplace_back(TranscriptRecordJson(record));
  return {{"transcripts", std::move(rows)}, {"next_cursor", OptionalJson(page.next_cursor)}};
}

}  // namespace sample_host
