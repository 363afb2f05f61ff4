#include "saml/xml_prescan.hpp"

#include <libxml/encoding.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <cstring>
#include <string>

namespace vsso::saml {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

std::string Lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// At most 40 printable ASCII characters of attacker-chosen text, quoted.
std::string Shown(std::string_view text) {
  std::string out = "'";
  for (std::size_t i = 0; i < text.size() && i < 40; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    out += (c < 0x20 || c >= 0x7F) ? '?' : static_cast<char>(c);
  }
  if (text.size() > 40) out += "...";
  return out + "'";
}

// The encoding="..." of an XML declaration at the start, if any (XML 1.0
// 2.8 production XMLDecl, 4.3.3 EncodingDecl).
std::string_view DeclaredEncoding(std::string_view xml) {
  if (xml.starts_with("\xEF\xBB\xBF")) xml.remove_prefix(3);
  if (!xml.starts_with("<?xml") || xml.size() < 6 || !IsBlank(xml[5])) return {};
  const std::size_t end = xml.find("?>");
  if (end == std::string_view::npos) return {};
  std::string_view decl = xml.substr(5, end - 5);
  std::size_t pos = decl.find("encoding");
  if (pos == std::string_view::npos) return {};
  pos += 8;
  while (pos < decl.size() && IsBlank(decl[pos])) ++pos;
  if (pos >= decl.size() || decl[pos] != '=') return {};
  ++pos;
  while (pos < decl.size() && IsBlank(decl[pos])) ++pos;
  if (pos >= decl.size() || (decl[pos] != '"' && decl[pos] != '\'')) return {};
  const std::size_t close = decl.find(decl[pos], pos + 1);
  if (close == std::string_view::npos) return {};
  return decl.substr(pos + 1, close - pos - 1);
}

// Encodings in which every byte below 0x80 is that ASCII character.
bool IsAsciiCompatible(std::string_view name) {
  const std::string n = Lower(name);
  if (n == "utf-8" || n == "utf8" || n == "us-ascii" || n == "ascii") return true;
  constexpr std::string_view kLatin = "iso-8859-";
  if (!n.starts_with(kLatin) || n.size() == kLatin.size() || n.size() > kLatin.size() + 2) {
    return false;
  }
  return std::all_of(n.begin() + static_cast<std::ptrdiff_t>(kLatin.size()), n.end(),
                     [](char c) { return c >= '0' && c <= '9'; });
}

Error TooMany(std::string_view xml, std::size_t tag_start, std::size_t count,
              std::string_view what) {
  std::size_t name_end = tag_start + 1;
  while (name_end < xml.size() && !IsBlank(xml[name_end]) && xml[name_end] != '>' &&
         xml[name_end] != '/' && xml[name_end] != '=') {
    ++name_end;
  }
  const auto line =
      1 + std::count(xml.begin(), xml.begin() + static_cast<std::ptrdiff_t>(tag_start), '\n');
  return MakeError("saml.xml.too_many_attributes",
                   std::string(what) + " has an element " +
                       Shown(xml.substr(tag_start + 1, name_end - tag_start - 1)) + " at line " +
                       std::to_string(line) + " with " + std::to_string(count) +
                       " attributes (namespace declarations included); at most " +
                       std::to_string(kMaxAttributesPerElement) +
                       " are accepted per element, SAML needs far fewer");
}

}  // namespace

Status CheckEncoding(std::string_view xml) {
  unsigned char first[4] = {0, 0, 0, 0};
  const std::size_t n = std::min<std::size_t>(xml.size(), 4);
  // memcpy, not std::copy_n: GCC 12 -O2 reports a false -Wstringop-overflow
  // for copy_n (or a loop) into the 4-byte array.
  std::memcpy(first, xml.data(), n);
  // libxml2's own detection, so that both agree on what the bytes are.
  const xmlCharEncoding detected = xmlDetectCharEncoding(first, static_cast<int>(n));
  if (detected != XML_CHAR_ENCODING_NONE && detected != XML_CHAR_ENCODING_UTF8) {
    const char* name = xmlGetCharEncodingName(detected);
    return MakeError("saml.xml.encoding",
                     std::string("the response is encoded in ") +
                         (name != nullptr ? name : "a multi-byte encoding") +
                         " (by its first bytes); only UTF-8, US-ASCII and ISO-8859-n responses "
                         "are read. Configure the IdP to send UTF-8");
  }
  const std::string_view declared = DeclaredEncoding(xml);
  if (!declared.empty() && !IsAsciiCompatible(declared)) {
    return MakeError("saml.xml.encoding",
                     "the response declares encoding=" + Shown(declared) +
                         "; only UTF-8, US-ASCII and ISO-8859-n responses are read. Configure "
                         "the IdP to send UTF-8");
  }
  return Ok();
}

