#include "common/encoding.hpp"

#include <gtest/gtest.h>

#include <string>

namespace vsso::encoding {
namespace {

std::size_t At0(const std::string& text) { return Utf8SequenceLength(text, 0); }

TEST(Utf8SequenceLengthTest, CountsWellFormedSequences) {
  EXPECT_EQ(At0("a"), 1u);
  EXPECT_EQ(At0(std::string(1, '\0')), 1u);
  EXPECT_EQ(At0("\xC3\xA9"), 2u);          // é
  EXPECT_EQ(At0("\xE2\x80\xA6"), 3u);      // …
  EXPECT_EQ(At0("\xED\x9F\xBF"), 3u);      // U+D7FF, the last before the surrogates
  EXPECT_EQ(At0("\xF0\x9F\x98\x80"), 4u);  // 😀
  EXPECT_EQ(At0("\xF4\x8F\xBF\xBF"), 4u);  // U+10FFFF
  EXPECT_EQ(Utf8SequenceLength("x\xC3\xA9", 1), 2u);
}

// Unicode 15 table 3-7: what a reader of attacker-chosen text must not take
// for a character.
TEST(Utf8SequenceLengthTest, RefusesWhatIsNotWellFormed) {
  EXPECT_EQ(At0("\x80"), 0u);              // a continuation byte first
  EXPECT_EQ(At0("\xC0\xAF"), 0u);          // overlong '/'
  EXPECT_EQ(At0("\xC1\xBF"), 0u);          // overlong
  EXPECT_EQ(At0("\xE0\x9F\xBF"), 0u);      // overlong 3 bytes
  EXPECT_EQ(At0("\xED\xA0\x80"), 0u);      // a surrogate, U+D800
  EXPECT_EQ(At0("\xF0\x8F\xBF\xBF"), 0u);  // overlong 4 bytes
  EXPECT_EQ(At0("\xF4\x90\x80\x80"), 0u);  // above U+10FFFF
  EXPECT_EQ(At0("\xF5\x80\x80\x80"), 0u);
  EXPECT_EQ(At0("\xFF"), 0u);
  EXPECT_EQ(At0("\xC3\x28"), 0u);  // a continuation byte missing
  EXPECT_EQ(At0("\xE2\x80"), 0u);  // cut short by the end
  EXPECT_EQ(At0("\xF0\x9F\x98"), 0u);
}

}  // namespace
}  // namespace vsso::encoding
