#include "store/certificate_repository.hpp"

#include <cctype>
#include <map>

#include "plugin/crypto/cert_factory.hpp"
#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

namespace certs = vsso::testing::certs;

constexpr UnixSeconds kNow = 1750000000;

class CertificateRepositoryTest : public EngineTest {
 protected:
  static crypto::Certificate Make(const std::string& cn) {
    auto key = certs::Ec();
    return certs::Parse(certs::SelfSignedPem(key.get(), cn, kNow - 86400, kNow + 86400 * 365));
  }
};

TEST_P(CertificateRepositoryTest, SyncIsIdempotentAndDeactivatesDroppedConfigCertificates) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  CertificateRepository repo(db, "default");
  const auto a = Make("a");
  const auto b = Make("b");

  auto first = repo.SyncConfigCertificates({a, b}, kNow);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_EQ(first->added, 2);
  EXPECT_EQ(first->unchanged, 0);

  auto second = repo.SyncConfigCertificates({a, b}, kNow + 10);
  ASSERT_TRUE(second);
  EXPECT_EQ(second->added, 0);
  EXPECT_EQ(second->reactivated, 0);
  EXPECT_EQ(second->deactivated, 0);
  EXPECT_EQ(second->unchanged, 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM certificates WHERE added_at = " + std::to_string(kNow)),
            2);

  // b leaves the config file: inactive but still recorded.
  auto third = repo.SyncConfigCertificates({a}, kNow + 20);
  ASSERT_TRUE(third);
  EXPECT_EQ(third->deactivated, 1);
  EXPECT_EQ(third->unchanged, 1);
  auto active = repo.List(false);
  ASSERT_TRUE(active);
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().fingerprint, a.sha256_fingerprint);
  auto all = repo.List(true);
  ASSERT_TRUE(all);
  ASSERT_EQ(all->size(), 2u);
  EXPECT_EQ((*all)[1].fingerprint, b.sha256_fingerprint);
  EXPECT_FALSE((*all)[1].active);
  EXPECT_EQ((*all)[1].removed_at, kNow + 20);
  EXPECT_EQ((*all)[1].subject, "CN=b,O=Example IdP");

  // Same reduced config again: no change. Then b returns.
  auto fourth = repo.SyncConfigCertificates({a}, kNow + 30);
  ASSERT_TRUE(fourth);
  EXPECT_EQ(fourth->deactivated, 0);
  EXPECT_EQ(fourth->unchanged, 1);
  auto fifth = repo.SyncConfigCertificates({a, b}, kNow + 40);
  ASSERT_TRUE(fifth);
  EXPECT_EQ(fifth->reactivated, 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM certificates WHERE active = 1 AND removed_at IS NULL"), 2);
}

TEST_P(CertificateRepositoryTest, SyncLeavesAdminCertificatesAlone) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  CertificateRepository repo(db, "default");
  const auto config_cert = Make("config");
  const auto admin_cert = Make("admin");
  ASSERT_TRUE(repo.Add(admin_cert, "admin", kNow));
  auto sync = repo.SyncConfigCertificates({config_cert}, kNow);
  ASSERT_TRUE(sync);
  EXPECT_EQ(sync->deactivated, 0);
  auto sync_empty = repo.SyncConfigCertificates({}, kNow + 1);
  ASSERT_TRUE(sync_empty);
  EXPECT_EQ(sync_empty->deactivated, 1);  // only the config one
  auto active = repo.ActiveCertificates();
  ASSERT_TRUE(active) << active.error().message;
  ASSERT_EQ(active->size(), 1u);
  EXPECT_EQ(active->front().sha256_fingerprint, admin_cert.sha256_fingerprint);
  EXPECT_EQ(active->front().subject, "CN=admin,O=Example IdP");
  ASSERT_TRUE(active->front().public_key);
}

TEST_P(CertificateRepositoryTest, AddIsIdempotentAndValidatesSource) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  CertificateRepository repo(db, "default");
  const auto c = Make("c");
  auto added = repo.Add(c, "admin", kNow);
  ASSERT_TRUE(added) << added.error().message;
  EXPECT_EQ(added->source, "admin");
  EXPECT_EQ(added->added_at, kNow);
  EXPECT_TRUE(added->active);
  EXPECT_EQ(added->not_after, c.not_after);
  auto again = repo.Add(c, "admin", kNow + 5);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->added_at, kNow);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM certificates"), 1);

  auto bad = repo.Add(c, "someone", kNow);
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().code, "store.bad_source");
}

TEST_P(CertificateRepositoryTest, RemoveByPrefix) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  CertificateRepository repo(db, "default");
  const auto c = Make("c");
  ASSERT_TRUE(repo.Add(c, "admin", kNow));

  // Upper case with colons, as other tools print it.
  std::string pasted;
  for (std::size_t i = 0; i < 8; i += 2) {
    pasted += (i ? ":" : "") + c.sha256_fingerprint.substr(i, 2);
  }
  for (char& ch : pasted) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  auto removed = repo.Remove(pasted, kNow + 1);
  ASSERT_TRUE(removed) << removed.error().message;
  EXPECT_TRUE(*removed);
  auto again = repo.Remove(c.sha256_fingerprint, kNow + 2);
  ASSERT_TRUE(again);
  EXPECT_FALSE(*again);
  auto listed = repo.List(true);
  ASSERT_TRUE(listed);
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().removed_at, kNow + 1);

  // The only stored fingerprint starts with another digit.
  auto unknown = repo.Remove(c.sha256_fingerprint[0] == 'f' ? "0000" : "ffff", kNow);
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().code, "store.certificate_unknown");
  auto not_hex = repo.Remove("xyz", kNow);
  ASSERT_FALSE(not_hex);
  EXPECT_EQ(not_hex.error().code, "store.bad_fingerprint");
}

TEST_P(CertificateRepositoryTest, AmbiguousPrefixIsAnError) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  CertificateRepository repo(db, "default");
  // Two certificates always share the empty prefix; find a one-digit
  // prefix shared by two of 17 certificates (pigeonhole over 16 digits).
  std::map<char, std::vector<crypto::Certificate>> by_digit;
  char shared = 0;
  for (int i = 0; i < 17 && shared == 0; ++i) {
    auto c = Make("c" + std::to_string(i));
    ASSERT_TRUE(repo.Add(c, "admin", kNow));
    auto& bucket = by_digit[c.sha256_fingerprint[0]];
    bucket.push_back(c);
    if (bucket.size() == 2) shared = c.sha256_fingerprint[0];
  }
  ASSERT_NE(shared, 0);
  auto r = repo.Remove(std::string(1, shared), kNow);
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, "store.certificate_ambiguous");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM certificates WHERE active = 0"), 0);
  // The full fingerprint is never ambiguous.
  auto exact = repo.Remove(by_digit[shared][1].sha256_fingerprint, kNow);
  ASSERT_TRUE(exact);
  EXPECT_TRUE(*exact);
}

VSSO_ON_BOTH_ENGINES(CertificateRepositoryTest);

}  // namespace
}  // namespace vsso::store
