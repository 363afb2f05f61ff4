#include "routing/rules.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace vsso::routing {
namespace {

const std::vector<std::string> kKnown = {"name",
                                         "email",
                                         "company",
                                         "phone",
                                         "department",
                                         "product_service",
                                         "prechat:Account Number",
                                         "prechat:Seats",
                                         "variable:membership_level",
                                         "variable:tags"};

RuleSet CompileOk(const std::vector<RuleInput>& rules, const std::string& default_team = "") {
  auto set = RuleSet::Compile(rules, default_team, kKnown);
  EXPECT_TRUE(set) << set.error().message;
  return set ? std::move(*set) : RuleSet{};
}

// Whether a single condition matches `fields`.
bool Holds(const std::string& condition, const Fields& fields) {
  auto set = RuleSet::Compile({{"rule.1", 1, condition + " -> Team"}}, "", kKnown);
  EXPECT_TRUE(set) << condition << ": " << set.error().message;
  if (!set) return false;
  return set->Evaluate(fields).matched;
}

std::string CompileError(const std::string& text, const std::string& name = "rule.1") {
  auto set = RuleSet::Compile({{name, 1, text}}, "General", kKnown);
  if (set) return "compiled";
  EXPECT_EQ(set.error().code, "routing.invalid_rule");
  return set.error().message;
}

TEST(RoutingOperatorsTest, EqualsAndNotEquals) {
  const Fields f{{"company", {"Acme"}}};
  EXPECT_TRUE(Holds("company == Acme", f));
  EXPECT_FALSE(Holds("company == Globex", f));
  EXPECT_TRUE(Holds("company != Globex", f));
  EXPECT_FALSE(Holds("company != Acme", f));
}

TEST(RoutingOperatorsTest, ContainsStartsWithEndsWith) {
  const Fields f{{"email", {"jane.doe@example.org"}}};
  EXPECT_TRUE(Holds("email contains doe@", f));
  EXPECT_FALSE(Holds("email contains smith", f));
  EXPECT_TRUE(Holds("email starts_with jane.", f));
  EXPECT_FALSE(Holds("email starts_with doe", f));
  EXPECT_TRUE(Holds("email ends_with @example.org", f));
  EXPECT_FALSE(Holds("email ends_with @example.com", f));
}

TEST(RoutingOperatorsTest, WordOperatorsAndKeywordsAreCaseInsensitive) {
  const Fields f{{"email", {"jane@example.org"}}, {"company", {"Acme"}}};
  EXPECT_TRUE(Holds("email ENDS_WITH @example.org AND company In (acme) Or NOT company Exists", f));
  EXPECT_FALSE(Holds("NOT email Contains jane", f));
}

TEST(RoutingOperatorsTest, NumericComparisons) {
  const Fields f{{"prechat:Seats", {"50"}}};
  EXPECT_TRUE(Holds("prechat:Seats < 51", f));
  EXPECT_FALSE(Holds("prechat:Seats < 50", f));
  EXPECT_TRUE(Holds("prechat:Seats <= 50", f));
  EXPECT_FALSE(Holds("prechat:Seats <= 49.5", f));
  EXPECT_TRUE(Holds("prechat:Seats > 49.5", f));
  EXPECT_FALSE(Holds("prechat:Seats > 50", f));
  EXPECT_TRUE(Holds("prechat:Seats >= 50", f));
  EXPECT_FALSE(Holds("prechat:Seats >= 1e3", f));
  // Numbers compare as numbers, not text ("9" > "10" as text).
  EXPECT_TRUE(Holds("prechat:Seats > 9", {{"prechat:Seats", {"10"}}}));
  EXPECT_TRUE(Holds("prechat:Seats >= -2", {{"prechat:Seats", {" +3 "}}}));
}

TEST(RoutingOperatorsTest, NumericComparisonWithNonNumericFieldValueIsFalse) {
  const Fields f{{"prechat:Seats", {"fifty"}}};
  EXPECT_FALSE(Holds("prechat:Seats < 100", f));
  EXPECT_FALSE(Holds("prechat:Seats >= 0", f));
  EXPECT_FALSE(Holds("prechat:Seats > 1", {{"prechat:Seats", {"12abc"}}}));
  EXPECT_FALSE(Holds("prechat:Seats > 1", {{"prechat:Seats", {""}}}));
}

TEST(RoutingOperatorsTest, NumericComparisonWithNonNumericRuleValueIsACompileError) {
  const std::string msg = CompileError("prechat:Seats > many -> Big");
  EXPECT_NE(msg.find("rule.1"), std::string::npos) << msg;
  EXPECT_NE(msg.find("\"many\" at column 17 is not a number"), std::string::npos) << msg;
}

TEST(RoutingOperatorsTest, InList) {
  const Fields f{{"company", {"Globex"}}};
  EXPECT_TRUE(Holds("company in (Acme, Globex)", f));
  EXPECT_TRUE(Holds("company in (acme,globex , Initech)", f));
  EXPECT_FALSE(Holds("company in (Acme, Initech)", f));
  EXPECT_FALSE(Holds("company in (\"globex\")", f));  // quoted: case-sensitive
  EXPECT_TRUE(Holds("company in (\"Globex\", Acme)", f));
  // Inside a list, bare values may contain the words "and"/"or".
  EXPECT_TRUE(Holds("department in (Research and Development, Sales)",
                    {{"department", {"research and development"}}}));
}

TEST(RoutingOperatorsTest, Exists) {
  EXPECT_TRUE(Holds("phone exists", {{"phone", {"+1 555"}}}));
  EXPECT_FALSE(Holds("phone exists", {{"email", {"a@b.c"}}}));
  EXPECT_FALSE(Holds("phone exists", {{"phone", {}}}));
}

TEST(RoutingValuesTest, BareValuesAreCaseInsensitiveQuotedAreNot) {
  const Fields f{{"company", {"Acme Corp"}}};
  EXPECT_TRUE(Holds("company == acme corp", f));
  EXPECT_TRUE(Holds("company == ACME CORP", f));
  EXPECT_TRUE(Holds("company == \"Acme Corp\"", f));
  EXPECT_FALSE(Holds("company == \"acme corp\"", f));
  EXPECT_TRUE(Holds("company contains CORP", f));
  EXPECT_FALSE(Holds("company contains \"CORP\"", f));
  EXPECT_FALSE(Holds("company ends_with \"corp\"", f));
}

TEST(RoutingValuesTest, QuotedValuesKeepEscapesKeywordsAndSpaces) {
  EXPECT_TRUE(Holds(R"(name == "Dwayne \"The Rock\" Johnson")",
                    {{"name", {"Dwayne \"The Rock\" Johnson"}}}));
  EXPECT_TRUE(Holds(R"(department == "Research and Development")",
                    {{"department", {"Research and Development"}}}));
  EXPECT_FALSE(Holds(R"(department == " Sales")", {{"department", {"Sales"}}}));
  EXPECT_TRUE(Holds(R"(name == "a -> b")", {{"name", {"a -> b"}}}));
}

