// Chat routing rules from the config's [routing] section, e.g.
//   rule.2 = company in (Acme, Globex) and department != Sales -> Key Accounts
// compiled once at load (so a bad rule is a configuration error naming the
// rule) and evaluated for every chat.
//
// Grammar (keywords and word operators are case-insensitive):
//   rule       := condition " -> " team        (team: text after the LAST " -> ")
//   expr       := and ("or" and)*
//   and        := not ("and" not)*
//   not        := "not" not | primary
//   primary    := "(" expr ")" | comparison
//   comparison := FIELD OP VALUE | FIELD "in" "(" VALUE ("," VALUE)* ")" | FIELD "exists"
//   OP         := == != contains starts_with ends_with < <= > >=
// FIELD is one of the known field keys, matched longest-first (so
// `prechat:Account Number == 7` works unquoted), or prefix:"Label" quoted.
// VALUE is a quoted string "..." (with \" and \\ escapes; compared
// case-sensitively) or bare text up to the next and/or, parenthesis, comma or
// end (trimmed; compared case-insensitively, against trimmed field values).
// Inside an in-list a bare value ends only at "," or ")".
// Numeric operators need a number in the rule (else a compile error) and
// are false for field values that are not numbers.
//
// Multi-valued fields: a comparison holds if ANY value satisfies it; "!=" is
// exactly not("==") and so holds only if no value equals. A missing field
// (absent key or no values) makes every operator false except "!=" (true);
// "exists" is false for it.
//
// Evaluation cost: Compile resolves every field a rule names to a slot in
// the rule set's field table and folds bare values to lower case, so one
// evaluation looks each named field up once (not once per comparison) and
// allocates nothing until it copies the decision's strings (Match: nothing).
// Rules that can only hold when a field equals one of some values (the
// condition is, or is an "and" with, FIELD == v or FIELD in (...)) are
// indexed by those values, trimmed and folded: a chat evaluates only the
// rules its own values select plus the unindexed ones, in rule order, so
// the first match is the one a scan of every rule finds.
//
// Threading: a compiled RuleSet is immutable; Evaluate may run on many
// threads at once.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"

namespace vsso::routing {

struct RuleInput {
  std::string name;  ///< "rule.2"
  int order = 0;     ///< 2
  std::string text;  ///< "<condition> -> <team>"
};

struct Decision {
  bool matched = false;
  std::string team;
  std::string rule;       ///< "rule.2", "default", or empty when nothing matched
  std::string rule_text;  ///< the matching rule's full text; empty for the default
};

/// Field values as the chat sees them: key -> values (a field may have several
/// values; missing = absent key).
using Fields = std::map<std::string, std::vector<std::string>>;

class RuleSet {
 public:
  /// Parses every rule (in `order` order). `known_fields` are the field keys a
  /// rule may name; any other field is an error. Errors have code
  /// "routing.invalid_rule" and a message naming the rule, what is wrong and
  /// where (column within the rule text).
  static Result<RuleSet> Compile(const std::vector<RuleInput>& rules,
                                 const std::string& default_team,
                                 const std::vector<std::string>& known_fields);

  /// First matching rule in order wins; else the default team (matched, rule
  /// "default") if one is set; else matched=false.
  Decision Evaluate(const Fields& fields) const;

  struct Rule;
  /// The first matching rule, or null (then the default team applies, if
  /// any). Allocates nothing when the rules name at most 32 distinct fields.
  const Rule* Match(const Fields& fields) const;

  std::size_t size() const { return rules_.size(); }

  // Compiled form of the rules. Public only so rules.cpp's parser and
  // evaluator can build and walk it; callers use Compile/Evaluate.
  enum class Op { kEq, kNe, kContains, kStartsWith, kEndsWith, kLt, kLe, kGt, kGe, kIn, kExists };
  struct Value {
    std::string text;
    bool quoted = false;  ///< quoted: case-sensitive, untrimmed comparison
    double number = 0;    ///< valid for numeric operators
    std::string folded;   ///< bare values: `text` in ASCII lower case
  };
  /// One node of a condition tree; children index into Rule::nodes.
  struct Node {
    enum class Kind { kOr, kAnd, kNot, kCompare } kind = Kind::kCompare;
    std::vector<std::size_t> children;
    std::string field;
    std::size_t slot = 0;  ///< `field`'s index in RuleSet::fields()
    Op op = Op::kEq;
    std::vector<Value> values;
  };
  struct Rule {
    std::string name;
    std::string text;
    std::string team;
    std::vector<Node> nodes;
    std::size_t root = 0;
  };

  /// Compiled rules in evaluation order (name, text and team for admin views).
  const std::vector<Rule>& rules() const { return rules_; }
  const std::string& default_team() const { return default_team_; }
  /// The distinct fields the rules name, sorted; Node::slot indexes it.
  const std::vector<std::string>& fields() const { return fields_; }

 private:
  /// The first match scanning every rule (what the index must agree with).
  const Rule* MatchScan(const void* slots) const;

  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const { return std::hash<std::string_view>()(s); }
  };
  using ValueIndex =
      std::unordered_map<std::string, std::vector<std::uint32_t>, StringHash, std::equal_to<>>;

  std::vector<Rule> rules_;
  std::vector<std::string> fields_;
  /// Per slot: trimmed, folded value -> the indexed rules it selects (in order).
  std::vector<ValueIndex> index_;
  /// Rules with no index key, in order: every chat evaluates them.
  std::vector<std::uint32_t> unindexed_;
  std::string default_team_;
};

}  // namespace vsso::routing
