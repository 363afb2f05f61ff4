// Black-box tests of the real visitor-sso-admin binary against a deployment
// on disk: the same code path as the ACS, the real SQLite file.
#include <fstream>
#include <iterator>
#include <map>

#include <gtest/gtest.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <boost/json.hpp>

#include "common/encoding.hpp"
#include "common/time.hpp"
#include "store/database.hpp"
#include "store/transcript_repository.hpp"
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

TEST(AdminVerify, UnreadableFilesAreRefusedInOrderAndTheRestStillChecked) {
  Deployment d;
  // A response whose line outgrows verify's 16 KB per-line arena: 60
  // attributes of 300-byte values, every one printed in full.
  ResponseBuilder b;
  for (int i = 0; i < 60; ++i) {
    b.Attribute(AttributeSpec("attr" + std::to_string(i), {std::string(300, 'a' + i % 26)}));
  }
  const auto good = Write(d.dir() / "good.xml", b.Build());
  const auto missing = (d.dir() / "missing.xml").string();
  const auto folder = d.dir().string();
  auto r = Admin({"verify", "--config", d.config().string(), "--now", kNow, "--request-id",
                  kRequestId, missing, folder, good});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (int i = 0; i < 2; ++i) {
    auto o = Line(lines[i]);
    EXPECT_EQ(o["file"].as_string(), i == 0 ? missing : folder);
    EXPECT_FALSE(o["accepted"].as_bool());
    EXPECT_EQ(o["code"].as_string(), "admin.file_unreadable");
    EXPECT_EQ(o["message"].as_string(), "cannot read " + (i == 0 ? missing : folder));
  }
  auto accepted = Line(lines[2]);
  EXPECT_GT(lines[2].size(), 18000u);
  EXPECT_TRUE(accepted["accepted"].as_bool()) << lines[2].substr(0, 300);
  EXPECT_EQ(accepted["attributes"].as_object().at("attr59").as_array().at(0).as_string(),
            std::string(300, 'a' + 59 % 26));
}

TEST(AdminVerify, ManyFilesKeepTheirOrderAndEachIdIsAcceptedOnceAcrossBatches) {
  // verify commits the replay rows of up to 64 files at once: replays in
  // and across batches, and files refused before judging (unreadable, not
  // base64), must each keep their verdict and place.
  Deployment d;
  std::vector<std::string> args = {"verify", "--config",     d.config().string(), "--now",
                                   kNow,     "--request-id", kRequestId};
  std::vector<std::string> files;
  std::vector<std::string> want;  // "ok" or the refusal's code, per file
  std::vector<std::string> xml;
  for (int i = 0; i < 140; ++i) {
    xml.push_back(ResponseBuilder().AssertionId("_many" + std::to_string(i)).Build());
  }
  for (int i = 0; i < 140; ++i) {
    std::string content = xml[static_cast<std::size_t>(i)];
    std::string code = "ok";
    if (i == 10) {
      files.push_back((d.dir() / "missing.xml").string());
      want.push_back("admin.file_unreadable");
      continue;
    }
    // A replay in the same batch, one in the next batch, a response before
    // its own twin, and a file that is not base64.
    const std::map<int, std::pair<int, std::string>> twists = {
        {40, {5, "saml.replay.detected"}},
        {70, {20, "saml.replay.detected"}},
        {71, {72, "ok"}},
        {72, {72, "saml.replay.detected"}},
    };
    if (auto t = twists.find(i); t != twists.end()) {
      content = xml[static_cast<std::size_t>(t->second.first)];
      code = t->second.second;
    }
    if (i == 100) {
      content = "%%% not base64 %%%";
      code = "saml.binding.bad_base64";
    }
    files.push_back(Write(d.dir() / ("r" + std::to_string(i) + ".xml"), content));
    want.push_back(code);
  }
  args.insert(args.end(), files.begin(), files.end());
  auto r = Admin(args);
  EXPECT_EQ(r.exit_code, 1) << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), files.size()) << r.err;
  for (std::size_t i = 0; i < files.size(); ++i) {
    auto o = Line(lines[i]);
    EXPECT_EQ(o["file"].as_string(), files[i]) << i;
    const std::string got = o["accepted"].as_bool() ? "ok" : std::string(o["code"].as_string());
    EXPECT_EQ(got, want[i]) << i << ": " << lines[i].substr(0, 300);
  }
  // Every accepted ID is in the replay cache of the site, once.
  r = Admin({"verify", "--config", d.config().string(), "--now", kNow, "--request-id", kRequestId,
             files[139]});
  EXPECT_EQ(Line(r.out)["code"].as_string(), "saml.replay.detected");
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
  // On a copy: checking opens the store, whose path is relative to the file.
  const TempDir temp;
  CopyShippedConfig(std::filesystem::path(VSSO_SOURCE_DIR) / "config", temp.path() / "config");
  const std::string config = (temp.path() / "config" / "visitor-sso.example.ini").string();
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