namespace {

// The bytes at which the unquoted part of a start tag changes state.
constexpr std::array<bool, 256> kTagStops = [] {
  std::array<bool, 256> stops{};
  for (unsigned char c : {'<', '>', '=', '"', '\''}) stops[c] = true;
  return stops;
}();

// Calls on_tag(tag_start, count) for every start tag; stops early when it
// returns false. See the header for what is counted and why. Runs on every
// posted response before parsing (issue 15), so quoted values and text are
// skipped with memchr rather than byte by byte.
template <class OnTag>
void ScanStartTags(std::string_view xml, OnTag&& on_tag) {
  const std::size_t size = xml.size();
  const char* data = xml.data();
  auto skip_past = [&](std::size_t from, std::string_view terminator) {
    const std::size_t end = xml.find(terminator, from);
    return end == std::string_view::npos ? size : end + terminator.size();
  };
  std::size_t i = xml.find('<');
  while (i < size) {
    const char second = i + 1 < size ? data[i + 1] : '\0';
    if (second == '!' || second == '?' || second == '/') {
      const std::string_view rest = xml.substr(i);
      if (rest.starts_with("<!--")) {
        i = xml.find('<', skip_past(i + 4, "-->"));
        continue;
      }
      if (rest.starts_with("<![CDATA[")) {
        i = xml.find('<', skip_past(i + 9, "]]>"));
        continue;
      }
      if (second == '?') {
        i = xml.find('<', skip_past(i + 2, "?>"));
        continue;
      }
      if (second == '/') {
        // End tags have no attributes and no quotes.
        i = xml.find('<', i + 2);
        continue;
      }
    }
    // A start tag (or garbage, or a DOCTYPE, at which libxml2 is stopped):
    // every '=' outside quotes is an attribute.
    const std::size_t tag_start = i;
    std::size_t count = 0;
    std::size_t next = std::string_view::npos;
    std::size_t j = i + 1;
    while (j < size) {
      const char c = data[j];
      if (!kTagStops[static_cast<unsigned char>(c)]) {
        ++j;
        continue;
      }
      if (c == '<') {
        // Never legal inside a tag, quoted or not: start over there, as the
        // parser does after its error.
        next = j;
        break;
      }
      if (c == '=') {
        ++count;
        ++j;
        continue;
      }
      if (c == '>') {
        next = xml.find('<', j + 1);
        break;
      }
      // A quoted value ends at its quote; a '<' before it ends the tag.
      const char* value = data + j + 1;
      const char* end = data + size;
      const auto* quote = static_cast<const char*>(std::memchr(value, c, end - value));
      const char* stop = quote != nullptr ? quote : end;
      if (const auto* lt = static_cast<const char*>(std::memchr(value, '<', stop - value))) {
        j = static_cast<std::size_t>(lt - data);
        continue;
      }
      j = quote != nullptr ? static_cast<std::size_t>(quote - data) + 1 : size;
    }
    if (!on_tag(tag_start, count)) return;
    i = next;
  }
}

}  // namespace

Status CheckAttributeCounts(std::string_view xml, std::string_view what) {
  Status result = Ok();
  ScanStartTags(xml, [&](std::size_t tag_start, std::size_t count) {
    if (count <= kMaxAttributesPerElement) return true;
    result = TooMany(xml, tag_start, count, what);
    return false;
  });
  return result;
}

std::vector<std::size_t> StartTagAttributeCounts(std::string_view xml) {
  std::vector<std::size_t> counts;
  ScanStartTags(xml, [&](std::size_t, std::size_t count) {
    counts.push_back(count);
    return true;
  });
  return counts;
}

}  // namespace vsso::saml
