#include "routing/rules.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <climits>
#include <cmath>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace vsso::routing {
namespace {

constexpr const char* kInvalidRule = "routing.invalid_rule";
constexpr std::string_view kArrow = " -> ";
// Deep enough for any hand-written rule; stops a runaway "((((..." from
// exhausting the stack.
constexpr int kMaxDepth = 64;

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }
bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}
bool IsOpChar(char c) { return c == '=' || c == '!' || c == '<' || c == '>' || c == '~'; }
char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

std::string ToLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = Lower(c);
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return s;
}

std::optional<double> ParseNumber(std::string_view s) {
  s = Trim(s);
  if (!s.empty() && s.front() == '+') s.remove_prefix(1);
  if (s.empty()) return std::nullopt;
  double d = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  if (ec != std::errc() || end != s.data() + s.size() || !std::isfinite(d)) return std::nullopt;
  return d;
}

using Op = RuleSet::Op;
using Node = RuleSet::Node;
using Value = RuleSet::Value;

bool IsNumeric(Op op) { return op == Op::kLt || op == Op::kLe || op == Op::kGt || op == Op::kGe; }

struct ParseError {
  std::string message;
};

// Recursive-descent parser over the condition part of one rule. Positions
// are 0-based offsets into the rule text; messages report 1-based columns.
class Parser {
 public:
  Parser(std::string_view condition, const std::vector<std::string>& fields_longest_first,
         const std::vector<std::string>& known_fields)
      : s_(condition), fields_(fields_longest_first), known_(known_fields) {}

  // Returns the root index; the tree lands in `nodes`.
  std::optional<ParseError> Parse(std::vector<Node>& nodes, std::size_t& root) {
    nodes_ = &nodes;
    if (!ParseOr(root, 0)) return error_;
    SkipSpace();
    if (pos_ < s_.size()) {
      if (s_[pos_] == ')') {
        return ParseError{"unbalanced parentheses: unexpected \")\" " + Where(pos_)};
      }
      return ParseError{"unexpected \"" + std::string(Trim(s_.substr(pos_))) + "\" " + Where(pos_) +
                        " (expected \"and\", \"or\" or the end of the condition)"};
    }
    return std::nullopt;
  }

 private:
  std::string Where(std::size_t pos) const {
    if (pos >= s_.size()) return "at the end of the condition";
    return "at column " + std::to_string(pos + 1);
  }

  bool Fail(std::string message) {
    error_ = ParseError{std::move(message)};
    return false;
  }

  void SkipSpace() {
    while (pos_ < s_.size() && IsSpace(s_[pos_])) ++pos_;
  }

  // A keyword is a whole word: not glued to further word characters.
  bool KeywordAt(std::size_t pos, std::string_view kw) const {
    if (pos + kw.size() > s_.size()) return false;
    for (std::size_t i = 0; i < kw.size(); ++i) {
      if (Lower(s_[pos + i]) != kw[i]) return false;
    }
    if (pos > 0 && IsWordChar(s_[pos - 1])) return false;
    const std::size_t end = pos + kw.size();
    return end == s_.size() || !IsWordChar(s_[end]);
  }

  bool AcceptKeyword(std::string_view kw) {
    SkipSpace();
    if (!KeywordAt(pos_, kw)) return false;
    pos_ += kw.size();
    return true;
  }

  std::size_t Add(Node node) {
    nodes_->push_back(std::move(node));
    return nodes_->size() - 1;
  }

  bool ParseBinary(std::size_t& out, int depth, std::string_view kw, Node::Kind kind,
                   bool (Parser::*operand)(std::size_t&, int)) {
    std::size_t first = 0;
    if (!(this->*operand)(first, depth)) return false;
    Node node;
    node.kind = kind;
    node.children.push_back(first);
    while (AcceptKeyword(kw)) {
      std::size_t next = 0;
      if (!(this->*operand)(next, depth)) return false;
      node.children.push_back(next);
    }
    out = node.children.size() == 1 ? first : Add(std::move(node));
    return true;
  }

