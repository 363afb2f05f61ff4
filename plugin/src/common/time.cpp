#include "common/time.hpp"

#include <cstdint>
#include <cstdio>

namespace vsso::time {
namespace {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
std::int64_t DaysFromCivil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2 ? 1 : 0;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

bool IsLeap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int DaysInMonth(int y, int m) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && IsLeap(y) ? 29 : kDays[m - 1];
}

class Reader {
 public:
  Reader(std::string_view text, const char* what) : text_(text), what_(what) {}

  bool AtEnd() const { return pos_ == text_.size(); }
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }
  std::size_t pos() const { return pos_; }
  void Skip() { ++pos_; }

  Result<int> Digits(std::size_t count, const char* field) {
    int value = 0;
    for (std::size_t i = 0; i < count; ++i) {
      if (AtEnd() || text_[pos_] < '0' || text_[pos_] > '9') {
        return Fail(std::string("expected ") + std::to_string(count) + " digits of " + field);
      }
      value = value * 10 + (text_[pos_++] - '0');
    }
    return value;
  }

  Status Expect(char c, bool case_insensitive = false) {
    const char got = Peek();
    const bool same = got == c || (case_insensitive && got == (c | 0x20));
    if (AtEnd() || !same) return Fail(std::string("expected '") + c + "'");
    ++pos_;
    return Ok();
  }

  Error Fail(const std::string& why) const {
    std::string message =
        std::string(what_) + " '" + std::string(text_.substr(0, 64)) + "': " + why;
    message += AtEnd() ? " at end of text" : " at position " + std::to_string(pos_ + 1);
    return MakeError("time.invalid", message);
  }

 private:
  std::string_view text_;
  const char* what_;
  std::size_t pos_ = 0;
};

enum class Zone { kOptional, kRequired };

Result<UnixSeconds> Parse(std::string_view text, Zone zone, bool lenient_case, const char* what) {
  Reader r(text, what);
  auto year = r.Digits(4, "year");
  if (!year) return year.error();
  if (auto s = r.Expect('-'); !s) return s.error();
  auto month = r.Digits(2, "month");
  if (!month) return month.error();
  if (*month < 1 || *month > 12) return r.Fail("month " + std::to_string(*month) + " out of range");
  if (auto s = r.Expect('-'); !s) return s.error();
  auto day = r.Digits(2, "day");
  if (!day) return day.error();
  if (*day < 1 || *day > DaysInMonth(*year, *month)) {
    return r.Fail("day " + std::to_string(*day) + " out of range for the month");
  }
  if (auto s = r.Expect('T', lenient_case); !s) return s.error();
  auto hour = r.Digits(2, "hour");
  if (!hour) return hour.error();
  if (auto s = r.Expect(':'); !s) return s.error();
  auto minute = r.Digits(2, "minute");
  if (!minute) return minute.error();
  if (auto s = r.Expect(':'); !s) return s.error();
  auto second = r.Digits(2, "second");
  if (!second) return second.error();
  if (*hour > 23) return r.Fail("hour " + std::to_string(*hour) + " out of range");
  if (*minute > 59) return r.Fail("minute " + std::to_string(*minute) + " out of range");
  // SAML Core 1.3.3: implementations MUST NOT generate leap seconds.
  if (*second > 59) return r.Fail("second " + std::to_string(*second) + " out of range");
  if (r.Peek() == '.') {
    r.Skip();
    if (r.Peek() < '0' || r.Peek() > '9') return r.Fail("expected digits after '.'");
    while (r.Peek() >= '0' && r.Peek() <= '9') r.Skip();
  }
  std::int64_t offset_seconds = 0;
  const char z = r.Peek();
  if (z == 'Z' || (lenient_case && z == 'z')) {
    r.Skip();
  } else if (z == '+' || z == '-') {
    r.Skip();
    auto oh = r.Digits(2, "zone hours");
    if (!oh) return oh.error();
    if (auto s = r.Expect(':'); !s) return s.error();
    auto om = r.Digits(2, "zone minutes");
    if (!om) return om.error();
    if (*oh > 14 || *om > 59 || (*oh == 14 && *om != 0)) return r.Fail("zone offset out of range");
    offset_seconds = (*oh * 3600 + *om * 60) * (z == '-' ? -1 : 1);
  } else if (zone == Zone::kRequired || !r.AtEnd()) {
    return r.Fail("expected 'Z' or a zone offset like +02:00");
  }
  if (!r.AtEnd()) return r.Fail("unexpected text after the time");
  const std::int64_t days =
      DaysFromCivil(*year, static_cast<unsigned>(*month), static_cast<unsigned>(*day));
  return days * 86400 + *hour * 3600 + *minute * 60 + *second - offset_seconds;
}

}  // namespace

Result<UnixSeconds> ParseXsDateTime(std::string_view text) {
  return Parse(text, Zone::kOptional, false, "xs:dateTime");
}

Result<UnixSeconds> ParseRfc3339(std::string_view text) {
  return Parse(text, Zone::kRequired, true, "RFC 3339 time");
}

std::string FormatUtc(UnixSeconds t) {
  std::int64_t days = t / 86400;
  std::int64_t rem = t % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  // Inverse of DaysFromCivil.
  days += 719468;
  const std::int64_t era = (days >= 0 ? days : days - 146096) / 146097;
  const auto doe = static_cast<unsigned>(days - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400 + (m <= 2 ? 1 : 0);
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02uT%02lld:%02lld:%02lldZ",
                static_cast<long long>(y), m, d, static_cast<long long>(rem / 3600),
                static_cast<long long>(rem / 60 % 60), static_cast<long long>(rem % 60));
  return buffer;
}

}  // namespace vsso::time