TEST(RoutingValuesTest, BareValuesAreTrimmedAndStopAtKeywords) {
  const Fields f{{"department", {"  Customer Success "}}, {"company", {"Acme"}}};
  EXPECT_TRUE(Holds("department ==   customer success   and company == acme", f));
  // "Sandor" contains "and" but not as a word, so it stays one value.
  EXPECT_TRUE(Holds("name == Sandor Orban", {{"name", {"Sandor Orban"}}}));
}

TEST(RoutingFieldsTest, FieldLabelsWithSpacesUnquotedAndQuoted) {
  const Fields f{{"prechat:Account Number", {"A-17"}}};
  EXPECT_TRUE(Holds("prechat:Account Number == a-17", f));
  EXPECT_TRUE(Holds("prechat:\"Account Number\" == a-17", f));
  EXPECT_TRUE(Holds("prechat:Account Number==A-17", f));
  EXPECT_FALSE(Holds("prechat:Account Number == A-18", f));
}

TEST(RoutingFieldsTest, MultiValuedFieldsMatchIfAnyValueDoes) {
  const Fields f{{"variable:tags", {"trial", "VIP", "emea"}}};
  EXPECT_TRUE(Holds("variable:tags == vip", f));
  EXPECT_TRUE(Holds("variable:tags starts_with em", f));
  EXPECT_TRUE(Holds("variable:tags in (apac, EMEA)", f));
  EXPECT_FALSE(Holds("variable:tags == enterprise", f));
  // != is not(==): false as soon as one value equals.
  EXPECT_FALSE(Holds("variable:tags != trial", f));
  EXPECT_TRUE(Holds("variable:tags != enterprise", f));
  EXPECT_TRUE(Holds("variable:tags > 3", {{"variable:tags", {"x", "7"}}}));
}

