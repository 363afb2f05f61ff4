#include "hooks/routing_fields.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>

#include <boost/json/basic_parser_impl.hpp>
#include <boost/json/value.hpp>

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

}  // namespace

routing::Fields RoutingFieldsFromJson(std::string_view json,
                                      const std::vector<std::string>& names) {
  boost::json::basic_parser<Handler> parser(boost::json::parse_options{}, names);
  error_code ec;
  const std::size_t used = parser.write_some(false, json.data(), json.size(), ec);
  // As boost::json::parse: an error, or data after the value, is a failure.
  if (ec || used != json.size() || !parser.handler().root_is_array()) return {};
  return std::move(parser.handler().fields());
}

}  // namespace vsso::hooks
