// Black-box tests of the real visitor-sso-admin binary against a deployment
// on disk: the same code path as the ACS, the real SQLite file.
#include <fstream>
#include <iterator>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "support/deployment.hpp"
#include "support/process.hpp"
#include "support/test_idp.hpp"

namespace vsso::testing {
namespace {

const char* kNow = "2027-01-15T08:00:00Z";  // kTestNow

std::string Write(const std::filesystem::path& path, const std::string& content) {
  std::ofstream(path, std::ios::binary) << content;
  return path.string();
}

ProcessResult Admin(std::vector<std::string> args) {
  args.insert(args.begin(), VSSO_ADMIN);
  return RunProcess(args);
}

boost::json::object Line(const std::string& text) { return boost::json::parse(text).as_object(); }

std::string CertificateValidFor(long seconds_from_now, long seconds_back) {
  EVP_PKEY* key = EVP_RSA_gen(2048);
  X509* x = X509_new();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), 7);
  X509_gmtime_adj(X509_getm_notBefore(x), -seconds_back);
  X509_gmtime_adj(X509_getm_notAfter(x), seconds_from_now);
  X509_set_pubkey(x, key);
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("admin-test"), -1, -1, 0);
  X509_set_issuer_name(x, name);
  X509_sign(x, key, EVP_sha256());
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, x);
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(len));
  BIO_free(bio);
  X509_free(x);
  EVP_PKEY_free(key);
  return pem;
}

TEST(AdminVerify, AcceptsSignedResponseWithNameIdAttributesAndFields) {
  Deployment d;
  ResponseBuilder b;
  b.NameId("alice@example.org")
      .Attribute({"displayName", {"Zoë & <Co>"}})
      .Attribute({"mail", {"alice@example.org"}})
      .Attribute({"membership_level", {"gold"}})
      .Attribute({"groups", {"b", "a"}});
  const auto raw = Write(d.dir() / "raw.xml", b.Build());
  auto r = Admin(
      {"verify", "--config", d.config().string(), "--now", kNow, "--request-id", kRequestId, raw});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  auto o = Line(r.out);
  EXPECT_EQ(o["file"].as_string(), raw);
  EXPECT_TRUE(o["accepted"].as_bool());
  EXPECT_EQ(o["name_id"].as_string(), "alice@example.org");
  EXPECT_EQ(o["customer_id"].as_string(), "alice@example.org");
  EXPECT_EQ(o["session_index"].as_string(), "_session-7d1e3c");
  auto& attrs = o["attributes"].as_object();
  EXPECT_EQ(attrs["displayName"].as_array()[0].as_string(), "Zoë & <Co>");
  ASSERT_EQ(attrs["groups"].as_array().size(), 2u);
  EXPECT_EQ(attrs["groups"].as_array()[0].as_string(), "b");
  auto& fields = o["fields"].as_object();
  EXPECT_EQ(fields["name"].as_string(), "Zoë & <Co>");
  EXPECT_EQ(fields["variable:membership_level"].as_string(), "gold");
}