TEST(RoutingFieldsTest, MissingFieldMakesEveryOperatorFalseExceptNotEquals) {
  const Fields f{{"name", {"Jane"}}};
  EXPECT_FALSE(Holds("company == Acme", f));
  EXPECT_TRUE(Holds("company != Acme", f));
  EXPECT_FALSE(Holds("company contains A", f));
  EXPECT_FALSE(Holds("company starts_with A", f));
  EXPECT_FALSE(Holds("company ends_with e", f));
  EXPECT_FALSE(Holds("company in (Acme)", f));
  EXPECT_FALSE(Holds("prechat:Seats < 10", f));
  EXPECT_FALSE(Holds("prechat:Seats >= 0", f));
  EXPECT_FALSE(Holds("company exists", f));
  EXPECT_TRUE(Holds("not company exists", f));
}

// The compiled form: each named field resolved to one slot shared by every
// rule naming it, bare values folded at compile time.
TEST(RoutingCompiledTest, FieldsAreResolvedOnceAndSharedAcrossRules) {
  const RuleSet set = CompileOk({{"rule.1", 1, "company == ACME and email exists -> A"},
                                 {"rule.2", 2, "company == Globex or name == Jane -> B"},
                                 {"rule.3", 3, "not company exists -> C"}});
  EXPECT_EQ(set.fields(), (std::vector<std::string>{"company", "email", "name"}));
  EXPECT_EQ(set.Evaluate({{"company", {" acme "}}, {"email", {"x@y"}}}).team, "A");
  EXPECT_EQ(set.Evaluate({{"company", {"acme"}}}).matched, false);
  EXPECT_EQ(set.Evaluate({{"company", {"GLOBEX"}}}).team, "B");
  EXPECT_EQ(set.Evaluate({{"company", {"x"}}, {"name", {"jane"}}}).team, "B");
  EXPECT_EQ(set.Evaluate({{"phone", {"1"}}}).team, "C");
  EXPECT_EQ(set.Match({{"company", {"acme"}}}), nullptr);
  const RuleSet::Rule* rule = set.Match({{"company", {"Acme"}}, {"email", {"a"}}});
  ASSERT_NE(rule, nullptr);
  EXPECT_EQ(rule->name, "rule.1");
}

TEST(RoutingCompiledTest, FoldingAppliesToBareValuesOnlyInEveryOperator) {
  const Fields f{{"email", {"  Jane.DOE@Example.ORG "}}};
  EXPECT_TRUE(Holds("email == JANE.doe@example.org", f));
  EXPECT_TRUE(Holds("email contains DOE@EXAMPLE", f));
  EXPECT_TRUE(Holds("email starts_with JANE", f));
  EXPECT_TRUE(Holds("email ends_with .Org", f));
  EXPECT_TRUE(Holds("email in (x, JANE.DOE@EXAMPLE.ORG)", f));
  // Quoted: exact and untrimmed.
  EXPECT_FALSE(Holds("email == \"Jane.DOE@Example.ORG\"", f));
  EXPECT_TRUE(Holds("email == \"  Jane.DOE@Example.ORG \"", f));
  EXPECT_TRUE(Holds("email contains \"DOE@Ex\"", f));
  EXPECT_FALSE(Holds("email contains \"doe@ex\"", f));
  EXPECT_TRUE(Holds("email ends_with \"ORG \"", f));
}