// With an @alias, the stored (expanded) names, then the value as written.
TEST(AdminMappings, ShowsAnAliasExpandedAndAsConfigured) {
  DeploymentOptions options;
  options.mapping = "name = displayName\nemail = @email | mail\n";
  options.routing = "default = General\n";
  Deployment d(options);
  auto r = Admin({"mappings", "list", "--config", d.config().string()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out,
            "name = displayName\n"
            "email = http://schemas.xmlsoap.org/ws/2005/05/identity/claims/emailaddress | "
            "urn:oid:0.9.2342.19200300.100.1.3 | mail | email  (configured: @email | mail)\n");
}

std::string IdpMetadataXml(
    const std::string& certificate_base64 = IdpRsaKey().CertificateBase64()) {
  return std::string(
             "<md:EntityDescriptor xmlns:md=\"urn:oasis:names:tc:SAML:2.0:metadata\" "
             "xmlns:ds=\"http://www.w3.org/2000/09/xmldsig#\" entityID=\"") +
         kIdpEntityId +
         "\"><md:IDPSSODescriptor "
         "protocolSupportEnumeration=\"urn:oasis:names:tc:SAML:2.0:protocol\">"
         "<md:KeyDescriptor use=\"signing\"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>" +
         certificate_base64 +
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

// ---- Many websites (issue 12): a platform file and its site files ----------

// A platform file on disk: [platform] database and sites directory, the test
// IdP's certificate and the SP key pair shared by every site file, each site
// its own SP (entity ID and ACS URL at its own endpoint).
class Platform {
 public:
  Platform() {
    IdpRsaKey().WriteTo(dir(), "idp");
    SpKey().WriteTo(dir(), "sp");
    std::filesystem::create_directory(dir() / "sites");
    Write(config(), "[platform]\ndatabase = visitor-sso.db\nsites = sites\n");
  }
  const std::filesystem::path& dir() const { return dir_.path(); }
  std::string config() const { return (dir() / "platform.ini").string(); }
  std::string database() const { return (dir() / "visitor-sso.db").string(); }
  static std::string EntityId(const std::string& site) {
    return "https://chat.example.com/sso/" + site + "/metadata";
  }
  static std::string AcsUrl(const std::string& site) {
    return "https://chat.example.com/sso/" + site + "/acs";
  }
  // sites/<id>.ini (written again: replaced). `extra_sso`: more [sso] lines.
  std::string AddSite(const std::string& id, const std::string& sign_in,
                      const std::string& acs_url = "", const std::string& extra_sso = "") {
    return Write(
        dir() / "sites" / (id + ".ini"),
        "[sso]\nenabled = true\nsign_in = " + sign_in + "\nsp_entity_id = " + EntityId(id) +
            "\nacs_url = " + (acs_url.empty() ? AcsUrl(id) : acs_url) + "\nidp_entity_id = " +
            kIdpEntityId + "\nidp_sign_in_url = https://idp.example.org/sso\nidp_certificates = " +
            (dir() / "idp.crt").string() + "\nsp_private_key = " + (dir() / "sp.key").string() +
            "\nsp_certificate = " + (dir() / "sp.crt").string() + "\n" + extra_sso +
            "[mapping]\nname = displayName\nemail = mail\n[routing]\ndefault = General\n");
  }

 private:
  TempDir dir_;
};

std::vector<std::string> Fields(const std::string& line) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto tab = line.find('\t', start);
    out.push_back(line.substr(start, tab == std::string::npos ? std::string::npos : tab - start));
    if (tab == std::string::npos) return out;
    start = tab + 1;
  }
}