TEST(AdminVerify, Base64InputReplayAndOrderAcrossFiles) {
  Deployment d;
  ResponseBuilder b;
  const std::string xml = b.Build();
  const auto as_b64 = Write(d.dir() / "posted.b64", encoding::Base64Encode(xml));
  const auto again = Write(d.dir() / "again.xml", xml);
  auto r = Admin({"verify", "--config", d.config().string(), "--now", kNow, "--request-id",
                  kRequestId, as_b64, again});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_TRUE(Line(lines[0])["accepted"].as_bool()) << lines[0];
  auto second = Line(lines[1]);
  EXPECT_EQ(second["file"].as_string(), again);
  EXPECT_FALSE(second["accepted"].as_bool());
  EXPECT_EQ(second["code"].as_string(), "saml.replay.detected");

  // The replay cache is the configured database: a new process still refuses.
  r = Admin({"verify", "--config", d.config().string(), "--now", kNow, "--request-id", kRequestId,
             again});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_EQ(Line(r.out)["code"].as_string(), "saml.replay.detected");

  // And the rejections are in the audit log: the two identical refusals
  // (same code, no client address) are one row seen twice.
  r = Admin({"failures", "--config", d.config().string(), "--limit", "5"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto failures = SplitLines(r.out);
  ASSERT_EQ(failures.size(), 1u) << r.out;
  auto failure = Line(failures[0]);
  EXPECT_EQ(failure["code"].as_string(), "saml.replay.detected");
  EXPECT_EQ(failure["assertion_id"].as_string(), b.assertion_id());
  EXPECT_EQ(failure["count"].as_int64(), 2);
  EXPECT_EQ(failure["remote_address"].as_string(), "");
  EXPECT_FALSE(failure["last_at"].as_string().empty());
  EXPECT_EQ(r.out.find("<saml"), std::string::npos) << "never log the assertion";
}

TEST(AdminVerify, NowPinsTheClockAndRequestIdIsChecked) {
  Deployment d;
  const auto file = Write(d.dir() / "r.xml", ResponseBuilder().Build());
  auto late = Admin({"verify", "--config", d.config().string(), "--now", "2027-01-15T09:00:00Z",
                     "--request-id", kRequestId, file});
  EXPECT_EQ(late.exit_code, 1);
  auto o = Line(late.out);
  EXPECT_FALSE(o["accepted"].as_bool());
  EXPECT_NE(std::string(o["message"].as_string()).find("skew 120 s"), std::string::npos)
      << o["message"].as_string();

  auto wrong = Admin(
      {"verify", "--config", d.config().string(), "--now", kNow, "--request-id", "_other", file});
  EXPECT_EQ(wrong.exit_code, 1);
  EXPECT_EQ(std::string(Line(wrong.out)["code"].as_string()).rfind("saml.in_response_to", 0), 0u)
      << wrong.out;

  auto none = Admin({"verify", "--config", d.config().string(), "--now", kNow, file});
  EXPECT_EQ(none.exit_code, 1);
  EXPECT_FALSE(Line(none.out)["accepted"].as_bool());
}

TEST(AdminVerify, UsageAndConfigErrorsExitTwo) {
  Deployment d;
  EXPECT_EQ(Admin({"verify", "--config", d.config().string()}).exit_code, 2);
  EXPECT_EQ(Admin({"verify", "--config", d.config().string(), "--now", "yesterday", "x"}).exit_code,
            2);
  EXPECT_EQ(Admin({"frobnicate"}).exit_code, 2);
  {
    std::ifstream in(d.config());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("sign_in ="), 9, "sgn_in =");
    std::ofstream(d.config(), std::ios::trunc) << text;
  }
  auto r = Admin({"verify", "--config", d.config().string(), "x.xml"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("sgn_in"), std::string::npos) << r.err;
}

TEST(AdminCheckConfig, ExampleLoadsButFailsOnItsPublicKeysAndBrokenConfigNamesTheKey) {
  // The example configuration is valid, but trusts and uses the example
  // certificates of config/certs/, whose private keys are public: exit 1.
  const std::string config = std::string(VSSO_SOURCE_DIR) + "/config/visitor-sso.example.ini";
  auto r = Admin({"check-config", config});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.out.find("certificates: 2"), std::string::npos) << r.out;
  for (const char* file :
       {"config/certs/idp.pem", "config/certs/idp-next.pem", "config/certs/sp.pem"}) {
    EXPECT_NE(r.out.find(std::string("is the example ") + file), std::string::npos) << file << "\n"
                                                                                    << r.out;
  }
  EXPECT_NE(r.out.find("error: [sso] sp_private_key "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("Generate a real key pair"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("error: [sso] idp_certificates "), std::string::npos) << r.out;
  Deployment d;
  std::ofstream(d.config(), std::ios::app) << "clock_skew = 5\n";
  r = Admin({"check-config", d.config().string()});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("clock_skew"), std::string::npos) << r.err;
  EXPECT_EQ(SplitLines(r.err).size(), 1u) << r.err;
}

TEST(AdminCheckConfig, ADeploymentWithItsOwnKeysPasses) {
  Deployment d;
  auto r = Admin({"check-config", d.config().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("warning:"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("error:"), std::string::npos) << r.out;
}

// A trusted IdP certificate that is one of the shipped examples fails the
// check, named by the file the config points at, even under another name.
TEST(AdminCheckConfig, AnExampleIdpCertificateFails) {
  Deployment d;
  std::filesystem::copy_file(std::string(VSSO_SOURCE_DIR) + "/config/certs/idp-next.pem",
                             d.dir() / "idp.crt",
                             std::filesystem::copy_options::overwrite_existing);
  auto r = Admin({"check-config", d.config().string()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("error: [sso] idp_certificates " + (d.dir() / "idp.crt").string() +
                       " is the example config/certs/idp-next.pem"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("private key is public"), std::string::npos) << r.out;
}

TEST(AdminCheckConfig, AKeyReadableByOthersIsAWarning) {
  Deployment d;
  const std::string key = (d.dir() / "sp.key").string();
  std::filesystem::permissions(
      key, std::filesystem::perms::owner_read | std::filesystem::perms::owner_write |
               std::filesystem::perms::group_read | std::filesystem::perms::others_read);
  auto r = Admin({"check-config", d.config().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("warning: " + d.config().string() + ": [sso] sp_private_key " + key +
                       " is readable by group/others (mode 0644); run chmod 600 " + key),
            std::string::npos)
      << r.out;
}

TEST(AdminCheckConfig, AKeyWritableByOthersIsRefused) {
  Deployment d;
  const std::string key = (d.dir() / "sp.key").string();
  std::filesystem::permissions(key, std::filesystem::perms::owner_read |
                                        std::filesystem::perms::owner_write |
                                        std::filesystem::perms::others_write);
  auto r = Admin({"check-config", d.config().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
  EXPECT_NE(r.err.find("[config.key_permissions]"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(key + " is writable by others (mode 0602)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("run chmod 600 " + key), std::string::npos) << r.err;
  // Every command loads the configuration the same way.
  r = Admin({"failures", "--config", d.config().string()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
}

TEST(AdminCerts, AddListRemoveAndRefusals) {
  Deployment d;
  const std::string config = d.config().string();
  auto r = Admin({"certs", "list", "--config", config});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(r.out).size(), 1u) << r.out;

  const auto good = Write(d.dir() / "next.pem", CertificateValidFor(365L * 86400, 60));
  r = Admin({"certs", "add", "--config", config, good});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string fingerprint = r.out.substr(6, 64);
  r = Admin({"certs", "list", "--config", config});
  EXPECT_EQ(SplitLines(r.out).size(), 2u) << r.out;

  const auto soon = Write(d.dir() / "soon.pem", CertificateValidFor(5L * 86400, 60));
  r = Admin({"certs", "add", "--config", config, soon});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("warning"), std::string::npos) << r.err;

  const auto expired = Write(d.dir() / "old.pem", CertificateValidFor(-86400, 365L * 86400));
  r = Admin({"certs", "add", "--config", config, expired});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("expired"), std::string::npos) << r.err;

  r = Admin(
      {"certs", "add", "--config", config, Write(d.dir() / "key.pem", SpKey().private_key_pem())});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not_a_certificate"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("MII"), std::string::npos) << "no key material in messages";

  r = Admin({"certs", "remove", "--config", config, fingerprint});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  r = Admin({"certs", "list", "--config", config});
  EXPECT_EQ(r.out.find(fingerprint), std::string::npos);
  r = Admin({"certs", "list", "--config", config, "--all"});
  EXPECT_NE(r.out.find(fingerprint), std::string::npos) << "removed stays recorded";
}

TEST(AdminMappings, ListsInConfigOrder) {
  Deployment d;
  auto r = Admin({"mappings", "list", "--config", d.config().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 5u);
  EXPECT_EQ(lines[0], "name = displayName | urn:oid:2.16.840.1.113730.3.1.241");
  EXPECT_EQ(lines[4], "variable:membership_level = membership_level");
}

std::string IdpMetadataXml() {
  return std::string(
             "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
             "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"") +
         kIdpEntityId +
         "\"><md:IDPSSODescriptor "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
         "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
         IdpRsaKey().CertificateBase64() +
         "</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>"
         "<md:SingleSignOnService "
         "Binding=\"urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect\" "
         "Location=\"https://idp.example.org/sso\"/></md:IDPSSODescriptor></md:EntityDescriptor>";
}

TEST(AdminMetadata, IdpMetadataInConfigFillsIssuerUrlAndKeys) {
  Deployment d;
  Write(d.dir() / "idp-metadata.xml", IdpMetadataXml());
  // Replace the three idp_* keys by the metadata file.
  std::ifstream in(d.config());
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  for (const char* key : {"idp_entity_id", "idp_sign_in_url", "idp_certificates"}) {
    const auto at = text.find(key);
    ASSERT_NE(at, std::string::npos);
    text.erase(at, text.find('\n', at) - at + 1);
  }
  text.replace(text.find("[mapping]"), 9, "idp_metadata = idp-metadata.xml\n[mapping]");
  std::ofstream(d.config(), std::ios::trunc) << text;

  const auto file = Write(d.dir() / "r.xml", ResponseBuilder().Build());
  auto r = Admin(
      {"verify", "--config", d.config().string(), "--now", kNow, "--request-id", kRequestId, file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Line(r.out)["accepted"].as_bool()) << r.out;
}

TEST(AdminMetadata, ImportAddsSigningCertificatesAndPrintsSettings) {
  Deployment d;
  const auto md = Write(d.dir() / "idp-metadata.xml", IdpMetadataXml());
  auto r = Admin({"metadata", "import", "--config", d.config().string(), md});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(std::string("idp_entity_id = ") + kIdpEntityId), std::string::npos);
  EXPECT_NE(r.out.find("idp_sign_in_url = https://idp.example.org/sso"), std::string::npos);
  r = Admin({"metadata", "import", "--config", d.config().string(),
             Write(d.dir() / "bad.xml", "<!DOCTYPE x []><x/>")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("metadata."), std::string::npos) << r.err;
}

TEST(AdminHistory, FindsTranscriptsByCustomerIdNewestFirst) {
  Deployment d;
  auto r = Admin({"history", "--config", d.config().string(), "--customer-id", "nobody"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty());
  EXPECT_EQ(Admin({"history", "--config", d.config().string()}).exit_code, 2);
}

}  // namespace
}  // namespace vsso::testing