  bool ParseOr(std::size_t& out, int depth) {
    if (depth > kMaxDepth) return Fail("nested too deeply " + Where(pos_));
    return ParseBinary(out, depth, "or", Node::Kind::kOr, &Parser::ParseAnd);
  }

  bool ParseAnd(std::size_t& out, int depth) {
    return ParseBinary(out, depth, "and", Node::Kind::kAnd, &Parser::ParseNot);
  }

  bool ParseNot(std::size_t& out, int depth) {
    if (AcceptKeyword("not")) {
      if (depth > kMaxDepth) return Fail("nested too deeply " + Where(pos_));
      std::size_t child = 0;
      if (!ParseNot(child, depth + 1)) return false;
      Node node;
      node.kind = Node::Kind::kNot;
      node.children.push_back(child);
      out = Add(std::move(node));
      return true;
    }
    return ParsePrimary(out, depth);
  }

  bool ParsePrimary(std::size_t& out, int depth) {
    SkipSpace();
    if (pos_ < s_.size() && s_[pos_] == '(') {
      const std::size_t open = pos_++;
      if (!ParseOr(out, depth + 1)) return false;
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != ')') {
        return Fail("unbalanced parentheses: \"(\" at column " + std::to_string(open + 1) +
                    " is never closed");
      }
      ++pos_;
      return true;
    }
    return ParseComparison(out);
  }

  std::string KnownList() const {
    std::string out;
    for (const auto& f : known_) out += (out.empty() ? "" : ", ") + f;
    return out;
  }

  // Longest known field at the current position, ending at a boundary; or
  // prefix:"Quoted Label".
  bool ParseField(std::string& field) {
    SkipSpace();
    const std::size_t start = pos_;
    if (start >= s_.size()) return Fail("expected a field name at the end of the condition");
    const std::size_t colon = s_.find(':', start);
    if (colon != std::string_view::npos && colon + 1 < s_.size() && s_[colon + 1] == '"' &&
        std::all_of(s_.begin() + static_cast<std::ptrdiff_t>(start),
                    s_.begin() + static_cast<std::ptrdiff_t>(colon), IsWordChar)) {
      pos_ = colon + 1;
      std::string label;
      if (!ParseQuoted(label)) return false;
      field = std::string(s_.substr(start, colon + 1 - start)) + label;
      if (std::find(known_.begin(), known_.end(), field) == known_.end()) {
        return Fail("unknown field \"" + field + "\" at column " + std::to_string(start + 1) +
                    " (known: " + KnownList() + ")");
      }
      return true;
    }
    for (const auto& f : fields_) {
      if (s_.substr(start, f.size()) != f) continue;
      const std::size_t end = start + f.size();
      if (end < s_.size() && !IsSpace(s_[end]) && !IsOpChar(s_[end])) continue;
      field = f;
      pos_ = end;
      return true;
    }
    std::size_t end = start;
    while (end < s_.size() && !IsSpace(s_[end]) && !IsOpChar(s_[end]) &&
           std::string_view("(),\"").find(s_[end]) == std::string_view::npos) {
      ++end;
    }
    if (end == start) {
      return Fail("expected a field name at column " + std::to_string(start + 1) + ", found \"" +
                  std::string(1, s_[start]) + "\"");
    }
    return Fail("unknown field \"" + std::string(s_.substr(start, end - start)) + "\" at column " +
                std::to_string(start + 1) + " (known: " + KnownList() + ")");
  }

  bool ParseOperator(const std::string& field, Op& op) {
    SkipSpace();
    const std::size_t start = pos_;
    if (start >= s_.size()) {
      return Fail("missing operator after field \"" + field + "\" at the end of the condition");
    }
    std::size_t end = start;
    if (IsOpChar(s_[start])) {
      while (end < s_.size() && IsOpChar(s_[end])) ++end;
    } else {
      while (end < s_.size() && IsWordChar(s_[end])) ++end;
    }
    const std::string token = ToLower(s_.substr(start, end - start));
    static const std::pair<std::string_view, Op> kOps[] = {
        {"==", Op::kEq},
        {"!=", Op::kNe},
        {"<", Op::kLt},
        {"<=", Op::kLe},
        {">", Op::kGt},
        {">=", Op::kGe},
        {"contains", Op::kContains},
        {"starts_with", Op::kStartsWith},
        {"ends_with", Op::kEndsWith},
        {"in", Op::kIn},
        {"exists", Op::kExists},
    };
    for (const auto& [name, value] : kOps) {
      if (token == name) {
        op = value;
        pos_ = end;
        return true;
      }
    }
    const std::string shown =
        end > start ? std::string(s_.substr(start, end - start)) : std::string(1, s_[start]);
    return Fail("unknown operator \"" + shown + "\" at column " + std::to_string(start + 1) +
                " (expected ==, !=, <, <=, >, >=, contains, starts_with, ends_with, in, exists)");
  }

  // At an opening quote; \" and \\ are the only escapes.
  bool ParseQuoted(std::string& out) {
    const std::size_t open = pos_++;
    while (pos_ < s_.size()) {
      const char c = s_[pos_++];
      if (c == '"') return true;
      if (c == '\\' && pos_ < s_.size() && (s_[pos_] == '"' || s_[pos_] == '\\')) {
        out.push_back(s_[pos_++]);
      } else {
        out.push_back(c);
      }
    }
    return Fail("unterminated quoted text starting at column " + std::to_string(open + 1));
  }

  bool ParseValue(Value& v, bool in_list, std::string_view after) {
    SkipSpace();
    const std::size_t start = pos_;
    if (pos_ < s_.size() && s_[pos_] == '"') {
      v.quoted = true;
      return ParseQuoted(v.text);
    }
    while (pos_ < s_.size()) {
      const char c = s_[pos_];
      if (c == ',' || c == ')') break;
      if (!in_list && (c == '(' || KeywordAt(pos_, "and") || KeywordAt(pos_, "or"))) break;
      ++pos_;
    }
    v.text = std::string(Trim(s_.substr(start, pos_ - start)));
    if (v.text.empty()) {
      return Fail("missing value after \"" + std::string(after) + "\" " + Where(start));
    }
    return true;
  }

  bool ParseComparison(std::size_t& out) {
    Node node;
    node.kind = Node::Kind::kCompare;
    if (!ParseField(node.field)) return false;
    const std::size_t op_pos = (SkipSpace(), pos_);
    if (!ParseOperator(node.field, node.op)) return false;
    const std::string op_text(Trim(s_.substr(op_pos, pos_ - op_pos)));
    if (node.op == Op::kIn) {
      SkipSpace();
      if (pos_ >= s_.size() || s_[pos_] != '(') {
        return Fail("expected \"(\" after \"in\" " + Where(pos_));
      }
      const std::size_t open = pos_++;
      while (true) {
        Value v;
        if (!ParseValue(v, true, node.values.empty() ? "(" : ",")) return false;
        node.values.push_back(std::move(v));
        SkipSpace();
        if (pos_ >= s_.size()) {
          return Fail("unbalanced parentheses: the list \"(\" at column " +
                      std::to_string(open + 1) + " is never closed");
        }
        if (s_[pos_] == ')') {
          ++pos_;
          break;
        }
        if (s_[pos_] != ',') {
          return Fail("expected \",\" or \")\" in the list at column " + std::to_string(pos_ + 1));
        }
        ++pos_;
      }
    } else if (node.op != Op::kExists) {
      Value v;
      const std::size_t value_pos = (SkipSpace(), pos_);
      if (!ParseValue(v, false, op_text)) return false;
      if (IsNumeric(node.op)) {
        const auto n = ParseNumber(v.text);
        if (!n) {
          return Fail("\"" + op_text + "\" compares numbers but \"" + v.text + "\" at column " +
                      std::to_string(value_pos + 1) + " is not a number");
        }
        v.number = *n;
      }
      node.values.push_back(std::move(v));
    }
    out = Add(std::move(node));
    return true;
  }

  std::string_view s_;
  const std::vector<std::string>& fields_;
  const std::vector<std::string>& known_;
  std::vector<Node>* nodes_ = nullptr;
  std::size_t pos_ = 0;
  ParseError error_;
};