std::string Day(UnixSeconds t) { return time::FormatUtc(t).substr(0, 10); }

// Two good sites and one broken one, as a new user would write them: a is
// required, b optional with an acs_url off its endpoint (a proxy may
// rewrite it: a warning), c names a key that does not exist.
struct ThreeSites {
  Platform p;
  ThreeSites() {
    p.AddSite("a", "required");
    p.AddSite("b", "optional", "https://chat.example.com/chat/b/acs");
    p.AddSite("c", "required", "", "clock_skew = 5\n");
  }
};

TEST(AdminSites, ListsEverySiteSortedOneTabSeparatedLineEachAndExitsOneWhenOneIsBroken) {
  ThreeSites t;
  // b also trusts a second, earlier-expiring certificate (certs add --site b).
  const auto soon = Write(t.p.dir() / "soon.pem", CertificateValidFor(40L * 86400, 60));
  auto r = Admin({"certs", "add", "--config", t.p.config(), "--site", "b", soon});
  ASSERT_EQ(r.exit_code, 0) << r.err;

  r = Admin({"sites", "list", "--config", t.p.config()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  for (const auto& line : lines) ASSERT_EQ(Fields(line).size(), 6u) << line;

  const auto idp_expiry = Day(IdpRsaKey().Certificate().not_after);
  EXPECT_EQ(lines[0], "a\tok\trequired\t1\t" + idp_expiry + "\t-");

  const auto b = Fields(lines[1]);
  EXPECT_EQ(b[0], "b");
  EXPECT_EQ(b[1], "ok");
  EXPECT_EQ(b[2], "optional");
  EXPECT_EQ(b[3], "2");
  const auto added = crypto::LoadCertificatesFile(soon);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(b[4], Day(added->front().not_after)) << "the earliest of the two";
  EXPECT_NE(b[5].find("acs_url"), std::string::npos) << b[5];
  EXPECT_NE(b[5].find("/sso/b/acs"), std::string::npos) << "names the expected path: " << b[5];

  // The broken site: its intended policy, no certificates, and the file,
  // key and problem.
  const auto c = Fields(lines[2]);
  EXPECT_EQ(c[0], "c");
  EXPECT_EQ(c[1], "error");
  EXPECT_EQ(c[2], "required");
  EXPECT_EQ(c[3], "-");
  EXPECT_EQ(c[4], "-");
  EXPECT_NE(c[5].find((t.p.dir() / "sites" / "c.ini").string()), std::string::npos) << c[5];
  EXPECT_NE(c[5].find("clock_skew"), std::string::npos) << c[5];
  EXPECT_NE(c[5].find("config.unknown_key"), std::string::npos) << c[5];

  // Repaired, every site is ok: exit 0.
  t.p.AddSite("c", "none");
  r = Admin({"sites", "list", "--config", t.p.config()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(SplitLines(r.out).at(2), "c\tok\tnone\t1\t" + idp_expiry + "\t-");
}

TEST(AdminSites, AnUnreadablePolicyIsADashAndMessagesStayOneLine) {
  Platform p;
  p.AddSite("a", "required");
  // Not even INI: no policy to read.
  Write(p.dir() / "sites" / "x.ini", "this is not an ini file\n");
  // A key with a tab in its name: the message quoting it stays one field.
  Write(p.dir() / "sites" / "y.ini", "[sso]\nsign_in = optional\nclock\tskew = 5\n");
  // A file that loads but whose site cannot be built (its IdP "certificate"
  // is a key): still the policy it asks for.
  {
    const auto z = p.AddSite("z", "optional");
    std::ifstream in(z);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find("idp.crt"), 7, "sp.key");
    std::ofstream(z, std::ios::trunc) << text;
  }
  auto r = Admin({"sites", "list", "--config", p.config()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  const auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 4u) << r.out;
  EXPECT_EQ(lines[3].rfind("z\terror\toptional\t-\t-\t", 0), 0u) << lines[3];
  EXPECT_NE(lines[3].find("[sso] idp_certificates"), std::string::npos) << lines[3];
  const auto x = Fields(lines[1]);
  ASSERT_EQ(x.size(), 6u) << lines[1];
  EXPECT_EQ(x[0], "x");
  EXPECT_EQ(x[1], "error");
  EXPECT_EQ(x[2], "-");
  EXPECT_NE(x[5].find("x.ini"), std::string::npos) << x[5];
  const auto y = Fields(lines[2]);
  ASSERT_EQ(y.size(), 6u) << lines[2];
  EXPECT_EQ(y[2], "optional");
  EXPECT_NE(y[5].find("[sso] clock skew: unknown key"), std::string::npos) << y[5];
}

TEST(AdminSites, ASingleSiteFileIsTheSiteDefaultAndAnUnusablePlatformExitsTwo) {
  Deployment d;
  auto r = Admin({"sites", "list", "--config", d.config().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out,
            "default\tok\trequired\t1\t" + Day(IdpRsaKey().Certificate().not_after) + "\t-\n");

  // No sites directory: nothing can be listed, a configuration error.
  Platform p;
  std::filesystem::remove_all(p.dir() / "sites");
  r = Admin({"sites", "list", "--config", p.config()});
  EXPECT_EQ(r.exit_code, 2) << r.out;
  EXPECT_TRUE(r.out.empty()) << r.out;
  EXPECT_NE(r.err.find("platform.ini"), std::string::npos) << r.err;

  EXPECT_EQ(Admin({"sites", "list"}).exit_code, 2);
  EXPECT_EQ(Admin({"sites", "list", "--config", p.config(), "--site", "a"}).exit_code, 2);
}

TEST(AdminSites, SiteSelectsOneSitesCertificatesAndMetadataImportChangesOnlyIt) {
  ThreeSites t;
  const auto config = t.p.config();
  const auto pem = Write(t.p.dir() / "next.pem", CertificateValidFor(365L * 86400, 60));
  auto r = Admin({"certs", "add", "--config", config, "--site", "a", pem});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string fingerprint = r.out.substr(6, 64);

  r = Admin({"certs", "list", "--config", config, "--site", "a"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(r.out).size(), 2u) << r.out;
  EXPECT_NE(r.out.find(fingerprint), std::string::npos) << r.out;
  r = Admin({"certs", "list", "--config", config, "--site=b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(r.out).size(), 1u) << r.out;
  EXPECT_EQ(r.out.find(fingerprint), std::string::npos) << "a's certificate is not b's: " << r.out;
  // Nor can b remove it.
  r = Admin({"certs", "remove", "--config", config, "--site", "b", fingerprint});
  EXPECT_EQ(r.exit_code, 1) << r.out;
  r = Admin({"certs", "list", "--config", config, "--site", "a"});
  EXPECT_NE(r.out.find(fingerprint), std::string::npos) << r.out;

  // metadata import --site b: b's certificates only.
  const auto other = TestKey::Generate(KeyKind::kRsa2048, "b-idp");
  const auto other_fingerprint = other.Certificate().sha256_fingerprint;
  const auto md = Write(t.p.dir() / "b-metadata.xml", IdpMetadataXml(other.CertificateBase64()));
  r = Admin({"metadata", "import", "--config", config, "--site", "b", md});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  r = Admin({"certs", "list", "--config", config, "--site", "b"});
  EXPECT_NE(r.out.find(other_fingerprint), std::string::npos) << r.out;
  r = Admin({"certs", "list", "--config", config, "--site", "a"});
  EXPECT_EQ(r.out.find(other_fingerprint), std::string::npos) << r.out;
  EXPECT_EQ(SplitLines(r.out).size(), 2u) << r.out;

  // Mappings of one site (b's file has two).
  r = Admin({"mappings", "list", "--config", config, "--site", "b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, "name = displayName\nemail = mail\n");
}

TEST(AdminSites, VerifyAndFailuresArePerSite) {
  ThreeSites t;
  const auto config = t.p.config();
  ResponseBuilder b;
  b.Destination(Platform::AcsUrl("a"))
      .Recipient(Platform::AcsUrl("a"))
      .AudienceRestriction({Platform::EntityId("a")});
  const auto file = Write(t.p.dir() / "for-a.xml", b.Build());

  // Sent to b, a's response is refused (b is another SP: SAML 2.0 Core
  // 2.5.1.4 audience, Bindings 3.5.5.2 Destination) and audited at b only.
  auto r = Admin({"verify", "--config", config, "--site", "b", "--now", kNow, "--request-id",
                  kRequestId, file});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_FALSE(Line(r.out)["accepted"].as_bool()) << r.out;
  r = Admin({"failures", "--config", config, "--site", "b"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(r.out).size(), 1u) << r.out;
  r = Admin({"failures", "--config", config, "--site", "a"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << r.out;

  // At a it is accepted; again, a replay, audited at a.
  r = Admin({"verify", "--config", config, "--site", "a", "--now", kNow, "--request-id", kRequestId,
             file});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_TRUE(Line(r.out)["accepted"].as_bool()) << r.out;
  r = Admin({"verify", "--config", config, "--site", "a", "--now", kNow, "--request-id", kRequestId,
             file});
  EXPECT_EQ(Line(r.out)["code"].as_string(), "saml.replay.detected") << r.out;
  r = Admin({"failures", "--config", config, "--site", "a"});
  auto failures = SplitLines(r.out);
  ASSERT_EQ(failures.size(), 1u) << r.out;
  EXPECT_EQ(Line(failures[0])["code"].as_string(), "saml.replay.detected");
  r = Admin({"failures", "--config", config, "--site", "b"});
  EXPECT_EQ(SplitLines(r.out).size(), 1u) << "still only b's own refusal: " << r.out;
}

TEST(AdminSites, HistoryIsPerSite) {
  ThreeSites t;
  // Build the store (migrations) as the plugin would, then tag one
  // transcript of site a in the shared file.
  ASSERT_EQ(Admin({"sites", "list", "--config", t.p.config()}).exit_code, 1);
  {
    auto db = store::Database::Open(t.p.database());
    ASSERT_TRUE(db) << db.error().message;
    store::TranscriptRepository a(*db, "a");
    ASSERT_TRUE(a.Save({"t-1", "chat-1", "visitor-1", "alice@example.org", kIdpEntityId, true,
                        "General", kTestNow}));
  }
  auto r = Admin(
      {"history", "--config", t.p.config(), "--site", "a", "--customer-id", "alice@example.org"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  auto lines = SplitLines(r.out);
  ASSERT_EQ(lines.size(), 1u) << r.out;
  EXPECT_EQ(Line(lines[0])["transcript_id"].as_string(), "t-1");
  r = Admin(
      {"history", "--config", t.p.config(), "--site", "b", "--customer-id", "alice@example.org"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_TRUE(r.out.empty()) << "a's transcript is not b's: " << r.out;
}

TEST(AdminSites, UnknownInvalidAndBrokenSites) {
  ThreeSites t;
  const auto config = t.p.config();
  // No site "default" in this platform: every command says so.
  for (std::vector<std::string> args :
       {std::vector<std::string>{"certs", "list", "--config", config},
        std::vector<std::string>{"failures", "--config", config, "--site", "nosuch"},
        std::vector<std::string>{"history", "--config", config, "--site", "nosuch", "--customer-id",
                                 "x"},
        std::vector<std::string>{"mappings", "list", "--config", config, "--site", "nosuch"}}) {
    auto r = Admin(args);
    EXPECT_EQ(r.exit_code, 2) << args[0] << " " << r.out;
    EXPECT_NE(r.err.find("[site.unknown]"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(config), std::string::npos) << "names the file: " << r.err;
    EXPECT_NE(r.err.find("sites list"), std::string::npos) << r.err;
  }
  // Not a site ID: a usage error naming the rule, before any file is read.
  for (const char* bad : {"A", "-a", "a_b", "../a", ""}) {
    auto r = Admin({"certs", "list", "--config", config, "--site", bad});
    EXPECT_EQ(r.exit_code, 2) << bad;
    EXPECT_NE(r.err.find("[a-z0-9][a-z0-9-]{0,62}"), std::string::npos) << r.err;
  }
  EXPECT_EQ(Admin({"certs", "list", "--config", config, "--site", std::string(64, 'a')}).exit_code,
            2);
  // The broken site: its configuration error, naming the key.
  auto r = Admin({"certs", "list", "--config", config, "--site", "c"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("clock_skew"), std::string::npos) << r.err;
  // A single-site file is the site "default", by name as well.
  Deployment d;
  r = Admin({"certs", "list", "--config", d.config().string(), "--site", "default"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(SplitLines(r.out).size(), 1u) << r.out;
  r = Admin({"certs", "list", "--config", d.config().string(), "--site", "a"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("[site.unknown]"), std::string::npos) << r.err;
}

TEST(AdminCheckConfig, APlatformChecksEverySiteAndNamesEachBrokenFileAndKey) {
  ThreeSites t;
  t.p.AddSite("d", "required", "", "session_lifetme_seconds = 60\n");
  auto r = Admin({"check-config", t.p.config()});
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE(r.out.find("site a: " + (t.p.dir() / "sites" / "a.ini").string()), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("site b: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("  sign_in: optional"), std::string::npos) << r.out;
  // b's acs_url path is not /sso/b/acs: a warning only.
  EXPECT_NE(r.out.find("  warning: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/sso/b/acs"), std::string::npos) << r.out;
  for (const char* broken : {"c.ini: [sso] clock_skew", "d.ini: [sso] session_lifetme_seconds"}) {
    EXPECT_NE(r.out.find(broken), std::string::npos) << broken << "\n" << r.out;
  }
  EXPECT_NE(r.out.find("broken sites: c, d"), std::string::npos) << r.out;

  // Only a and b: exit 0.
  std::filesystem::remove(t.p.dir() / "sites" / "c.ini");
  std::filesystem::remove(t.p.dir() / "sites" / "d.ini");
  r = Admin({"check-config", t.p.config()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.find("error:"), std::string::npos) << r.out;
}

TEST(AdminCheckConfig, ASingleSiteAcsUrlOffTheEndpointIsAWarning) {
  Deployment d;
  {
    std::ifstream in(d.config());
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    text.replace(text.find(kAcsUrl), std::string(kAcsUrl).size(),
                 "https://chat.example.com/chat/sso/acs");
    std::ofstream(d.config(), std::ios::trunc) << text;
  }
  auto r = Admin({"check-config", d.config().string()});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(r.out.rfind("config: " + d.config().string() + " loaded\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\nwarning: "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("acs_url"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/sso/acs"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace vsso::testing
