#include "hooks/routing_fields.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <utility>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value.hpp>

#include "common/encoding.hpp"

namespace vsso::hooks {
namespace {

using boost::json::error_code;
using boost::json::string_view;

// Depths (containers open around an event): 1 inside the document's array,
// 2 inside one of its item objects, 3 inside that item's "values" array.
class Handler {
 public:
  // The DOM parser's own limits (boost/json/detail/handler.hpp).
  static constexpr std::size_t max_object_size = boost::json::object::max_size();
  static constexpr std::size_t max_array_size = boost::json::array::max_size();
  static constexpr std::size_t max_key_size = boost::json::string::max_size();
  static constexpr std::size_t max_string_size = boost::json::string::max_size();

  explicit Handler(const std::vector<std::string>& names) : names_(names) {}

  bool on_document_begin(error_code&) { return true; }
  bool on_document_end(error_code&) { return true; }

  bool on_array_begin(error_code&) {
    if (depth_ == 0) root_is_array_ = true;
    if (depth_ == 2) {
      const Member m = std::exchange(member_, Member::kOther);
      if (m == Member::kKey) key_.reset();
      if (m == Member::kValues) {
        values_.clear();  // the last "values" of the item wins
        in_values_ = true;
      }
    }
    ++depth_;
    return true;
  }
  bool on_array_end(std::size_t, error_code&) {
    --depth_;
    if (depth_ == 2) in_values_ = false;
    return true;
  }

  bool on_object_begin(error_code&) {
    if (depth_ == 1) {
      key_.reset();
      values_.clear();
      member_ = Member::kOther;
    } else if (depth_ == 2) {
      Scalar();
    }
    ++depth_;
    return true;
  }
  bool on_object_end(std::size_t, error_code&) {
    --depth_;
    if (depth_ == 1) EndItem();
    return true;
  }

