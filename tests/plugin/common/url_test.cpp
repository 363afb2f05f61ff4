#include "common/url.hpp"

#include <gtest/gtest.h>

namespace vsso::url {
namespace {

using Pairs = QueryParams;

TEST(UrlTest, EncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(EncodeQueryValue("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(EncodeQueryValue("a b+c/d=e&f?g#h%i"), "a%20b%2Bc%2Fd%3De%26f%3Fg%23h%25i");
  EXPECT_EQ(EncodeQueryValue("\xc3\xa9"), "%C3%A9");  // é in UTF-8
  EXPECT_EQ(EncodeQueryValue(std::string("\0x", 2)), "%00x");
  EXPECT_EQ(EncodeQueryValue(""), "");
}

TEST(UrlTest, AppendQueryToUrlWithoutQuery) {
  auto u = AppendQuery("https://idp.example.org/sso",
                       {{"SAMLRequest", "ab+/="}, {"RelayState", "/chat?x=1 2"}});
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(*u,
            "https://idp.example.org/sso?SAMLRequest=ab%2B%2F%3D&RelayState=%2Fchat%3Fx%3D1%202");
}

TEST(UrlTest, AppendQueryKeepsExistingParametersAndFragment) {
  auto u = AppendQuery("https://idp.example.org/sso?tenant=a%20b&x#top", {{"k", "v w"}});
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(*u, "https://idp.example.org/sso?tenant=a%20b&x&k=v%20w#top");
}

TEST(UrlTest, AppendNothingLeavesUrlUnchanged) {
  auto u = AppendQuery("https://idp.example.org:8443/a/b", {});
  ASSERT_TRUE(u);
  EXPECT_EQ(*u, "https://idp.example.org:8443/a/b");
}

TEST(UrlTest, AppendQueryToRelativeReference) {
  auto u = AppendQuery("/sso/login", {{"visitor", "v 1"}, {"return", "/chat?x=1&y=2"}});
  ASSERT_TRUE(u) << u.error().message;
  EXPECT_EQ(*u, "/sso/login?visitor=v%201&return=%2Fchat%3Fx%3D1%26y%3D2");
}

TEST(UrlTest, AppendQueryRefusesMalformedUrls) {
  for (const char* bad : {"https://exa mple.org/", "http://[::1/sso", "a b", "https://x/%zz"}) {
    auto u = AppendQuery(bad, {{"a", "b"}});
    ASSERT_FALSE(u) << bad;
    EXPECT_EQ(u.error().code, "common.bad_url");
    EXPECT_NE(u.error().message.find(bad), std::string::npos) << u.error().message;
  }
}

TEST(UrlTest, ParseQueryDecodesInOrder) {
  auto q = ParseQuery("b=2&a=x%20y&c=p+q&flag&=e&a=again");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(
      *q, (Pairs{{"b", "2"}, {"a", "x y"}, {"c", "p+q"}, {"flag", ""}, {"", "e"}, {"a", "again"}}));
}

TEST(UrlTest, ParseEmptyQueryGivesNoPairs) {
  auto q = ParseQuery("");
  ASSERT_TRUE(q);
  EXPECT_TRUE(q->empty());
}

TEST(UrlTest, ParseQueryRefusesBadEscapes) {
  for (const char* bad : {"a=%zz", "a=%4", "a%=1"}) {
    auto q = ParseQuery(bad);
    ASSERT_FALSE(q) << bad;
    EXPECT_EQ(q.error().code, "common.bad_query");
  }
}

TEST(UrlTest, SplitQueryKeepsEscapes) {
  auto q = SplitQuery("SAMLRequest=ab%2Bc&RelayState=x%20y+z");
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(*q, (Pairs{{"SAMLRequest", "ab%2Bc"}, {"RelayState", "x%20y+z"}}));
  EXPECT_FALSE(SplitQuery("a=%g0"));
}

TEST(UrlTest, QueriesAreReadWithinTheirBoundsAndRefuseNul) {
  // A view into a larger buffer, not NUL-terminated: only its own bytes count.
  const std::string buffer = "a=1&b=2";
  auto q = SplitQuery(std::string_view(buffer).substr(0, 3));
  ASSERT_TRUE(q) << q.error().message;
  EXPECT_EQ(*q, (Pairs{{"a", "1"}}));
  auto form = ParseForm(std::string_view(buffer).substr(0, 3));
  ASSERT_TRUE(form);
  EXPECT_EQ(*form, (Pairs{{"a", "1"}}));
  using namespace std::string_literals;
  for (const std::string& nul : {"a=1\0&b=2"s, "\0"s}) {
    auto bad = SplitQuery(nul);
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().code, "common.bad_query");
    EXPECT_FALSE(ParseQuery(nul));
  }
}

TEST(UrlTest, FormBodyTreatsPlusAsSpace) {
  auto f = ParseForm("SAMLResponse=PHNh%2Bbg%3D%3D&RelayState=John+Doe%2B1");
  ASSERT_TRUE(f) << f.error().message;
  EXPECT_EQ(*f, (Pairs{{"SAMLResponse", "PHNh+bg=="}, {"RelayState", "John Doe+1"}}));
  auto bad = ParseForm("a=%");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "common.bad_query");
}

TEST(UrlTest, EncodedValuesDecodeBack) {
  const std::string value = "a b+c/d=e&f?g#h%i\xc3\xa9~";
  auto q = ParseQuery("k=" + EncodeQueryValue(value));
  ASSERT_TRUE(q);
  ASSERT_EQ(q->size(), 1u);
  EXPECT_EQ((*q)[0].second, value);
}

}  // namespace
}  // namespace vsso::url