// More distinct fields than Match keeps on its stack: the same verdicts.
TEST(RoutingCompiledTest, ManyDistinctFieldsStillResolve) {
  std::vector<std::string> known;
  std::vector<RuleInput> rules;
  for (int i = 0; i < 40; ++i) {
    known.push_back("prechat:F" + std::to_string(i));
    rules.push_back({"rule." + std::to_string(i + 1), i + 1,
                     "prechat:F" + std::to_string(i) + " == v" + std::to_string(i) + " -> T" +
                         std::to_string(i)});
  }
  auto set = RuleSet::Compile(rules, "General", known);
  ASSERT_TRUE(set) << set.error().message;
  EXPECT_EQ(set->fields().size(), 40u);
  EXPECT_EQ(set->Evaluate({{"prechat:F39", {"V39"}}}).team, "T39");
  EXPECT_EQ(set->Evaluate({{"prechat:F39", {"v38"}}, {"prechat:F5", {"v5"}}}).team, "T5");
  EXPECT_EQ(set->Evaluate({{"prechat:F0", {"v1"}}}).rule, "default");
}

// The value index must pick the rule a scan of every rule picks. The oracle
// evaluates each rule alone as "not not (condition)", which is never indexed.
TEST(RoutingCompiledTest, IndexedMatchAgreesWithScanningEveryRule) {
  const std::vector<std::string> conditions = {
      "company == Acme and department != Sales",
      "company in (Globex, \"Initech\", acme) and email ends_with .org",
      "company == \"Acme\"",
      "variable:tags == vip or company == Globex",
      "department exists and company in (Umbrella)",
      "not company == Acme",
      "company == \" Acme \"",
      "variable:tags in (trial, VIP) and company != Globex",
      "company starts_with Um",
  };
  std::vector<RuleInput> rules;
  for (std::size_t i = 0; i < conditions.size(); ++i) {
    rules.push_back({"rule." + std::to_string(i + 1), static_cast<int>(i + 1),
                     conditions[i] + " -> T" + std::to_string(i + 1)});
  }
  const RuleSet set = CompileOk(rules, "General");
  const std::vector<std::string> companies = {"Acme",    " acme ",   "ACME",  "Globex", "Initech",
                                              "initech", "Umbrella", "Other", " Acme "};
  const std::vector<std::vector<std::string>> tags = {{}, {"vip"}, {"trial", "x"}, {"Other"}};
  int checked = 0;
  for (const auto& company : companies) {
    for (const auto& tag : tags) {
      for (const bool sales : {false, true}) {
        for (const bool multi : {false, true}) {
          Fields f{{"email", {"a@b.org"}}};
          f["company"] = multi ? std::vector<std::string>{"Other", company}
                               : std::vector<std::string>{company};
          if (!tag.empty()) f["variable:tags"] = tag;
          if (sales) f["department"] = {"Sales"};
          std::string want = "General";
          for (std::size_t i = 0; i < conditions.size(); ++i) {
            if (Holds("not not (" + conditions[i] + ")", f)) {
              want = "T" + std::to_string(i + 1);
              break;
            }
          }
          EXPECT_EQ(set.Evaluate(f).team, want) << company << " " << tag.size() << sales << multi;
          ++checked;
        }
      }
    }
  }
  EXPECT_EQ(checked, 144);
}

