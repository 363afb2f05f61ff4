// libxml2's and xmlsec's own error output never reaches stderr, and the
// handlers a host process had installed are back after every call
// (saml/xml_errors.hpp). stderr is captured at the file descriptor, where
// libxml2's default handler writes.
#include "saml/xml_errors.hpp"

#include <fcntl.h>
#include <libxml/globals.h>
#include <libxml/parser.h>
#include <stdlib.h>
#include <unistd.h>
#include <xmlsec/crypto.h>
#include <xmlsec/keys.h>
#include <xmlsec/keysdata.h>
#include <xmlsec/xmlsec.h>

#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

#include "saml/metadata.hpp"
#include "support/saml_expect.hpp"

namespace vsso::testing {
namespace {

// Redirects file descriptor 2 to a temporary file until Take().
class StderrCapture {
 public:
  StderrCapture() {
    std::fflush(stderr);
    char name[] = "/tmp/vsso-stderr-XXXXXX";
    file_ = mkstemp(name);
    unlink(name);
    saved_ = dup(2);
    dup2(file_, 2);
  }
  ~StderrCapture() { Take(); }
  std::string Take() {
    if (saved_ < 0) return text_;
    std::fflush(stderr);
    dup2(saved_, 2);
    close(saved_);
    saved_ = -1;
    lseek(file_, 0, SEEK_SET);
    char buf[4096];
    for (ssize_t n; (n = read(file_, buf, sizeof buf)) > 0;) text_.append(buf, n);
    close(file_);
    return text_;
  }

