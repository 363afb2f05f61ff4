#include "hooks/return_path.hpp"

#include <gtest/gtest.h>

namespace vsso::hooks {
namespace {

TEST(ReturnPath, AcceptsSameSitePathsAsGiven) {
  for (const std::string ok : {"/", "/chat", "/chat?embed=1&x=%20y", "/a/b.c/..d/", "/%2e%2ex",
                               "/chat#top", "/p?next=//not-a-path-here"}) {
    auto checked = CheckReturnPath(ok);
    ASSERT_TRUE(checked) << ok << ": " << checked.error().message;
    EXPECT_EQ(*checked, ok);
  }
}

TEST(ReturnPath, RefusesEveryWayOffTheSiteOrIntoAHeader) {
  const std::string long_path = "/" + std::string(kMaxReturnPathBytes, 'a');
  for (const std::string& bad : {std::string(),
                                 std::string("chat"),
                                 std::string("https://evil.example/"),
                                 std::string("//evil.example"),
                                 std::string("/\\evil.example"),
                                 std::string("/a\\b"),
                                 std::string("/\r\nSet-Cookie: x=1"),
                                 std::string("/%0d%0aSet-Cookie:%20x=1"),
                                 std::string("/%0D%0A"),
                                 std::string("/%09/evil.example"),
                                 std::string("/\t/evil.example"),
                                 std::string("/ x"),
                                 std::string("/%2F%2Fevil.example"),
                                 std::string("/%2f"),
                                 std::string("/%5C"),
                                 std::string("/%5c"),
                                 std::string("/%00"),
                                 std::string("/%7F"),
                                 std::string("/%1f"),
                                 std::string("/%"),
                                 std::string("/%zz"),
                                 std::string("/%2"),
                                 std::string("/chat/..//evil.example"),
                                 std::string("/./x"),
                                 std::string("/.."),
                                 std::string("/%2e%2e/x"),
                                 std::string("/.%2E/x"),
                                 std::string("/%2e"),
                                 std::string("/caf\xc3\xa9"),
                                 std::string("/a\"b"),
                                 std::string("/<script>"),
                                 std::string("/a\0b", 4),
                                 long_path}) {
    auto checked = CheckReturnPath(bad);
    ASSERT_FALSE(checked) << bad;
    EXPECT_EQ(checked.error().code, "sso.login.bad_return_url");
    EXPECT_EQ(checked.error().message.rfind("the return address ", 0), 0u)
        << checked.error().message;
  }
  EXPECT_TRUE(CheckReturnPath("/" + std::string(kMaxReturnPathBytes - 1, 'a')));
}

}  // namespace
}  // namespace vsso::hooks
