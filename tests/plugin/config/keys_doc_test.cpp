// docs/configuration.md's [sso] and [platform] tables must say what the key
// tables (plugin/src/config/keys.cpp) do: the same keys, and per key the same
// type and range, presence, default and the table's one-line description at
// the start of the meaning. An admin reads the doc, the loaders obey the
// tables.
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

// A key as its doc row must show it.
struct DocKey {
  std::string name;
  std::string type;      ///< the type cell: label, then whether it is required
  std::string fallback;  ///< the default cell
  std::string description;
};

std::string TypeCell(std::string label, Presence presence) {
  switch (presence) {
    case Presence::kRequired:
      return label + ", **required**";
    case Presence::kRequiredWithoutMetadata:
      return label + ", required¹";
    case Presence::kOptional:
      break;
  }
  return label;
}

// "—" for a required key, "empty" for an optional one without a default.
std::string DefaultCell(std::string_view default_value, Presence presence) {
  if (!default_value.empty()) return "`" + std::string(default_value) + "`";
  return presence == Presence::kOptional ? "empty" : "—";
}

std::vector<DocKey> SsoDocKeys() {
  std::vector<DocKey> keys;
  for (const KeySpec& key : SsoKeys()) {
    keys.push_back({std::string(key.name), TypeCell(TypeLabel(key), key.presence),
                    DefaultCell(key.default_value, key.presence), std::string(key.description)});
  }
  return keys;
}

std::vector<DocKey> PlatformDocKeys() {
  std::vector<DocKey> keys;
  for (const PlatformKeySpec& key : PlatformKeys()) {
    keys.push_back({std::string(key.name), TypeCell(TypeLabel(key), key.presence),
                    DefaultCell(key.default_value, key.presence), std::string(key.description)});
  }
  return keys;
}

// Every disagreement between the table under `heading` in `markdown` and
// `keys`, one sentence each naming the key; empty when they agree.
std::vector<std::string> TableProblems(std::string_view markdown, std::string_view heading,
                                       std::string_view section, const std::vector<DocKey>& keys) {
  const std::string label(section);
  std::vector<std::string> problems;
  std::istringstream in{std::string(markdown)};
  std::string line;
  bool in_section = false;
  std::vector<std::string> header;
  std::map<std::string, std::vector<std::string>> rows;  // key -> cells
  std::vector<std::string> order;
  while (std::getline(in, line)) {
    if (line.starts_with("#")) {
      in_section = line == heading;
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
    if (!rows.emplace(key, cells).second)
      problems.push_back(label + " " + key + " is listed twice");
    order.push_back(key);
  }
  if (header.empty()) return {"no table under \"" + std::string(heading) + "\""};
  auto column = [&](std::string_view name) -> std::ptrdiff_t {
    const auto it = std::find(header.begin(), header.end(), name);
    if (it == header.end()) {
      problems.push_back("the " + label + " table has no column \"" + std::string(name) + "\"");
      return -1;
    }
    return it - header.begin();
  };
  const std::ptrdiff_t type = column("type");
  const std::ptrdiff_t fallback = column("default");
  const std::ptrdiff_t meaning = column("meaning");
  if (type < 0 || fallback < 0 || meaning < 0) return problems;

  for (const std::string& key : order) {
    if (std::none_of(keys.begin(), keys.end(), [&](const DocKey& k) { return k.name == key; })) {
      problems.push_back("the doc lists " + label + " " + key +
                         ", which the key table (plugin/src/config/keys.cpp) does not have");
    }
  }
  for (const DocKey& key : keys) {
    const std::string& name = key.name;
    const auto row = rows.find(name);
    if (row == rows.end()) {
      problems.push_back(label + " " + name + " is missing from the doc's " + label + " table");
      continue;
    }
    const std::vector<std::string>& cells = row->second;
    auto cell = [&](std::ptrdiff_t i) {
      return static_cast<std::size_t>(i) < cells.size() ? cells[static_cast<std::size_t>(i)]
                                                        : std::string();
    };
    if (cell(type) != key.type) {
      problems.push_back(label + " " + name + ": the doc's type is \"" + cell(type) +
                         "\", the key table's \"" + key.type + "\"");
    }
    if (cell(fallback) != key.fallback) {
      problems.push_back(label + " " + name + ": the doc's default is \"" + cell(fallback) +
                         "\", the key table's \"" + key.fallback + "\"");
    }
    if (!WithoutBackticks(cell(meaning)).starts_with(key.description)) {
      problems.push_back(label + " " + name +
                         ": the doc's meaning does not start with the key "
                         "table's description \"" +
                         key.description + "\"");
    }
  }
  return problems;
}

// The [sso] table, then the [platform] table of "Many websites".
std::vector<std::string> DocProblems(std::string_view markdown) {
  std::vector<std::string> problems = TableProblems(markdown, "## [sso]", "[sso]", SsoDocKeys());
  for (std::string& problem :
       TableProblems(markdown, "### [platform]", "[platform]", PlatformDocKeys())) {
    problems.push_back(std::move(problem));
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
              ElementsAre("no table under \"## [sso]\"", "no table under \"### [platform]\""));
}

// The [platform] table is checked the same way.
TEST(ConfigKeysDocTest, ReportsPlatformKeysTheDocGetsWrong) {
  std::string doc = ReadDoc();
  const std::size_t row = doc.find("| `sites` | directory, **required** |");
  ASSERT_NE(row, std::string::npos);
  doc.erase(row, doc.find('\n', row) + 1 - row);
  const std::size_t database =
      doc.find("| `database` | file or URI | `visitor-sso.db` | SQLite database shared");
  ASSERT_NE(database, std::string::npos);
  doc.replace(database, std::string_view("| `database` | file or URI | `visitor-sso.db` |").size(),
              "| `database` | file or URI | `sso.db` |");

  EXPECT_THAT(DocProblems(doc),
              ElementsAre("[platform] database: the doc's default is \"`sso.db`\", the key table's "
                          "\"`visitor-sso.db`\"",
                          "[platform] sites is missing from the doc's [platform] table"));
}

}  // namespace
}  // namespace vsso::config
