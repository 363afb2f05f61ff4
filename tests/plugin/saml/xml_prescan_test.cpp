// The attribute pre-scan and encoding check that run before libxml2 parses a
// response (saml/xml_prescan.hpp): exact on every real response, refusing
// the 20,000-attribute element of issue 9 with its code.
#include "saml/xml_prescan.hpp"

#include <libxml/parser.h>
#include <libxml/tree.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

#include "support/saml_expect.hpp"

namespace vsso::testing {
namespace {

using saml::CheckAttributeCounts;
using saml::CheckEncoding;
using saml::kMaxAttributesPerElement;

// `n` attributes named a0, a1, ... whose values hold what a naive scanner
// would trip over.
std::string Attributes(std::size_t n, const std::string& value = "x") {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += " a" + std::to_string(i) + "=\"" + value + "\"";
  return out;
}

std::string Element(std::size_t attributes, const std::string& value = "x") {
  return "<e" + Attributes(attributes, value) + "/>";
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Attributes per element as libxml2 parses them (attributes plus namespace
// declarations), document order.
std::vector<std::size_t> Libxml2Counts(const std::string& xml) {
  std::vector<std::size_t> counts;
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  if (doc == nullptr) {
    ADD_FAILURE() << "libxml2 could not parse the document";
    return counts;
  }
  xmlNodePtr root = xmlDocGetRootElement(doc);
  xmlNodePtr node = root;
  while (node != nullptr) {
    if (node->type == XML_ELEMENT_NODE) {
      std::size_t n = 0;
      for (xmlAttrPtr a = node->properties; a != nullptr; a = a->next) ++n;
      for (xmlNsPtr ns = node->nsDef; ns != nullptr; ns = ns->next) ++n;
      counts.push_back(n);
      if (node->children != nullptr) {
        node = node->children;
        continue;
      }
    }
    while (node != root && node->next == nullptr) node = node->parent;
    if (node == root) break;
    node = node->next;
  }
  xmlFreeDoc(doc);
  return counts;
}

// The scanner's count for every start tag equals libxml2's for every real
// response we have: test-IdP responses of every shape, the sample host's
// scenario responses (signed by the xmlsec1 CLI) and the fuzz corpus.
TEST(XmlPrescan, CountsEveryRealResponseExactly) {
  std::vector<std::pair<std::string, std::string>> documents;
  {
    ResponseBuilder b;
    b.Attribute({"quirky", {"a>b", "c=d", "'\"quoted\"'", "<![CDATA[ not markup ]]>"}});
    documents.emplace_back("assertion signed", b.Build());
  }
  {
    ResponseBuilder b;
    b.SignResponse(SignOptions{}).Prefixes("", "");
    documents.emplace_back("both signed, default namespaces", b.Build());
  }
  {
    ResponseBuilder b;
    b.Encrypt(EncryptOptions{}).SignResponse(SignOptions{});
    documents.emplace_back("encrypted", b.Build());
  }
  {
    ResponseBuilder b;
    b.BeforeSigning([](std::string& xml) {
      xml = ReplaceFirst(xml, "alice@example.org",
                         "alice<!-- a=\"1\" b='2' > --><?pi c=3 ?>@example.org");
    });
    documents.emplace_back("comment and PI in NameID", b.Build());
  }
  for (const char* dir : {"sample-host/scenarios/responses", "tests/fuzz/corpus"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(VSSO_SOURCE_DIR) + "/" + dir)) {
      documents.emplace_back(entry.path().string(), ReadFile(entry.path()));
    }
  }
  ASSERT_GE(documents.size(), 8u);
  for (const auto& [name, xml] : documents) {
    const std::vector<std::size_t> expected = Libxml2Counts(xml);
    EXPECT_EQ(saml::StartTagAttributeCounts(xml), expected) << name;
    EXPECT_TRUE(CheckAttributeCounts(xml, "the response")) << name;
    EXPECT_TRUE(CheckEncoding(xml)) << name;
  }
}

TEST(XmlPrescan, QuotesCommentsCdataAndProcessingInstructionsDoNotCount) {
  const std::string noise = "<!-- " + Attributes(300) + " > <x y=1> --><?pi " + Attributes(300) +
                            " > ?><![CDATA[" + Attributes(300) + " <x> ]]>";
  const std::string xml = "<?xml version=\"1.0\"?>\n<root>" + noise +
                          Element(kMaxAttributesPerElement, "a>b=c'd") + "<f g='h\"=\"'/></root>";
  EXPECT_EQ(saml::StartTagAttributeCounts(xml),
            (std::vector<std::size_t>{0, kMaxAttributesPerElement, 1}));
  EXPECT_EQ(Libxml2Counts(xml), saml::StartTagAttributeCounts(xml));
  EXPECT_TRUE(CheckAttributeCounts(xml, "the response"));
}

TEST(XmlPrescan, OneAttributeOverTheLimitIsRefusedWithLimitAndCount) {
  const std::string xml =
      "<root>\n<ok" + Attributes(3) + "/>\n" + Element(kMaxAttributesPerElement + 1) + "</root>";
  Status st = CheckAttributeCounts(xml, "the response");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "saml.xml.too_many_attributes");
  EXPECT_NE(st.error().message.find("257 attributes"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("at most 256"), std::string::npos) << st.error().message;
  EXPECT_NE(st.error().message.find("'e' at line 3"), std::string::npos) << st.error().message;
}

TEST(XmlPrescan, NamespaceDeclarationsCount) {
  std::string tag = "<root";
  for (std::size_t i = 0; i <= kMaxAttributesPerElement; ++i) {
    tag += " xmlns:p" + std::to_string(i) + "=\"urn:x:" + std::to_string(i) + "\"";
  }
  Status st = CheckAttributeCounts(tag + "/>", "the response");
  ASSERT_FALSE(st);
  EXPECT_EQ(st.error().code, "saml.xml.too_many_attributes");
}

// Garbage may be over-counted, never under-counted: a '<' is never legal
// inside a tag, so an unclosed quote cannot hide the next element.
TEST(XmlPrescan, GarbageCannotHideAttributes) {
  EXPECT_EQ(saml::StartTagAttributeCounts("<a b==c>"), (std::vector<std::size_t>{2}));
  const std::string hidden = "<a b=\"unclosed <e" + Attributes(300) + ">";
  EXPECT_FALSE(CheckAttributeCounts(hidden, "the response"));
  const std::string unclosed_tag = "<a b='1' <e" + Attributes(300) + ">";
  EXPECT_FALSE(CheckAttributeCounts(unclosed_tag, "the response"));
  const std::string end_tag = "</a x='<e" + Attributes(300) + ">";
  EXPECT_FALSE(CheckAttributeCounts(end_tag, "the response"));
  // An unterminated comment hides nothing libxml2 would parse: it reads the
  // comment to the end of the input.
  EXPECT_TRUE(CheckAttributeCounts("<a><!-- <e" + Attributes(300) + ">", "the response"));
}

// The byte-by-byte scanner this file's scanner replaced (issue 15 made it
// skip quoted values with memchr); both must count the same on any input.
std::vector<std::size_t> ReferenceCounts(std::string_view xml) {
  std::vector<std::size_t> counts;
  const std::size_t size = xml.size();
  auto skip_past = [&](std::size_t from, std::string_view terminator) {
    const std::size_t end = xml.find(terminator, from);
    return end == std::string_view::npos ? size : end + terminator.size();
  };
  std::size_t i = xml.find('<');
  while (i < size) {
    const std::string_view rest = xml.substr(i);
    if (rest.starts_with("<!--")) {
      i = xml.find('<', skip_past(i + 4, "-->"));
    } else if (rest.starts_with("<![CDATA[")) {
      i = xml.find('<', skip_past(i + 9, "]]>"));
    } else if (rest.starts_with("<?")) {
      i = xml.find('<', skip_past(i + 2, "?>"));
    } else if (rest.starts_with("</")) {
      i = xml.find('<', i + 2);
    } else {
      std::size_t count = 0;
      char quote = 0;
      std::size_t next = std::string_view::npos;
      for (std::size_t j = i + 1; j < size; ++j) {
        const char c = xml[j];
        if (c == '<') {
          next = j;
          break;
        }
        if (quote != 0) {
          if (c == quote) quote = 0;
        } else if (c == '"' || c == '\'') {
          quote = c;
        } else if (c == '=') {
          ++count;
        } else if (c == '>') {
          next = xml.find('<', j + 1);
          break;
        }
      }
      counts.push_back(count);
      i = next;
    }
  }
  return counts;
}

TEST(XmlPrescan, CountsAsTheByteByByteScannerOnRandomInput) {
  // Inputs drawn from the characters that change the scanner's state.
  constexpr std::string_view kAlphabet = "<>=\"'!?/-[]CDATa x";
  std::uint32_t state = 12345;
  auto next = [&] {
    state = state * 1664525u + 1013904223u;
    return state >> 8;
  };
  for (int round = 0; round < 20000; ++round) {
    std::string xml(next() % 40, ' ');
    for (char& c : xml) c = kAlphabet[next() % kAlphabet.size()];
    ASSERT_EQ(saml::StartTagAttributeCounts(xml), ReferenceCounts(xml)) << xml;
  }
  for (const std::string xml :
       {"<a b='1' c=\"2\"/>", "<a b='<c d=1>", "<!--x--><a b=1><![CDATA[<c=1>]]><?p a=1?>",
        "<a b=\"unclosed", "<", "<!DOCTYPE a b=1>", "</a b=1><c d=2>"}) {
    EXPECT_EQ(saml::StartTagAttributeCounts(xml), ReferenceCounts(xml)) << xml;
  }
}

// Issue 9: one element with 20,000 attributes cost 1.2 s of CPU per post.
// Refused before libxml2 parses it, in the response and in a decrypted
// assertion (whose plaintext is as unauthenticated as the response).
class AttributeFloodTest : public SamlValidationTest {};

TEST_F(AttributeFloodTest, TwentyThousandAttributesInTheResponseAreRefused) {
  const std::string xml =
      InsertAfterStartTag(ResponseBuilder().Build(), "samlp:Response", Element(20000));
  auto result = Validate(xml);
  ASSERT_TRUE(RejectedWith(result, {"saml.xml.too_many_attributes"}));
  EXPECT_NE(result.error().message.find("20000 attributes"), std::string::npos)
      << result.error().message;
}

TEST_F(AttributeFloodTest, TooManyAttributesInADecryptedAssertionAreRefused) {
  ResponseBuilder b;
  b.BeforeSigning([](std::string& xml) {
     xml = ReplaceFirst(xml, "<saml:Assertion ", "<saml:Assertion" + Attributes(300) + " ");
   }).Encrypt(EncryptOptions{});
  const std::string xml = b.Build();
  ASSERT_TRUE(CheckAttributeCounts(xml, "the response"));  // hidden by the encryption
  auto result = Validate(xml);
  ASSERT_TRUE(RejectedWith(result, {"saml.xml.too_many_attributes"}));
  EXPECT_NE(result.error().message.find("the decrypted assertion"), std::string::npos)
      << result.error().message;
}

TEST_F(AttributeFloodTest, ManyAttributesUnderTheLimitAreStillAccepted) {
  // Unknown attributes on samlp:Extensions children are schema-valid.
  ResponseBuilder b;
  b.ExtensionsXml("<x:e xmlns:x=\"urn:example:x\"" + Attributes(200) + "/>");
  EXPECT_TRUE(Accepted(Validate(b.Build())));
}

TEST(XmlEncoding, Utf8AsciiAndLatinAreRead) {
  EXPECT_TRUE(CheckEncoding("<a/>"));
  EXPECT_TRUE(CheckEncoding("\xEF\xBB\xBF<a/>"));
  EXPECT_TRUE(CheckEncoding("<?xml version=\"1.0\" encoding=\"UTF-8\"?><a/>"));
  EXPECT_TRUE(CheckEncoding("<?xml version='1.0' encoding = 'us-ascii' ?><a/>"));
  EXPECT_TRUE(CheckEncoding("<?xml version=\"1.0\" encoding=\"ISO-8859-15\"?><a/>"));
  EXPECT_TRUE(CheckEncoding(""));
}

// A byte scanner cannot see attributes in these; libxml2 would read them.
TEST(XmlEncoding, OtherEncodingsAreRefusedBeforeParsing) {
  const std::string utf16le("\xFF\xFE<\0a\0/\0>\0", 10);
  const std::string utf16_no_bom("<\0?\0x\0m\0", 8);
  const std::string ebcdic("\x4C\x6F\xA7\x94\x40\xa5\x85\x99", 8);
  const std::string ucs4("\0\0\0<\0\0\0a", 8);
  for (const std::string& xml : {utf16le, utf16_no_bom, ebcdic, ucs4}) {
    Status st = CheckEncoding(xml);
    ASSERT_FALSE(st);
    EXPECT_EQ(st.error().code, "saml.xml.encoding");
  }
  for (const char* declared : {"Shift_JIS", "UTF-16", "ISO-2022-JP", "IBM037", "ISO-8859-"}) {
    Status st =
        CheckEncoding(std::string("<?xml version=\"1.0\" encoding=\"") + declared + "\"?><a/>");
    ASSERT_FALSE(st) << declared;
    EXPECT_EQ(st.error().code, "saml.xml.encoding");
    EXPECT_NE(st.error().message.find(declared), std::string::npos) << st.error().message;
  }
}

TEST_F(AttributeFloodTest, AResponseInAnotherEncodingIsRefusedWithItsCode) {
  std::string xml = ResponseBuilder().Build();
  xml = ReplaceFirst(xml, "encoding=\"UTF-8\"", "encoding=\"Shift_JIS\"");
  EXPECT_TRUE(RejectedWith(Validate(xml), {"saml.xml.encoding"}));
}

}  // namespace
}  // namespace vsso::testing