// Values too long to fold on the stack, and more candidate lists than the
// merge keeps, fall back to scanning every rule: the same verdicts.
TEST(RoutingCompiledTest, LongValuesAndManyValuesFallBackToTheScan) {
  const std::string long_value(300, 'a');
  const RuleSet set = CompileOk({{"rule.1", 1, "name == x -> X"},
                                 {"rule.2", 2, "name == " + long_value + " -> Long"},
                                 {"rule.3", 3, "variable:tags in (t39) -> Many"}});
  EXPECT_EQ(set.Evaluate({{"name", {" " + std::string(300, 'A')}}}).team, "Long");
  std::vector<std::string> many;
  for (int i = 0; i < 40; ++i) many.push_back("t" + std::to_string(i));
  EXPECT_EQ(set.Evaluate({{"variable:tags", many}}).team, "Many");
  many.pop_back();
  EXPECT_FALSE(set.Evaluate({{"variable:tags", many}}).matched);
}

TEST(RoutingLogicTest, AndBindsTighterThanOr) {
  // a or b and c  ==  a or (b and c)
  const Fields only_a{{"name", {"a"}}};
  EXPECT_TRUE(Holds("name == a or company == b and department == c", only_a));
  const Fields b_not_c{{"company", {"b"}}};
  EXPECT_FALSE(Holds("name == a or company == b and department == c", b_not_c));
  // (a or b) and c
  EXPECT_FALSE(Holds("(name == a or company == b) and department == c", only_a));
  EXPECT_TRUE(Holds("(name == a or company == b) and department == c",
                    {{"name", {"a"}}, {"department", {"c"}}}));
}

TEST(RoutingLogicTest, NotBindsTighterThanAnd) {
  const Fields f{{"name", {"a"}}, {"company", {"b"}}};
  // not a and b  ==  (not a) and b
  EXPECT_FALSE(Holds("not name == a and company == b", f));
  EXPECT_TRUE(Holds("not (name == a and company == x)", f));
  EXPECT_TRUE(Holds("not not name == a", f));
  EXPECT_TRUE(Holds("not(name == z)", f));
}

TEST(RoutingLogicTest, NestedParentheses) {
  const Fields f{{"name", {"a"}}, {"company", {"b"}}, {"department", {"c"}}};
  EXPECT_TRUE(Holds("((name == a) and (company == x or (department == c)))", f));
  EXPECT_FALSE(Holds("((name == a) and (company == x or (department == y)))", f));
}

TEST(RoutingRuleSetTest, FirstMatchInOrderWinsAndNamesTheRule) {
  // Given out of order; `order` decides.
  RuleSet set = CompileOk({{"rule.3", 3, "company exists -> Third"},
                           {"rule.1", 1, "company == Initech -> First"},
                           {"rule.2", 2, "company starts_with A -> Second"}},
                          "General");
  EXPECT_EQ(set.size(), 3u);
  Decision d = set.Evaluate({{"company", {"Acme"}}});
  EXPECT_TRUE(d.matched);
  EXPECT_EQ(d.team, "Second");
  EXPECT_EQ(d.rule, "rule.2");
  EXPECT_EQ(d.rule_text, "company starts_with A -> Second");
  d = set.Evaluate({{"company", {"Initech"}}});
  EXPECT_EQ(d.rule, "rule.1");
  EXPECT_EQ(d.team, "First");
  d = set.Evaluate({{"company", {"Globex"}}});
  EXPECT_EQ(d.rule, "rule.3");
}

TEST(RoutingRuleSetTest, DefaultTeamWhenNothingMatches) {
  RuleSet set = CompileOk({{"rule.1", 1, "company == Acme -> Acme Team"}}, "  General ");
  const Decision d = set.Evaluate({{"company", {"Globex"}}});
  EXPECT_TRUE(d.matched);
  EXPECT_EQ(d.team, "General");
  EXPECT_EQ(d.rule, "default");
  EXPECT_EQ(d.rule_text, "");
}

