// The kept "outside" responses (tests/plugin/saml/outside/, see its README):
// shapes ADFS, Okta, Entra ID and Shibboleth send, each signed (and its
// NameID encrypted) with the test keys at test time, run through the real
// visitor-sso-admin binary against a site configured for that IdP. The
// verdict must be the one cases.json names: accepted with the expected NameID
// and answered request, or the exact refusal code.
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include "support/process.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

const fs::path kOutside = fs::path(VSSO_SOURCE_DIR) / "tests" / "plugin" / "saml" / "outside";
const char* kNow = "2027-01-15T08:00:00Z";  // kTestNow

std::string ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  if (!in) throw std::runtime_error("cannot read " + path.string());
  return text.str();
}

json::array Cases() {
  return json::parse(ReadFile(kOutside / "cases.json")).at("cases").as_array();
}

std::string Str(const json::object& o, const char* key, const std::string& fallback = "") {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? std::string(v->as_string()) : fallback;
}

bool Flag(const json::object& o, const char* key, bool fallback) {
  const json::value* v = o.if_contains(key);
  return v != nullptr ? v->as_bool() : fallback;
}

// The site the case's IdP is configured for, as an admin would write it.
std::filesystem::path WriteSite(const TempDir& dir, const json::object& c) {
  IdpRsaKey().WriteTo(dir.path(), "idp");
  SpKey().WriteTo(dir.path(), "sp");
  const fs::path config = dir.path() / "visitor-sso.ini";
  std::ofstream out(config);
  out << "[sso]\nsign_in = required\n"
      << "sp_entity_id = " << Str(c, "sp_entity_id") << "\n"
      << "acs_url = " << kAcsUrl << "\n"
      << "idp_entity_id = " << Str(c, "idp_entity_id") << "\n"
      << "idp_sign_in_url = https://idp.example.org/sso\n"
      << "idp_certificates = idp.crt\n"
      << (Flag(c, "sp_private_key", true) ? "sp_private_key = sp.key\nsp_certificate = sp.crt\n"
                                          : "")
      << "allow_idp_initiated = " << (Flag(c, "allow_idp_initiated", false) ? "true" : "false")
      << "\ndatabase = visitor-sso.db\n";
  return config;
}

// The template as the IdP would post it: NameID encrypted, then signed.
std::string Prepare(const json::object& c) {
  std::string xml = ReadFile(kOutside / Str(c, "file"));
  const std::string encrypt = Str(c, "encrypt_name_id");
  if (encrypt == "sp") xml = EncryptNameIdString(xml, EncryptOptions{});
  if (encrypt == "other")
    xml = EncryptNameIdString(xml, EncryptOptions().WithRecipient(AttackerKey()));
  for (const json::value& id : c.at("sign").as_array()) {
    xml = SignXmlString(xml, std::string(id.as_string()), SignOptions{});
  }
  return xml;
}

TEST(OutsideResponses, EveryKeptShapeGetsItsVerdictFromTheAdminCli) {
  const json::array cases = Cases();
  ASSERT_GE(cases.size(), 10u);
  for (const json::value& v : cases) {
    const json::object& c = v.as_object();
    const std::string name = Str(c, "name");
    SCOPED_TRACE(name);
    TempDir dir;
    const fs::path config = WriteSite(dir, c);
    const std::string xml = Prepare(c);
    if (!Str(c, "encrypt_name_id").empty()) {
      ASSERT_NE(xml.find("EncryptedID"), std::string::npos);
      ASSERT_EQ(xml.find(Str(c, "name_id", "\x01")), std::string::npos)
          << "the NameID must travel encrypted";
    }
    const fs::path file = dir.path() / (name + ".xml");
    std::ofstream(file, std::ios::binary) << xml;

    std::vector<std::string> args = {VSSO_ADMIN,      "verify", "--config",
                                     config.string(), "--now",  kNow};
    if (const std::string request = Str(c, "request_id"); !request.empty()) {
      args.insert(args.end(), {"--request-id", request});
    }
    args.push_back(file.string());
    const ProcessResult r = RunProcess(args);
    ASSERT_EQ(r.term_signal, 0) << r.err;
    const auto lines = SplitLines(r.out);
    ASSERT_EQ(lines.size(), 1u) << r.out << r.err;
    const json::object verdict = json::parse(lines[0]).as_object();

    const std::string expect = Str(c, "expect");
    if (expect == "accept") {
      EXPECT_EQ(r.exit_code, 0) << r.out;
      ASSERT_TRUE(verdict.at("accepted").as_bool()) << r.out;
      EXPECT_EQ(verdict.at("name_id").as_string(), Str(c, "name_id"));
      EXPECT_EQ(verdict.at("in_response_to").as_string(), Str(c, "in_response_to"));
      EXPECT_EQ(verdict.at("name_id_was_encrypted").as_bool(),
                Flag(c, "name_id_was_encrypted", false));
    } else {
      EXPECT_EQ(r.exit_code, 1) << r.out;
      ASSERT_FALSE(verdict.at("accepted").as_bool()) << r.out;
      EXPECT_EQ(verdict.at("code").as_string(), expect) << verdict.at("message").as_string();
    }
  }
}

