// Fuzzes the routing-rule parser and evaluator (routing/rules.hpp).
//
// Input: text lines. The first line is the default team, every further line
// a rule ("rule.<n>", order n). A NUL byte ends the rules; lines after it
// are "field=value" pairs of one more field set (a field may repeat: several
// values). The compiled rules are evaluated against fixed field sets
// (empty, typical, multi-valued, edge cases) and that fuzzed one.
//
// Checks: no crash, no sanitizer error; a refusal is routing.invalid_rule
// naming the rule; a decision is consistent with the compiled rules
// (team, rule name and text of the first match, or the default); and, per
// rule with condition C, "not (C)" matches exactly where C does not and
// "(C) and (C)" exactly where C does (the grammar's not/and/parentheses).
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

#include "routing/rules.hpp"

namespace {

using vsso::routing::Decision;
using vsso::routing::Fields;
using vsso::routing::RuleInput;
using vsso::routing::RuleSet;

const std::vector<std::string> kKnown = {"name",
                                         "email",
                                         "company",
                                         "phone",
                                         "department",
                                         "product_service",
                                         "prechat:Account Number",
                                         "variable:membership_level"};

const std::vector<Fields>& FixedFieldSets() {
  static const std::vector<Fields> sets = {
      {},
      {{"name", {"Alice"}},
       {"email", {"alice@example.org"}},
       {"company", {"Acme"}},
       {"department", {"Support"}},
       {"prechat:Account Number", {"7"}},
       {"variable:membership_level", {"gold"}}},
      {{"company", {"Globex", "Initech"}},
       {"department", {"Sales"}},
       {"phone", {"+1 555 0100"}},
       {"product_service", {" 42 ", "-3.5e2", "nan"}},
       {"email", {""}},
       {"variable:membership_level", {"GOLD ", "silver"}}},
      {{"name", {}},
       {"company", {"(Acme, Globex)"}},
       {"department", {"\"Sales\"", "a\\b"}},
       {"prechat:Account Number", {"1e309", "0x10", "  "}},
       {"email", {"x -> y", "and", "or not"}}},
  };
  return sets;
}

[[noreturn]] void Violation(const std::string& what, const std::string& input) {
  std::fprintf(stderr, "routing_fuzzer: INVARIANT VIOLATED: %s\n--- input ---\n%s\n", what.c_str(),
               input.c_str());
  std::abort();
}

void Check(bool ok, const std::string& what, const std::string& input) {
  if (!ok) Violation(what, input);
}

std::vector<std::string> Lines(std::string_view text) {
  std::vector<std::string> out;
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    out.emplace_back(text.substr(0, end));
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
  return out;
}

std::string_view Trim(std::string_view s) {
  constexpr std::string_view kSpace = " \t\r\n";
  const std::size_t begin = s.find_first_not_of(kSpace);
  if (begin == std::string_view::npos) return {};
  return s.substr(begin, s.find_last_not_of(kSpace) - begin + 1);
}

bool Matches(const std::string& condition, const Fields& fields, bool& compiled) {
  auto set = RuleSet::Compile({{"rule.1", 1, condition + " -> T"}}, "", kKnown);
  compiled = set.has_value();
  return compiled && set->Evaluate(fields).matched;
}

void CheckDecision(const RuleSet& set, const Fields& fields, const std::string& input) {
  const Decision d = set.Evaluate(fields);
  const Decision again = set.Evaluate(fields);
  Check(d.matched == again.matched && d.team == again.team && d.rule == again.rule,
        "Evaluate is not deterministic", input);
  const RuleSet::Rule* first = nullptr;
  for (const auto& rule : set.rules()) {
    if (rule.name == d.rule) {
      first = &rule;
      break;
    }
  }
  if (!d.matched) {
    Check(d.team.empty() && d.rule.empty() && set.default_team().empty(),
          "no match, yet a team, a rule or a default team", input);
  } else if (d.rule == "default" && first == nullptr) {
    Check(d.team == set.default_team() && !d.team.empty() && d.rule_text.empty(),
          "the default decision is not the default team", input);
  } else {
    Check(first != nullptr, "the decision names no compiled rule", input);
    Check(d.team == first->team && d.rule_text == first->text && !d.team.empty(),
          "the decision's team or text is not its rule's", input);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string input(reinterpret_cast<const char*>(data), size);
  const std::size_t nul = input.find('\0');
  const std::vector<std::string> lines = Lines(std::string_view(input).substr(0, nul));
  std::string default_team;
  std::vector<RuleInput> rules;
  for (std::size_t i = 0; i < lines.size() && rules.size() < 32; ++i) {
    if (i == 0) {
      default_team = lines[0];
    } else {
      rules.push_back({"rule." + std::to_string(i), static_cast<int>(i), lines[i]});
    }
  }
  Fields fuzzed;
  if (nul != std::string::npos) {
    for (const std::string& line : Lines(std::string_view(input).substr(nul + 1))) {
      const std::size_t eq = line.find('=');
      fuzzed[line.substr(0, eq)].push_back(eq == std::string::npos ? "" : line.substr(eq + 1));
    }
  }

  auto set = RuleSet::Compile(rules, default_team, kKnown);
  // VSSO_FUZZ_DEBUG=1: say what each input became (to check seeds).
  static const bool debug = std::getenv("VSSO_FUZZ_DEBUG") != nullptr;
  if (debug) {
    std::fprintf(stderr, "routing_fuzzer: %s\n",
                 set ? (std::to_string(set->size()) + " rules compiled").c_str()
                     : set.error().message.c_str());
  }
  if (!set) {
    const auto& e = set.error();
    bool names_rule = e.message.starts_with("could not compile");
    for (const auto& r : rules) names_rule = names_rule || e.message.starts_with(r.name + ": ");
    Check(e.code == "routing.invalid_rule", "error code is not routing.invalid_rule", input);
    Check(names_rule, "the error message does not name the rule", input);
    return 0;
  }
  Check(set->size() == rules.size(), "compiled rule count differs", input);
  Check(set->default_team() == Trim(default_team), "the default team is not trimmed", input);
  for (std::size_t i = 0; i < rules.size(); ++i) {
    const auto& rule = set->rules()[i];
    const std::string& text = rules[i].text;
    Check(rule.name == rules[i].name && rule.text == text, "rules are out of order", input);
    Check(rule.team == Trim(text.substr(text.rfind(" -> ") + 4)) && !rule.team.empty(),
          "the team is not the text after the last arrow", input);
  }

  std::vector<const Fields*> field_sets;
  for (const Fields& f : FixedFieldSets()) field_sets.push_back(&f);
  field_sets.push_back(&fuzzed);
  for (const Fields* fields : field_sets) CheckDecision(*set, *fields, input);

  // not / and / parentheses around each compiled condition.
  for (const RuleInput& r : rules) {
    const std::string condition = r.text.substr(0, r.text.rfind(" -> "));
    for (const Fields* fields : field_sets) {
      bool plain_ok = false, not_ok = false, and_ok = false;
      const bool plain = Matches(condition, *fields, plain_ok);
      const bool negated = Matches("not (" + condition + ")", *fields, not_ok);
      const bool doubled = Matches("(" + condition + ") and (" + condition + ")", *fields, and_ok);
      Check(plain_ok, "a condition compiles in its rule but not alone", input);
      // Wrapping can exceed the nesting limit; only compiled forms compare.
      if (not_ok) Check(negated != plain, "not (C) agrees with C", input);
      if (and_ok) Check(doubled == plain, "(C) and (C) differs from C", input);
    }
  }
  return 0;
}