TEST(RoutingRuleSetTest, NoMatchAndNoDefaultIsUnmatched) {
  RuleSet set = CompileOk({{"rule.1", 1, "company == Acme -> Acme Team"}});
  const Decision d = set.Evaluate({});
  EXPECT_FALSE(d.matched);
  EXPECT_EQ(d.team, "");
  EXPECT_EQ(d.rule, "");
  EXPECT_FALSE(RuleSet().Evaluate({{"company", {"Acme"}}}).matched);
}

TEST(RoutingRuleSetTest, TeamIsTextAfterTheLastArrow) {
  RuleSet set = CompileOk({{"rule.1", 1, "name == a -> b ->  Escalations  "}});
  const Decision d = set.Evaluate({{"name", {"a -> b"}}});
  EXPECT_TRUE(d.matched);
  EXPECT_EQ(d.team, "Escalations");
}

TEST(RoutingErrorsTest, UnknownFieldNamesRuleAndKnownFields) {
  auto set = RuleSet::Compile(
      {{"rule.1", 1, "company == Acme -> A"}, {"rule.2", 2, "compnay == Acme -> B"}}, "", kKnown);
  ASSERT_FALSE(set);
  EXPECT_EQ(set.error().code, "routing.invalid_rule");
  EXPECT_EQ(set.error().message.rfind("rule.2: unknown field \"compnay\" at column 1 (known: name, "
                                      "email, company,",
                                      0),
            0u)
      << set.error().message;
  EXPECT_NE(CompileError("prechat:\"Account Num\" == 1 -> A")
                .find("unknown field \"prechat:Account Num\""),
            std::string::npos);
  EXPECT_NE(CompileError("names == x -> A").find("unknown field \"names\""), std::string::npos);
}

TEST(RoutingErrorsTest, BadOperator) {
  const std::string text = "variable:membership_level   =~ gold -> Gold Team";
  EXPECT_EQ(CompileError(text),
            "rule.1: unknown operator \"=~\" at column 29 (expected ==, !=, <, "
            "<=, >, >=, contains, starts_with, ends_with, in, exists)");
  EXPECT_NE(CompileError("company = Acme -> A").find("unknown operator \"=\" at column 9"),
            std::string::npos);
  EXPECT_NE(CompileError("company is Acme -> A").find("unknown operator \"is\" at column 9"),
            std::string::npos);
  EXPECT_NE(CompileError("company -> A").find("rule.1: missing operator after field \"company\""),
            std::string::npos);
}

TEST(RoutingErrorsTest, UnbalancedParentheses) {
  EXPECT_EQ(CompileError("(company == Acme and (name == a) -> A", "rule.4"),
            "rule.4: unbalanced parentheses: \"(\" at column 1 is never closed");
  EXPECT_EQ(CompileError("company == Acme) -> A"),
            "rule.1: unbalanced parentheses: unexpected \")\" at column 16");
  EXPECT_NE(
      CompileError("company in (Acme, Globex -> A")
          .find("rule.1: unbalanced parentheses: the list \"(\" at column 12 is never closed"),
      std::string::npos);
}

TEST(RoutingErrorsTest, MissingTeam) {
  EXPECT_EQ(CompileError("company == Acme", "rule.3"), "rule.3: missing \" -> <team>\"");
  EXPECT_EQ(CompileError("company == Acme ->   ", "rule.3"), "rule.3: missing team after \" -> \"");
}

TEST(RoutingErrorsTest, EmptyCondition) {
  EXPECT_EQ(CompileError("   -> Team", "rule.5"), "rule.5: empty condition before \" -> \"");
}

TEST(RoutingErrorsTest, TrailingGarbage) {
  EXPECT_EQ(
      CompileError("company == \"Acme\" Globex -> A"),
      "rule.1: unexpected \"Globex\" at column 19 (expected \"and\", \"or\" or the end of the "
      "condition)");
  EXPECT_NE(CompileError("phone exists please -> A").find("unexpected \"please\" at column 14"),
            std::string::npos);
}