// `raw` is a field value as given; `trimmed` the same without surrounding
// space, computed once per chat rather than once per comparison.
bool Matches(const Value& v, Op op, std::string_view raw, std::string_view trimmed) {
  if (IsNumeric(op)) {
    const auto n = ParseNumber(trimmed);
    if (!n) return false;
    switch (op) {
      case Op::kLt:
        return *n < v.number;
      case Op::kLe:
        return *n <= v.number;
      case Op::kGt:
        return *n > v.number;
      default:
        return *n >= v.number;
    }
  }
  // Bare: the trimmed field value, folded character by character against the
  // value folded at compile time (no folded copies: every chat runs through
  // every rule). Quoted: exact.
  const bool fold = !v.quoted;
  const std::string_view have = fold ? trimmed : raw;
  const std::string_view want = fold ? std::string_view(v.folded) : std::string_view(v.text);
  const auto same = [fold](const char* a, std::string_view b) {
    if (!fold) return std::char_traits<char>::compare(a, b.data(), b.size()) == 0;
    for (std::size_t i = 0; i < b.size(); ++i) {
      if (Lower(a[i]) != b[i]) return false;
    }
    return true;
  };
  switch (op) {
    case Op::kContains:
      for (std::size_t i = 0; i + want.size() <= have.size(); ++i) {
        if (same(have.data() + i, want)) return true;
      }
      return false;
    case Op::kStartsWith:
      return have.size() >= want.size() && same(have.data(), want);
    case Op::kEndsWith:
      return have.size() >= want.size() && same(have.data() + have.size() - want.size(), want);
    default:  // kEq, kIn, and kNe (negated by the caller)
      return have.size() == want.size() && same(have.data(), want);
  }
}

