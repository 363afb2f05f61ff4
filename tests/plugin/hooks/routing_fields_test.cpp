#include "hooks/routing_fields.hpp"

#include <algorithm>
#include <random>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "support/routing_fields_reference.hpp"

namespace vsso::hooks {
namespace {

// What ChatWillStart and ChatWillBeRouted computed before the event parser:
// the same JSON read as a DOM. The event parser must agree on every input.
routing::Fields FromDom(const std::string& json, const std::vector<std::string>& names) {
  return testing::RoutingFieldsFromDom(json, names);
}

const std::vector<std::string> kNames = {"company", "email", "variable:membership_level"};

// As the sign-in writes them (identity mapping serialised by boost::json).
const std::string kSession =
    R"([{"key":"name","values":["Alice Liddell"]},{"key":"email","values":["alice@example.org"]},)"
    R"({"key":"company","values":["Company 7","Sub\"sidiary\\ \u00e9"]},)"
    R"({"key":"prechat:Account Number","values":["A-1001"]},)"
    R"({"key":"variable:membership_level","values":["gold"]}])";

// The same as the serializer writes non-ASCII text (raw UTF-8, no escapes).
const std::string kPlainSession =
    "[{\"key\":\"name\",\"values\":[\"Zo\xc3\xab \xe6\x97\xa5\xe6\x9c\xac\"]},"
    "{\"key\":\"company\",\"values\":[\"Soci\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80\",\"B\"]},"
    "{\"key\":\"email\",\"values\":[]},{\"key\":\"variable:membership_level\","
    "\"values\":[\"gold\"]}]";

TEST(RoutingFieldsTest, ReadsTheNamedFieldsOfASession) {
  const routing::Fields expected{{"company", {"Company 7", "Sub\"sidiary\\ \xc3\xa9"}},
                                 {"email", {"alice@example.org"}},
                                 {"variable:membership_level", {"gold"}}};
  EXPECT_EQ(RoutingFieldsFromJson(kSession, kNames), expected);
  EXPECT_EQ(FromDom(kSession, kNames), expected);
  EXPECT_TRUE(RoutingFieldsFromJson(kSession, {}).empty());
  const routing::Fields plain{{"company", {"Soci\xc3\xa9t\xc3\xa9 \xf0\x9f\x98\x80", "B"}},
                              {"variable:membership_level", {"gold"}}};
  EXPECT_EQ(RoutingFieldsFromJson(kPlainSession, kNames), plain);
  EXPECT_EQ(FromDom(kPlainSession, kNames), plain);
}

TEST(RoutingFieldsTest, AgreesWithTheDomOnOddDocuments) {
  const std::vector<std::string> cases = {
      "",
      "[]",
      "{}",
      R"("company")",
      "[1, true, null, \"x\", [\"company\"]]",
      R"([{"key":"company","values":["a"]}] x)",
      R"([{"key":"company","values":["a"]})",
      R"([{"key":"company","values":["a"]}] )",
      R"( [{"key":"company","values":["a"]}])",
      R"([{"key":"company","values":[]}])",
      R"([{"key":"company","values":["a"]},{"key":"company","values":[]}])",
      R"([{"key":"company","values":["a"],"x":1}])",
      "[{\"key\":\"company\",\"values\":[\"\xed\xa0\x80\"]}]",
      "[{\"key\":\"company\",\"values\":[\"\xc0\xaf\"]}]",
      "[{\"key\":\"company\",\"values\":[\"\xf4\x90\x80\x80\"]}]",
      "[{\"key\":\"company\",\"values\":[\"\xe6\x97\"]}]",
      "[{\"key\":\"company\",\"values\":[\"\x7f\"]}]",
      R"([{"key":"company","values":["a",1,null,["b"],{"c":"d"},"e"]}])",
      R"([{"values":["a"],"key":"company"}])",
      R"([{"key":"company","values":["a"],"key":"email"}])",
      R"([{"key":"company","values":["a"],"key":5}])",
      R"([{"key":"company","values":["a"],"values":["b"]}])",
      R"([{"key":"company","values":["a"],"values":"b"}])",
      R"([{"key":"company","values":["a"],"values":{"x":["c"]}}])",
      R"([{"key":"company","values":["a"]},{"key":"company","values":[]}])",
      R"([{"key":"company","values":["a"]},{"key":"company","values":["b"]}])",
      R"([{"key":"company"},{"key":"company","values":["b"]}])",
      R"([{"key":["company"],"values":["a"]}])",
      R"([{"key":{"key":"company","values":["x"]},"values":["a"]}])",
      R"([[{"key":"company","values":["a"]}]])",
      R"([{"nested":{"key":"company","values":["x"]},"key":"email","values":["e"]}])",
      R"([{"key":"company","values":["\ud800"]}])",
      "[{\"key\":\"company\",\"values\":[\"\xff\"]}]",
      "[{\"key\":\"company\",\"values\":[\"a\x01\"]}]",
      R"([{"key":"comp\u0061ny","values":["\u0041"]}])",
      R"([{"key":"company","values":["a"]},])",
      R"([{"key":"company","values":["a"]} /* c */])",
      R"([{"key":"company","values":[1e999]}])",
      std::string(40, '[') + std::string(40, ']'),
  };
  for (const std::string& json : cases) {
    EXPECT_EQ(RoutingFieldsFromJson(json, kNames), FromDom(json, kNames)) << json;
  }
}

// Random edits of a session's JSON (bytes replaced, dropped, duplicated,
// JSON tokens inserted) reach states the fixed cases do not.
TEST(RoutingFieldsTest, AgreesWithTheDomOnMutatedSessions) {
  std::mt19937 random(15);
  int plain_with_fields = 0;
  const std::vector<std::string> tokens = {"[", "]",    "{",       "}",          ",",
                                           ":", "\"",   "\"key\"", "\"values\"", "\"company\"",
                                           "1", "null", "\\"};
  int with_fields = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string json = i % 2 == 0 ? kSession : kPlainSession;
    const int edits = 1 + static_cast<int>(random() % 3);
    for (int e = 0; e < edits; ++e) {
      const std::size_t at = random() % json.size();
      switch (random() % 4) {
        case 0:
          json[at] = static_cast<char>(random() % 256);
          break;
        case 1:
          json.erase(at, 1 + random() % 8);
          break;
        case 2:
          json.insert(at, json.substr(at, 1 + random() % 40));
          break;
        default:
          json.insert(at, tokens[random() % tokens.size()]);
          break;
      }
      if (json.empty()) json = "[";
    }
    const routing::Fields expected = FromDom(json, kNames);
    if (!expected.empty()) ++with_fields;
    if (!expected.empty() && json.find('\\') == std::string::npos) ++plain_with_fields;
    ASSERT_EQ(RoutingFieldsFromJson(json, kNames), expected) << json;
  }
  // The mutations leave many documents readable, so fields are compared too.
  EXPECT_GT(with_fields, 2000);
  // Many of them without escapes: the plain scan's own path is compared.
  EXPECT_GT(plain_with_fields, 1000);
}

}  // namespace
}  // namespace vsso::hooks
