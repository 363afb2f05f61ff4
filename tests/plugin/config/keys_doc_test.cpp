// docs/configuration.md's [sso] table must say what the key table
// (plugin/src/config/keys.cpp) does: the same keys, and per key the same
// type and range, presence, default and the table's one-line description at
// the start of the meaning. An admin reads the doc, the loader obeys the table.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "config/keys.hpp"

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const fs::path kDoc = fs::path(VSSO_SOURCE_DIR) / "docs" / "configuration.md";

std::string ReadDoc() {
  std::ifstream in(kDoc);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return std::string(s);
}

// Cells of a Markdown table row; "\|" stays in its cell, as written.
std::vector<std::string> Cells(std::string_view line) {
  std::vector<std::string> cells;
  std::string cell;
  for (std::size_t i = 0; i < line.size(); ++i) {
    if (line[i] == '\\' && i + 1 < line.size() && line[i + 1] == '|') {
      cell += "\\|";
      ++i;
    } else if (line[i] == '|') {
      cells.push_back(Trim(cell));
      cell.clear();
    } else {
      cell += line[i];
    }
  }
  cells.push_back(Trim(cell));
  // "| a | b |" has an empty cell before the first and after the last bar.
  if (!cells.empty() && cells.front().empty()) cells.erase(cells.begin());
  if (!cells.empty() && cells.back().empty()) cells.pop_back();
  return cells;
}

std::string WithoutBackticks(std::string_view s) {
  std::string out;
  std::copy_if(s.begin(), s.end(), std::back_inserter(out), [](char c) { return c != '`'; });
  return out;
}

// The doc's type cell for a key: its label, then whether it is required.
std::string ExpectedType(const KeySpec& key) {
  switch (key.presence) {
    case Presence::kRequired:
      return TypeLabel(key) + ", **required**";
    case Presence::kRequiredWithoutMetadata:
      return TypeLabel(key) + ", required¹";
    case Presence::kOptional:
      break;
  }
  return TypeLabel(key);
}

// "—" for a required key, "empty" for an optional one without a default.
std::string ExpectedDefault(const KeySpec& key) {
  if (!key.default_value.empty()) return "`" + std::string(key.default_value) + "`";
  return key.presence == Presence::kOptional ? "empty" : "—";
}

// Every disagreement between `markdown`'s [sso] table and the key table,
// one sentence each naming the key; empty when they agree.
std::vector<std::string> DocProblems(std::string_view markdown) {
  std::vector<std::string> problems;
  std::istringstream in{std::string(markdown)};
  std::string line;
  bool in_section = false;
  std::vector<std::string> header;
  std::map<std::string, std::vector<std::string>> rows;  // key -> cells
  std::vector<std::string> order;
  while (std::getline(in, line)) {
    if (line.starts_with("## ")) {
      in_section = line == "## [sso]";
      continue;
    }
    if (!in_section) continue;
    if (!line.starts_with("|")) {
      if (!header.empty()) in_section = false;  // the table ended
      continue;
    }
    std::vector<std::string> cells = Cells(line);
    if (header.empty()) {
      header = cells;
      continue;
    }
    if (!cells.empty() && cells.front().starts_with("---")) continue;
    const std::string key = WithoutBackticks(cells.empty() ? "" : cells.front());
    if (!rows.emplace(key, cells).second) problems.push_back("[sso] " + key + " is listed twice");
    order.push_back(key);
  }
  if (header.empty()) return {"no table under \"## [sso]\""};
  auto column = [&](std::string_view name) -> std::ptrdiff_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      problems.push_back("the [sso] table has no column \"" + std::string(name) + "\"");
      return -1;
    }
    return it - header.begin();
  };
  const std::ptrdiff_t type = column("type");
  const std::ptrdiff_t fallback = column("default");
  const std::ptrdiff_t meaning = column("meaning");
  if (type < 0 || fallback < 0 || meaning < 0) return problems;

  for (const std::string& key : order) {
    if (FindSsoKey(key) == nullptr) {
      problems.push_back("the doc lists [sso] " + key +
                         ", which the key table (plugin/src/config/keys.cpp) does not have");
    }
  }
  for (const KeySpec& key : SsoKeys()) {
    const std::string name(key.name);
    const auto row = rows.find(name);
    if (row == rows.end()) {
      problems.push_back("[sso] " + name + " is missing from the doc's [sso] table");
      continue;
    }
    const std::vector<std::string>& cells = row->second;
    auto cell = [&](std::ptrdiff_t i) {
      return static_cast<std::size_t>(i) < cells.size() ? cells[static_cast<std::size_t>(i)]
                                                        : std::string();
    };
    if (cell(type) != ExpectedType(key)) {
      problems.push_back("[sso] " + name + ": the doc's type is \"" + cell(type) +
                         "\", the key table's \"" + ExpectedType(key) + "\"");
    }
    if (cell(fallback) != ExpectedDefault(key)) {
      problems.push_back("[sso] " + name + ": the doc's default is \"" + cell(fallback) +
                         "\", the key table's \"" + ExpectedDefault(key) + "\"");
    }
    if (!WithoutBackticks(cell(meaning)).starts_with(key.description)) {
      problems.push_back("[sso] " + name +
                         ": the doc's meaning does not start with the key "
                         "table's description \"" +
                         std::string(key.description) + "\"");
    }
  }
  return problems;
}

TEST(ConfigKeysDocTest, ConfigurationMdDescribesEveryKeyAsTheTableDoes) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty()) << "cannot read " << kDoc;
  EXPECT_THAT(DocProblems(doc), IsEmpty()) << "fix " << kDoc << " or plugin/src/config/keys.cpp";
}

// The check itself can fail, and names what it found.
TEST(ConfigKeysDocTest, ReportsMissingExtraAndDifferingKeys) {
  std::string doc = ReadDoc();
  auto replace = [&doc](std::string_view from, std::string_view to) {
    const std::size_t at = doc.find(from);
    ASSERT_NE(at, std::string::npos) << from;
    doc.replace(at, from.size(), to);
  };
  // The row of max_pending_sign_ins goes, a made-up key arrives, and
  // clock_skew_seconds gets another range and default.
  const std::size_t row = doc.find("| `max_pending_sign_ins` |");
  ASSERT_NE(row, std::string::npos);
  doc.erase(row, doc.find('\n', row) + 1 - row);
  replace("| `enabled` |", "| `colour` | text | empty | A key nobody reads. |\n| `enabled` |");
  replace("| `clock_skew_seconds` | integer 0..3600 | `120` |",
          "| `clock_skew_seconds` | integer 0..3000 | `60` |");
  replace("| How long a visitor's SSO session lasts.", "| How long a session lasts.");

  EXPECT_THAT(
      DocProblems(doc),
      ElementsAre(
          HasSubstr("lists [sso] colour, which the key table"),
          "[sso] clock_skew_seconds: the doc's type is \"integer 0..3000\", the key table's "
          "\"integer 0..3600\"",
          "[sso] clock_skew_seconds: the doc's default is \"`60`\", the key table's \"`120`\"",
          HasSubstr("[sso] session_lifetime_seconds: the doc's meaning does not start with"),
          "[sso] max_pending_sign_ins is missing from the doc's [sso] table"));

  EXPECT_THAT(DocProblems("# Configuration\n\n## [mapping]\n\n| key | x |\n"),
              ElementsAre("no table under \"## [sso]\""));
}

}  // namespace
}  // namespace vsso::config