// One named field of the chat: its values as given and trimmed; count 0 when
// the chat has no such field (or no values).
struct SlotValues {
  const std::string* raw = nullptr;
  const std::string_view* trimmed = nullptr;
  std::size_t count = 0;
};

bool Eval(const RuleSet::Rule& rule, std::size_t index, const SlotValues* slots) {
  const Node& node = rule.nodes[index];
  switch (node.kind) {
    case Node::Kind::kOr:
      for (const std::size_t c : node.children) {
        if (Eval(rule, c, slots)) return true;
      }
      return false;
    case Node::Kind::kAnd:
      for (const std::size_t c : node.children) {
        if (!Eval(rule, c, slots)) return false;
      }
      return true;
    case Node::Kind::kNot:
      return !Eval(rule, node.children.front(), slots);
    case Node::Kind::kCompare:
      break;
  }
  const SlotValues& field = slots[node.slot];
  if (node.op == Op::kExists) return field.count > 0;
  if (field.count == 0) return node.op == Op::kNe;
  const Op op = node.op == Op::kNe ? Op::kEq : node.op;
  bool any = false;
  for (std::size_t i = 0; i < field.count && !any; ++i) {
    for (const Value& v : node.values) {
      if (Matches(v, op, field.raw[i], field.trimmed[i])) {
        any = true;
        break;
      }
    }
  }
  return node.op == Op::kNe ? !any : any;
}

// The comparison a rule cannot hold without: the condition itself, or a
// direct operand of its top-level "and", when it is == or "in" (a missing
// field makes both false). Null when the rule has none.
const Node* IndexKey(const RuleSet::Rule& rule) {
  const auto keyed = [](const Node& n) {
    return n.kind == Node::Kind::kCompare && (n.op == Op::kEq || n.op == Op::kIn);
  };
  const Node& root = rule.nodes[rule.root];
  if (keyed(root)) return &root;
  if (root.kind != Node::Kind::kAnd) return nullptr;
  for (const std::size_t c : root.children) {
    if (keyed(rule.nodes[c])) return &rule.nodes[c];
  }
  return nullptr;
}

