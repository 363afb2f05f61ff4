// The [mapping] aliases (plugin/src/config/attribute_aliases.cpp): their
// expansion, the table's own consistency, and docs/configuration.md's
// "Attribute aliases" section, which must list every alias with its names and
// sources exactly as the table does (the table drives the loader; an admin
// reads the doc).
#include "config/attribute_aliases.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace vsso::config {
namespace {

namespace fs = std::filesystem;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

const fs::path kDoc = fs::path(VSSO_SOURCE_DIR) / "docs" / "configuration.md";
constexpr std::string_view kHeading = "### Attribute aliases";

std::vector<std::string> Names(std::string_view alias) {
  std::vector<std::string> out;
  const AttributeAlias* a = FindAttributeAlias(alias);
  if (a == nullptr) return out;
  for (const AliasName& n : a->names) out.emplace_back(n.name);
  return out;
}

TEST(AttributeAliasesTest, AnAliasExpandsInPlaceInPreferenceOrder) {
  auto out = ExpandAttributeAliases({"@email"});
  ASSERT_TRUE(out.has_value()) << out.error().message;
  EXPECT_THAT(*out,
              ElementsAre("http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                          "urn:oid:0.9.2342.19200300.100.1.3", "mail", "email"));

  out = ExpandAttributeAliases({"customMail", "@email", "x"});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->front(), "customMail");
  EXPECT_EQ(out->back(), "x");
  EXPECT_EQ(out->size(), 6u);

  // Plain names pass through untouched, in order.
  out = ExpandAttributeAliases({"b", "a"});
  ASSERT_TRUE(out.has_value());
  EXPECT_THAT(*out, ElementsAre("b", "a"));
}

TEST(AttributeAliasesTest, DuplicatesAreDroppedKeepingTheFirst) {
  // mail is in @email; @name and @uid share nothing, so the lists just join.
  auto out = ExpandAttributeAliases({"mail", "@email", "mail", "@email"});
  ASSERT_TRUE(out.has_value());
  EXPECT_THAT(
      *out,
      ElementsAre("mail", "http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress",
                  "urn:oid:0.9.2342.19200300.100.1.3", "email"));
  out = ExpandAttributeAliases({"@name", "@uid"});
  ASSERT_TRUE(out.has_value());
  EXPECT_EQ(out->size(), Names("@name").size() + Names("@uid").size());
}

TEST(AttributeAliasesTest, AnUnknownAliasIsAnErrorWithASuggestion) {
  auto typo = ExpandAttributeAliases({"mail", "@emial"});
  ASSERT_FALSE(typo.has_value());
  EXPECT_EQ(typo.error().code, "config.unknown_attribute_alias");
  EXPECT_THAT(typo.error().message,
              HasSubstr("unknown attribute alias @emial (did you mean @email?); known aliases: "
                        "@name @given_name @family_name @email @phone @company @department @uid"));
  // Case matters: aliases are written in lower case, like the chat fields.
  auto upper = ExpandAttributeAliases({"@Email"});
  ASSERT_FALSE(upper.has_value());
  EXPECT_THAT(upper.error().message, HasSubstr("@Email (did you mean @email?)"));
  auto bare = ExpandAttributeAliases({"@"});
  ASSERT_FALSE(bare.has_value());
  EXPECT_THAT(bare.error().message, HasSubstr("unknown attribute alias @;"));
}

TEST(AttributeAliasesTest, TheTableIsConsistent) {
  std::set<std::string_view> sources;
  for (const AliasSource& s : AliasSources()) {
    EXPECT_TRUE(sources.insert(s.key).second) << s.key;
    EXPECT_FALSE(s.reference.empty()) << s.key;
  }
  std::set<std::string_view> used;
  const std::vector<std::string_view> required = {"@name",  "@given_name", "@family_name", "@email",
                                                  "@phone", "@company",    "@department",  "@uid"};
  for (std::string_view r : required) EXPECT_NE(FindAttributeAlias(r), nullptr) << r;
  std::set<std::string_view> aliases;
  for (const AttributeAlias& a : AttributeAliases()) {
    EXPECT_TRUE(aliases.insert(a.alias).second) << a.alias;
    EXPECT_TRUE(a.alias.starts_with('@')) << a.alias;
    EXPECT_FALSE(a.description.empty()) << a.alias;
    ASSERT_FALSE(a.names.empty()) << a.alias;
    std::set<std::string_view> names;
    for (const AliasName& n : a.names) {
      EXPECT_TRUE(names.insert(n.name).second) << a.alias << " lists " << n.name << " twice";
      // A name starting with '@' would read as an alias in [mapping].
      EXPECT_FALSE(n.name.starts_with('@')) << n.name;
      EXPECT_EQ(n.name.find('|'), std::string_view::npos) << n.name;
      // "Entra ID, AD FS": each part is a documented source.
      std::string_view rest = n.source;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(", ");
        const std::string_view key = rest.substr(0, comma);
        EXPECT_TRUE(sources.contains(key)) << a.alias << " " << n.name << ": source " << key;
        used.insert(key);
        rest = comma == std::string_view::npos ? "" : rest.substr(comma + 2);
      }
    }
  }
  EXPECT_EQ(used, sources) << "a source no alias uses";
}

// --- the doc ----------------------------------------------------------------

std::string ReadDoc() {
  std::ifstream in(kDoc);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The row the doc must have for `a`: alias, description, then every name in
// backticks with its source, in preference order.
std::string ExpectedRow(const AttributeAlias& a) {
  std::string names;
  for (const AliasName& n : a.names) {
    if (!names.empty()) names += "<br>";
    names += "`" + std::string(n.name) + "` (" + std::string(n.source) + ")";
  }
  return "| `" + std::string(a.alias) + "` | " + std::string(a.description) + " | " + names + " |";
}

std::string ExpectedSourceLine(const AliasSource& s) {
  return "* **" + std::string(s.key) + "**: " + std::string(s.reference) + ".";
}

// Every disagreement between the doc's alias section and the table, one
// sentence each; empty when they agree.
std::vector<std::string> DocProblems(std::string_view markdown) {
  std::vector<std::string> problems;
  std::vector<std::string> lines;
  std::istringstream in{std::string(markdown)};
  bool in_section = false;
  for (std::string line; std::getline(in, line);) {
    if (line.starts_with("#")) {
      in_section = line == kHeading;
      continue;
    }
    if (in_section) lines.push_back(line);
  }
  if (lines.empty()) return {"no section \"" + std::string(kHeading) + "\""};
  auto has = [&lines](const std::string& want) {
    return std::find(lines.begin(), lines.end(), want) != lines.end();
  };
  for (const std::string& line : lines) {
    if (!line.starts_with("| `@")) continue;
    const std::string alias = line.substr(3, line.find('`', 3) - 3);
    if (FindAttributeAlias(alias) == nullptr) {
      problems.push_back("the doc lists " + alias +
                         ", which the alias table (plugin/src/config/attribute_aliases.cpp) "
                         "does not have");
    }
  }
  for (const AttributeAlias& a : AttributeAliases()) {
    if (!has(ExpectedRow(a))) {
      problems.push_back("the doc's row of " + std::string(a.alias) +
                         " is missing or differs; expected:\n" + ExpectedRow(a));
    }
  }
  for (const AliasSource& s : AliasSources()) {
    if (!has(ExpectedSourceLine(s))) {
      problems.push_back("the doc's source " + std::string(s.key) +
                         " is missing or differs; expected:\n" + ExpectedSourceLine(s));
    }
  }
  return problems;
}

TEST(AttributeAliasesDocTest, ConfigurationMdListsEveryAliasWithItsNamesAndSources) {
  const std::string doc = ReadDoc();
  ASSERT_FALSE(doc.empty()) << "cannot read " << kDoc;
  EXPECT_THAT(DocProblems(doc), IsEmpty())
      << "fix " << kDoc << " or plugin/src/config/attribute_aliases.cpp";
}

// The check itself can fail, and names what it found.
TEST(AttributeAliasesDocTest, ReportsMissingExtraAndDifferingRows) {
  std::string doc = ReadDoc();
  const std::string email_row = ExpectedRow(*FindAttributeAlias("@email"));
  const std::size_t at = doc.find(email_row);
  ASSERT_NE(at, std::string::npos);
  // @email loses its LDAP OID, a made-up alias arrives, @uid's row goes.
  std::string changed = email_row;
  const std::string oid = "<br>`urn:oid:0.9.2342.19200300.100.1.3` (LDAP)";
  changed.erase(changed.find(oid), oid.size());
  doc.replace(at, email_row.size(), changed + "\n| `@fax` | Fax. | `fax` (LDAP) |");
  const std::string uid_row = ExpectedRow(*FindAttributeAlias("@uid")) + "\n";
  doc.erase(doc.find(uid_row), uid_row.size());
  const auto sources = AliasSources();
  const auto okta_source = std::find_if(sources.begin(), sources.end(),
                                        [](const AliasSource& s) { return s.key == "Okta"; });
  ASSERT_NE(okta_source, sources.end());
  const std::string okta = ExpectedSourceLine(*okta_source);
  ASSERT_NE(doc.find(okta), std::string::npos);
  doc.erase(doc.find(okta), okta.size());

  EXPECT_THAT(DocProblems(doc),
              ElementsAre(HasSubstr("the doc lists @fax, which the alias table"),
                          HasSubstr("the doc's row of @email is missing or differs"),
                          HasSubstr("the doc's row of @uid is missing or differs"),
                          HasSubstr("the doc's source Okta is missing or differs")));
  EXPECT_THAT(DocProblems("# Configuration\n\n## [mapping]\n"),
              ElementsAre("no section \"### Attribute aliases\""));
}

}  // namespace
}  // namespace vsso::config