  bool on_string_part(string_view s, std::size_t, error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_string(string_view s, std::size_t, error_code&) {
    std::string_view full(s.data(), s.size());
    if (!part_.empty()) {
      part_.append(s.data(), s.size());
      full = part_;
    }
    if (depth_ == 2) {
      const Member m = std::exchange(member_, Member::kOther);
      if (m == Member::kKey) key_.emplace(full);
      if (m == Member::kValues) values_.clear();  // not an array: no values
    } else if (depth_ == 3 && in_values_) {
      values_.emplace_back(full);
    }
    part_.clear();
    return true;
  }

  bool on_key_part(string_view s, std::size_t, error_code&) {
    part_.append(s.data(), s.size());
    return true;
  }
  bool on_key(string_view s, std::size_t, error_code&) {
    std::string_view full(s.data(), s.size());
    if (!part_.empty()) {
      part_.append(s.data(), s.size());
      full = part_;
    }
    if (depth_ == 2) {
      member_ = full == "key" ? Member::kKey : full == "values" ? Member::kValues : Member::kOther;
    }
    part_.clear();
    return true;
  }

  bool on_number_part(string_view, error_code&) { return true; }
  bool on_int64(std::int64_t, string_view, error_code&) { return Scalar(); }
  bool on_uint64(std::uint64_t, string_view, error_code&) { return Scalar(); }
  bool on_double(double, string_view, error_code&) { return Scalar(); }
  bool on_bool(bool, error_code&) { return Scalar(); }
  bool on_null(error_code&) { return Scalar(); }
  bool on_comment_part(string_view, error_code&) { return true; }
  bool on_comment(string_view, error_code&) { return true; }

  bool root_is_array() const { return root_is_array_; }
  routing::Fields& fields() { return fields_; }

 private:
  enum class Member { kOther, kKey, kValues };

  // A value other than a string or an array (or an object at depth 2): an
  // item's "key" that is not a string, "values" that is not an array.
  bool Scalar() {
    if (depth_ == 2) {
      const Member m = std::exchange(member_, Member::kOther);
      if (m == Member::kKey) key_.reset();
      if (m == Member::kValues) values_.clear();
    }
    return true;
  }

  void EndItem() {
    if (key_ && !values_.empty() && std::binary_search(names_.begin(), names_.end(), *key_)) {
      fields_[*key_] = std::move(values_);
    }
    key_.reset();
    values_.clear();
    member_ = Member::kOther;
  }

  const std::vector<std::string>& names_;
  int depth_ = 0;
  bool root_is_array_ = false;
  bool in_values_ = false;
  Member member_ = Member::kOther;
  std::optional<std::string> key_;
  std::vector<std::string> values_;
  std::string part_;
  routing::Fields fields_;
};

// Bytes a string may hold as they are: printable ASCII but '"' and '\\'.
constexpr auto kPlain = [] {
  std::array<bool, 256> plain{};
  for (int c = 0x20; c < 0x80; ++c) plain[c] = c != '"' && c != '\\';
  return plain;
}();

// The document exactly as boost::json::serialize writes SessionOf's array,
// read without a parser: no whitespace, each item {"key":"...","values":[...]}
// in that order, strings with no escape sequence. Such a document is valid
// JSON whose items have no duplicate members, so this reads what the parser
// would. nullopt for anything else (escapes, other members, whitespace,
// malformed UTF-8): the parser then decides.
std::optional<routing::Fields> ReadPlain(std::string_view json,
                                         const std::vector<std::string>& names) {
  std::size_t i = 0;
  const auto lit = [&](std::string_view text) {
    if (json.size() - i < text.size()) return false;
    for (std::size_t k = 0; k < text.size(); ++k) {
      if (json[i + k] != text[k]) return false;
    }
    i += text.size();
    return true;
  };
  // The rest of a string whose opening quote was read.
  const auto str = [&](std::string_view& out) {
    const std::size_t start = i;
    for (;;) {
      while (i < json.size() && kPlain[static_cast<unsigned char>(json[i])]) ++i;
      if (i == json.size()) return false;
      const unsigned c = static_cast<unsigned char>(json[i]);
      if (c == '"') break;
      if (c < 0x80) return false;  // an escape or a control character
      const std::size_t n = encoding::Utf8SequenceLength(json, i);
      if (n == 0) return false;
      i += n;
    }
    out = json.substr(start, i - start);
    ++i;
    return true;
  };
  routing::Fields fields;
  if (!lit("[")) return std::nullopt;
  if (!lit("]")) {
    for (;;) {
      std::string_view key;
      if (!lit(R"({"key":")") || !str(key) || !lit(R"(,"values":[)")) return std::nullopt;
      const bool wanted = std::binary_search(names.begin(), names.end(), key);
      std::vector<std::string> values;
      if (!lit("]")) {
        for (;;) {
          std::string_view value;
          if (!lit("\"") || !str(value)) return std::nullopt;
          if (wanted) values.emplace_back(value);
          if (lit("]")) break;
          if (!lit(",")) return std::nullopt;
        }
      }
      if (!lit("}")) return std::nullopt;
      if (wanted && !values.empty()) fields[std::string(key)] = std::move(values);
      if (lit("]")) break;
      if (!lit(",")) return std::nullopt;
    }
  }
  if (i != json.size()) return std::nullopt;
  return fields;
}

}  // namespace

routing::Fields RoutingFieldsFromJson(std::string_view json,
                                      const std::vector<std::string>& names) {
  if (auto plain = ReadPlain(json, names)) return std::move(*plain);
  boost::json::basic_parser<Handler> parser(boost::json::parse_options{}, names);
  error_code ec;
  const std::size_t used = parser.write_some(false, json.data(), json.size(), ec);
  // As boost::json::parse: an error, or data after the value, is a failure.
  if (ec || used != json.size() || !parser.handler().root_is_array()) return {};
  return std::move(parser.handler().fields());
}

}  // namespace vsso::hooks