// Every template in the directory is a case, and every case's file exists:
// a shape added without a verdict, or a verdict for a removed file, fails.
TEST(OutsideResponses, EveryTemplateHasACase) {
  std::vector<std::string> used;
  for (const json::value& v : Cases()) used.push_back(Str(v.as_object(), "file"));
  for (const auto& entry : fs::directory_iterator(kOutside)) {
    if (entry.path().extension() != ".xml") continue;
    EXPECT_NE(std::find(used.begin(), used.end(), entry.path().filename().string()), used.end())
        << entry.path().filename() << " has no case in cases.json";
  }
  for (const std::string& file : used) EXPECT_TRUE(fs::exists(kOutside / file)) << file;
}

// The admin's other entry points take the same entity IDs: check-config on
// a site whose IDs are not URLs, and IdP metadata whose entityID is a urn,
// used through idp_metadata and imported with `metadata import`.
TEST(OutsideResponses, CheckConfigAndMetadataTakeEntityIdsThatAreNotUrls) {
  TempDir dir;
  json::object site{{"sp_entity_id", "my-chat"}, {"idp_entity_id", "urn:example:idp:adfs"}};
  const fs::path config = WriteSite(dir, site);
  auto r = RunProcess({VSSO_ADMIN, "check-config", config.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("idp: urn:example:idp:adfs"), std::string::npos) << r.out;

  const auto metadata = [&](const std::string& entity_id) {
    const fs::path path = dir.path() / "idp-metadata.xml";
    std::ofstream(path, std::ios::binary)
        << "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
           "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\""
        << entity_id
        << "\"><md:IDPSSODescriptor "
           "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
           "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>"
        << IdpRsaKey().CertificateBase64()
        << "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
           "<md:SingleSignOnService "
           "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
           "Location=\"https://idp.example.org/sso\"/></md:IDPSSODescriptor>"
           "</md:EntityDescriptor>";
    return path.string();
  };
  r = RunProcess({VSSO_ADMIN, "metadata", "import", "--config", config.string(),
                  metadata("urn:example:idp:adfs")});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("idp_entity_id = urn:example:idp:adfs"), std::string::npos) << r.out;

  r = RunProcess({VSSO_ADMIN, "metadata", "import", "--config", config.string(),
                  metadata("urn:example:idp adfs")});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.err.find("[metadata.invalid_entity_id]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("contains white space (U+0020) at character 16"), std::string::npos)
      << r.err;

  // A site configured from that metadata alone: its entityID is the issuer.
  const fs::path from_metadata = dir.path() / "from-metadata.ini";
  std::ofstream(from_metadata) << "[sso]\nsign_in = required\nsp_entity_id = my-chat\n"
                               << "acs_url = " << kAcsUrl << "\n"
                               << "idp_metadata = " << metadata("urn:example:idp:adfs") << "\n"
                               << "database = visitor-sso.db\n";
  r = RunProcess({VSSO_ADMIN, "check-config", from_metadata.string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("idp: urn:example:idp:adfs"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vsso::testing