TEST(RoutingErrorsTest, IncompleteExpressions) {
  EXPECT_NE(CompileError("company == Acme and -> A")
                .find("rule.1: expected a field name at the end of the condition"),
            std::string::npos);
  EXPECT_NE(CompileError("company == -> A").find("missing value after \"==\""), std::string::npos);
  EXPECT_NE(CompileError("company in () -> A").find("missing value after \"(\" at column 13"),
            std::string::npos);
  EXPECT_NE(CompileError("company in Acme -> A").find("expected \"(\" after \"in\" at column 12"),
            std::string::npos);
  EXPECT_NE(
      CompileError("name == \"open -> A").find("unterminated quoted text starting at column 9"),
      std::string::npos);
  EXPECT_NE(CompileError("name == a and or company == b -> A").find("unknown field \"or\""),
            std::string::npos);
}

TEST(RoutingErrorsTest, DeepNestingIsRejectedNotACrash) {
  const std::string deep = std::string(500, '(') + "name == a" + std::string(500, ')') + " -> A";
  EXPECT_NE(CompileError(deep).find("nested too deeply"), std::string::npos);
  const std::string nots = [] {
    std::string s;
    for (int i = 0; i < 500; ++i) s += "not ";
    return s + "name == a -> A";
  }();
  EXPECT_NE(CompileError(nots).find("nested too deeply"), std::string::npos);
}

// The [routing] example from the admin guide, on realistic chats.
class RoutingExampleTest : public ::testing::Test {
 protected:
  RuleSet set_ =
      CompileOk({{"rule.1", 1, "variable:membership_level == gold -> Gold Team"},
                 {"rule.2", 2, "company in (Acme, Globex) and department != Sales -> Key Accounts"},
                 {"rule.3", 3, "email ends_with @example.org -> Internal"}},
                "General");
};

TEST_F(RoutingExampleTest, GoldMemberGoesToGoldTeam) {
  const Decision d = set_.Evaluate({{"name", {"Jane Doe"}},
                                    {"email", {"jane@example.org"}},
                                    {"company", {"Acme"}},
                                    {"variable:membership_level", {"Gold"}}});
  EXPECT_TRUE(d.matched);
  EXPECT_EQ(d.team, "Gold Team");
  EXPECT_EQ(d.rule, "rule.1");
  EXPECT_EQ(d.rule_text, "variable:membership_level == gold -> Gold Team");
}

TEST_F(RoutingExampleTest, AcmeEngineeringGoesToKeyAccounts) {
  const Decision d = set_.Evaluate({{"name", {"Wile E. Coyote"}},
                                    {"email", {"wile@acme.com"}},
                                    {"company", {"Acme"}},
                                    {"department", {"Engineering"}},
                                    {"variable:membership_level", {"silver"}}});
  EXPECT_EQ(d.team, "Key Accounts");
  EXPECT_EQ(d.rule, "rule.2");
  EXPECT_EQ(d.rule_text, "company in (Acme, Globex) and department != Sales -> Key Accounts");
}

TEST_F(RoutingExampleTest, AcmeSalesFallsThroughToInternalOrDefault) {
  Fields f{{"name", {"Road Runner"}}, {"company", {"ACME"}}, {"department", {"sales"}}};
  f["email"] = {"rr@example.org"};
  Decision d = set_.Evaluate(f);
  EXPECT_EQ(d.team, "Internal");
  EXPECT_EQ(d.rule, "rule.3");

  f["email"] = {"rr@acme.com"};
  d = set_.Evaluate(f);
  EXPECT_TRUE(d.matched);
  EXPECT_EQ(d.team, "General");
  EXPECT_EQ(d.rule, "default");
}

TEST_F(RoutingExampleTest, GuestWithoutFieldsGetsDefault) {
  const Decision d = set_.Evaluate({});
  EXPECT_EQ(d.team, "General");
  EXPECT_EQ(d.rule, "default");
}

}  // namespace
}  // namespace vsso::routing