constexpr std::size_t kMaxFolded = 256;

}  // namespace

Result<RuleSet> RuleSet::Compile(const std::vector<RuleInput>& rules,
                                 const std::string& default_team,
                                 const std::vector<std::string>& known_fields) {
  try {
    std::vector<std::string> longest_first = known_fields;
    std::stable_sort(
        longest_first.begin(), longest_first.end(),
        [](const std::string& a, const std::string& b) { return a.size() > b.size(); });
    std::vector<const RuleInput*> ordered;
    for (const auto& r : rules) ordered.push_back(&r);
    std::stable_sort(ordered.begin(), ordered.end(),
                     [](const RuleInput* a, const RuleInput* b) { return a->order < b->order; });

    RuleSet set;
    set.default_team_ = std::string(Trim(default_team));
    for (const RuleInput* in : ordered) {
      const auto fail = [&](const std::string& what) {
        return MakeError(kInvalidRule, in->name + ": " + what);
      };
      const std::string_view text = in->text;
      const std::size_t arrow = text.rfind(kArrow);
      if (arrow == std::string_view::npos) return fail("missing \" -> <team>\"");
      Rule rule;
      rule.name = in->name;
      rule.text = in->text;
      rule.team = std::string(Trim(text.substr(arrow + kArrow.size())));
      if (rule.team.empty()) return fail("missing team after \" -> \"");
      const std::string_view condition = text.substr(0, arrow);
      if (Trim(condition).empty()) return fail("empty condition before \" -> \"");
      Parser parser(condition, longest_first, known_fields);
      if (auto err = parser.Parse(rule.nodes, rule.root)) return fail(err->message);
      set.rules_.push_back(std::move(rule));
    }
    // Resolved once here: Evaluate looks each named field up once per chat.
    for (const Rule& rule : set.rules_) {
      for (const Node& node : rule.nodes) {
        if (node.kind == Node::Kind::kCompare) set.fields_.push_back(node.field);
      }
    }
    std::sort(set.fields_.begin(), set.fields_.end());
    set.fields_.erase(std::unique(set.fields_.begin(), set.fields_.end()), set.fields_.end());
    for (Rule& rule : set.rules_) {
      for (Node& node : rule.nodes) {
        if (node.kind != Node::Kind::kCompare) continue;
        node.slot = static_cast<std::size_t>(
            std::lower_bound(set.fields_.begin(), set.fields_.end(), node.field) -
            set.fields_.begin());
        for (Value& v : node.values) {
          if (!v.quoted) v.folded = ToLower(v.text);
        }
      }
    }
    set.index_.resize(set.fields_.size());
    for (std::size_t r = 0; r < set.rules_.size(); ++r) {
      const auto id = static_cast<std::uint32_t>(r);
      const Node* key = IndexKey(set.rules_[r]);
      if (key == nullptr) {
        set.unindexed_.push_back(id);
        continue;
      }
      // A quoted value needs the exact text; its trimmed, folded form is a
      // necessary condition all the same (Eval then decides).
      for (const Value& v : key->values) {
        std::vector<std::uint32_t>& ids = set.index_[key->slot][ToLower(Trim(v.text))];
        if (ids.empty() || ids.back() != id) ids.push_back(id);
      }
    }
    return set;
  } catch (const std::exception& e) {
    return MakeError(kInvalidRule, std::string("could not compile the routing rules: ") + e.what());
  }
}

