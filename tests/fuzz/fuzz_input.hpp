// Reads a fuzz input as a sequence of small choices and strings, front to
// back, so structured targets turn most inputs into well-formed documents
// and seed files stay readable ("Nalice@example.org\0" ...).
//
// Like LLVM's FuzzedDataProvider, but header-only and ours: the same corpus
// is replayed by the gcc build (replay_main.cpp), where clang's header is
// not installed. An exhausted input reads as zeros and empty strings.
#pragma once

#include <charconv>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vsso::fuzz {

class FuzzInput {
 public:
  FuzzInput(const std::uint8_t* data, std::size_t size)
      : data_(reinterpret_cast<const char*>(data), size) {}

  bool empty() const { return pos_ >= data_.size(); }

  std::uint8_t Byte() {
    if (empty()) return 0;
    return static_cast<std::uint8_t>(data_[pos_++]);
  }

  bool Bool() { return (Byte() & 1) != 0; }

  /// A choice among n (n > 0) from one byte.
  std::size_t Pick(std::size_t n) { return Byte() % n; }

  /// Text up to a NUL byte (consumed), at most `max` characters; the rest
  /// of an over-long string is left unread. NUL cannot occur in XML or in a
  /// config line anyway, and an unambiguous end keeps seeds easy to write.
  std::string String(std::size_t max = 256) {
    std::string out;
    while (!empty() && out.size() < max) {
      const char c = data_[pos_++];
      if (c == '\0') break;
      out += c;
    }
    return out;
  }

  /// A decimal integer written as a String, clamped to [lo, hi]; anything
  /// unparsable reads as `fallback`.
  std::int64_t Decimal(std::int64_t lo, std::int64_t hi, std::int64_t fallback = 0) {
    const std::string text = String(24);
    std::int64_t value = 0;
    const char* begin = text.data();
    if (!text.empty() && text.front() == '+') ++begin;
    const auto [ptr, ec] = std::from_chars(begin, text.data() + text.size(), value);
    if (text.empty() || ec != std::errc() || ptr != text.data() + text.size()) return fallback;
    return value < lo ? lo : value > hi ? hi : value;
  }

  std::string Rest() {
    std::string out(data_.substr(empty() ? data_.size() : pos_));
    pos_ = data_.size();
    return out;
  }

 private:
  std::string_view data_;
  std::size_t pos_ = 0;
};

}  // namespace vsso::fuzz