 private:
  int file_ = -1;
  int saved_ = -1;
  std::string text_;
};

// Bytes that are not Shift_JIS: libxml2's iconv conversion prints
// "encoding error : input conversion failed" through the generic handler,
// even with XML_PARSE_NOERROR.
const std::string kBadShiftJis = "<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><a>\x81</a>";

void ParseQuietly(const std::string& xml) {
  xmlDocPtr doc = xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr,
                                XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
  xmlFreeDoc(doc);
}

class XmlErrorsTest : public SamlValidationTest {};

TEST_F(XmlErrorsTest, TheBadInputReallyWritesToStderrWithoutAScope) {
  // Proves the captures below would see the output if it escaped.
  StderrCapture capture;
  ParseQuietly(kBadShiftJis);
  EXPECT_NE(capture.Take().find("encoding error"), std::string::npos);
}

TEST_F(XmlErrorsTest, AScopeKeepsLibxml2OffStderrAndKeepsTheFirstMessage) {
  StderrCapture capture;
  std::string first;
  {
    saml::XmlErrorScope quiet;
    ParseQuietly(kBadShiftJis);
    first = quiet.first_message();
  }
  EXPECT_EQ(capture.Take(), "");
  EXPECT_NE(first.find("input conversion failed"), std::string::npos) << first;
}

TEST_F(XmlErrorsTest, MalformedResponsesWriteNothing) {
  ResponseBuilder genuine;
  const std::string good = genuine.Build();
  std::vector<std::string> inputs = {
      "<samlp:Response xmlns:samlp=\"urn:oasis:names:tc:SAML:2.0:protocol\"><unclosed>",
      "<a>\xC3\x28 invalid UTF-8</a>",
      "<?xml version=\"1.0\" encoding=\"bogus\"?><a/>",
      "<a b='1' b='2'/>",
      "<!DOCTYPE a [<!ENTITY x SYSTEM \"file:///etc/passwd\">]><a>&x;</a>",
      good.substr(0, good.size() / 2),
      ReplaceFirst(good, "alice@example.org", "mallory@evil.example"),  // digest mismatch
  };
  {
    ResponseBuilder b;
    b.Encrypt(EncryptOptions{}.WithRecipient(IdpRsaKey()));  // SP key cannot decrypt
    inputs.push_back(b.Build());
  }
  StderrCapture capture;
  for (const std::string& xml : inputs) EXPECT_FALSE(Validate(xml));
  EXPECT_FALSE(saml::ParseIdpMetadata(kBadShiftJis, "idp.xml"));
  EXPECT_FALSE(saml::ParseIdpMetadata("<md:EntityDescriptor", "idp.xml"));
  EXPECT_EQ(capture.Take(), "");
}

TEST_F(XmlErrorsTest, XmlsecReportsInsideAScopeAreKeptOffStderr) {
  StderrCapture capture;
  std::string first;
  {
    saml::XmlErrorScope quiet;
    EXPECT_EQ(xmlSecKeyReadMemory(xmlSecKeyDataAesId, nullptr, 0), nullptr);
    first = quiet.first_message();
  }
  EXPECT_EQ(capture.Take(), "");
  EXPECT_FALSE(first.empty());
}

struct Recorded {
  std::vector<std::string> generic;
  std::vector<std::string> structured;
};

void HostGeneric(void* ctx, const char* format, ...) {
  static_cast<Recorded*>(ctx)->generic.emplace_back(format);
}
void HostStructured(void* ctx, xmlErrorPtr error) {
  static_cast<Recorded*>(ctx)->structured.emplace_back(error->message);
}

// A host such as PHP installs its own handlers on its threads; after every
// plugin call they are still installed, and were not called meanwhile.
TEST_F(XmlErrorsTest, TheHostsHandlersAreRestoredAndStillCalled) {
  Recorded host;
  xmlSetGenericErrorFunc(&host, HostGeneric);
  xmlSetStructuredErrorFunc(&host, HostStructured);

  EXPECT_FALSE(Validate("<a>\xC3\x28</a><unclosed>"));
  EXPECT_FALSE(Validate(ReplaceFirst(ResponseBuilder().Build(), "alice", "mallory")));
  EXPECT_FALSE(saml::ParseIdpMetadata(kBadShiftJis, "idp.xml"));
  EXPECT_TRUE(host.generic.empty());
  EXPECT_TRUE(host.structured.empty());
  EXPECT_EQ(xmlGenericError, &HostGeneric);
  EXPECT_EQ(xmlGenericErrorContext, &host);
  EXPECT_EQ(xmlStructuredError, &HostStructured);
  EXPECT_EQ(xmlStructuredErrorContext, &host);

  // libxml2 still reports to the host afterwards: a parse error goes to the
  // structured handler, ...
  xmlDocPtr doc = xmlReadMemory("<a><b></a>", 10, nullptr, nullptr, 0);
  xmlFreeDoc(doc);
  EXPECT_FALSE(host.structured.empty());
  // ... and xmlsec, outside any plugin call, to the generic one.
  xmlSecKeyPtr key = xmlSecKeyReadMemory(xmlSecKeyDataAesId, nullptr, 0);
  EXPECT_EQ(key, nullptr);
  EXPECT_FALSE(host.generic.empty());

  xmlSetGenericErrorFunc(nullptr, nullptr);
  xmlSetStructuredErrorFunc(nullptr, nullptr);
}

TEST_F(XmlErrorsTest, ScopesNestAndRestoreInOrder) {
  Recorded host;
  xmlSetGenericErrorFunc(&host, HostGeneric);
  {
    saml::XmlErrorScope outer;
    {
      saml::XmlErrorScope inner;
      ParseQuietly(kBadShiftJis);
      EXPECT_FALSE(inner.first_message().empty());
    }
    EXPECT_TRUE(outer.first_message().empty());  // the inner scope took it
    ParseQuietly(kBadShiftJis);
    EXPECT_FALSE(outer.first_message().empty());
  }
  EXPECT_TRUE(host.generic.empty());
  EXPECT_EQ(xmlGenericErrorContext, &host);
  xmlSetGenericErrorFunc(nullptr, nullptr);
}

// The handlers are per thread: a scope on one thread leaves another
// thread's handler alone.
TEST_F(XmlErrorsTest, AScopeOnOneThreadLeavesOtherThreadsAlone) {
  Recorded other;
  std::thread([&] {
    xmlSetGenericErrorFunc(&other, HostGeneric);
    saml::XmlErrorScope quiet_here;
    std::thread([&] {
      Recorded own;
      xmlSetGenericErrorFunc(&own, HostGeneric);
      ParseQuietly(kBadShiftJis);
      EXPECT_FALSE(own.generic.empty());
      xmlSetGenericErrorFunc(nullptr, nullptr);
    }).join();
    EXPECT_EQ(xmlGenericErrorContext, nullptr);  // this thread's scope is installed
  }).join();
  EXPECT_TRUE(other.generic.empty());
}

// Issue 15's quiet hot path: the libraries report nothing while a valid
// response is accepted, so nothing on that path formats a message nobody
// prints. The counter itself is checked first: a bad response does count.
TEST_F(XmlErrorsTest, AcceptingAValidResponseMakesTheLibrariesReportNothing) {
  const unsigned long before_bad = saml::XmlErrorScope::ReportsOnThisThread();
  EXPECT_FALSE(Validate(ResponseBuilder().Build().substr(0, 300)));
  EXPECT_GT(saml::XmlErrorScope::ReportsOnThisThread(), before_bad);

  std::vector<std::string> valid;
  valid.push_back(ResponseBuilder().Build());
  valid.push_back(ResponseBuilder().SignResponse(SignOptions{}).Build());
  valid.push_back(ResponseBuilder().Encrypt(EncryptOptions{}).Build());
  {
    ResponseBuilder many;
    for (int i = 0; i < 100; ++i) {
      many.Attribute(
          AttributeSpec("attribute" + std::to_string(i), {"value " + std::to_string(i)}));
    }
    valid.push_back(many.Build());
  }
  for (const std::string& xml : valid) {
    const unsigned long before = saml::XmlErrorScope::ReportsOnThisThread();
    EXPECT_TRUE(Validate(xml));
    EXPECT_EQ(saml::XmlErrorScope::ReportsOnThisThread(), before);
  }
}

}  // namespace
}  // namespace vsso::testing