const RuleSet::Rule* RuleSet::Match(const Fields& fields) const {
  // Each named field looked up, and its values trimmed, once per chat; on
  // the stack unless the rules name many fields or the chat has many values.
  constexpr std::size_t kInlineSlots = 32;
  constexpr std::size_t kInlineValues = 64;
  std::array<SlotValues, kInlineSlots> inline_slots{};
  std::array<std::string_view, kInlineValues> inline_trimmed{};
  std::array<const std::vector<std::string>*, kInlineSlots> inline_found{};
  std::vector<SlotValues> heap_slots;
  std::vector<std::string_view> heap_trimmed;
  std::vector<const std::vector<std::string>*> heap_found;
  SlotValues* slots = inline_slots.data();
  const std::vector<std::string>** found = inline_found.data();
  if (fields_.size() > kInlineSlots) {
    heap_slots.resize(fields_.size());
    heap_found.resize(fields_.size());
    slots = heap_slots.data();
    found = heap_found.data();
  }
  std::size_t values = 0;
  for (std::size_t i = 0; i < fields_.size(); ++i) {
    const auto it = fields.find(fields_[i]);
    found[i] = it == fields.end() ? nullptr : &it->second;
    if (found[i] != nullptr) values += found[i]->size();
  }
  std::string_view* trimmed = inline_trimmed.data();
  if (values > kInlineValues) {
    heap_trimmed.resize(values);
    trimmed = heap_trimmed.data();
  }
  for (std::size_t i = 0, next = 0; i < fields_.size(); ++i) {
    if (found[i] == nullptr) continue;
    slots[i] = {found[i]->data(), trimmed + next, found[i]->size()};
    for (const std::string& v : *found[i]) trimmed[next++] = Trim(v);
  }
  // The candidate lists: the unindexed rules, and for every value of an
  // indexed field the rules it selects; merged in rule order. Too many
  // lists or a value too long to fold on the stack: every rule is scanned.
  constexpr std::size_t kMaxLists = 32;
  std::array<const std::vector<std::uint32_t>*, kMaxLists> lists{};
  std::array<std::size_t, kMaxLists> at{};
  std::size_t n = 0;
  lists[n++] = &unindexed_;
  std::array<char, kMaxFolded> folded{};
  for (std::size_t slot = 0; slot < fields_.size(); ++slot) {
    if (index_[slot].empty()) continue;
    for (std::size_t i = 0; i < slots[slot].count; ++i) {
      const std::string_view v = slots[slot].trimmed[i];
      if (v.size() > kMaxFolded || n == kMaxLists) return MatchScan(slots);
      for (std::size_t k = 0; k < v.size(); ++k) folded[k] = Lower(v[k]);
      const auto hit = index_[slot].find(std::string_view(folded.data(), v.size()));
      if (hit != index_[slot].end()) lists[n++] = &hit->second;
    }
  }
  while (true) {
    std::uint32_t next = UINT32_MAX;
    for (std::size_t l = 0; l < n; ++l) {
      if (at[l] < lists[l]->size()) next = std::min(next, (*lists[l])[at[l]]);
    }
    if (next == UINT32_MAX) return nullptr;
    const Rule& rule = rules_[next];
    if (Eval(rule, rule.root, slots)) return &rule;
    for (std::size_t l = 0; l < n; ++l) {
      if (at[l] < lists[l]->size() && (*lists[l])[at[l]] == next) ++at[l];
    }
  }
}

const RuleSet::Rule* RuleSet::MatchScan(const void* slot_values) const {
  const auto* slots = static_cast<const SlotValues*>(slot_values);
  for (const Rule& rule : rules_) {
    if (Eval(rule, rule.root, slots)) return &rule;
  }
  return nullptr;
}

Decision RuleSet::Evaluate(const Fields& fields) const {
  Decision d;
  if (const Rule* rule = Match(fields)) {
    d.matched = true;
    d.team = rule->team;
    d.rule = rule->name;
    d.rule_text = rule->text;
    return d;
  }
  if (!default_team_.empty()) {
    d.matched = true;
    d.team = default_team_;
    d.rule = "default";
  }
  return d;
}

}  // namespace vsso::routing
