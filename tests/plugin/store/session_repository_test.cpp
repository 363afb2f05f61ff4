#include "store/session_repository.hpp"

#include "plugin/store/store_fixture.hpp"

namespace vsso::store {
namespace {

constexpr UnixSeconds kNow = 1750000000;

using SessionRepositoryTest = EngineTest;

SsoSession Session(const std::string& visitor, const std::string& customer) {
  return SsoSession{visitor,
                    customer,
                    customer + "@example.org",
                    "urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress",
                    "_session1",
                    "https://idp.example.org",
                    kNow,
                    kNow + 3600,
                    R"([{"key":"email","values":["a@example.org"]}])",
                    R"({"mail":["a@example.org"]})",
                    "https://idp.example.org",
                    "https://chat.example.com/sso/metadata"};
}

TEST_P(SessionRepositoryTest, UpsertFindLiveExpiryAndDelete) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  SessionRepository repo(db, "default");
  const auto s = Session("v1", "C-1");
  ASSERT_TRUE(repo.Upsert(s));
  auto found = repo.FindLive("v1", kNow + 10);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, s);

  // A new sign-in for the same visitor replaces the session.
  auto s2 = Session("v1", "C-2");
  s2.expires_at = kNow + 7200;
  ASSERT_TRUE(repo.Upsert(s2));
  auto found2 = repo.FindLive("v1", kNow + 3700);
  ASSERT_TRUE(found2);
  ASSERT_TRUE(found2->has_value());
  EXPECT_EQ((*found2)->customer_id, "C-2");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions"), 1);

  auto expired = repo.FindLive("v1", kNow + 7200);
  ASSERT_TRUE(expired);
  EXPECT_FALSE(expired->has_value());
  auto unknown = repo.FindLive("nobody", kNow);
  ASSERT_TRUE(unknown);
  EXPECT_FALSE(unknown->has_value());

  auto deleted = repo.Delete("v1");
  ASSERT_TRUE(deleted);
  EXPECT_TRUE(*deleted);
  auto deleted_again = repo.Delete("v1");
  ASSERT_TRUE(deleted_again);
  EXPECT_FALSE(*deleted_again);
  auto gone = repo.FindLive("v1", kNow);
  ASSERT_TRUE(gone);
  EXPECT_FALSE(gone->has_value());
}

// The chat hooks' narrow read: the same rows as FindLive (site, visitor,
// expires_at after now), the same values of the columns it returns.
TEST_P(SessionRepositoryTest, FindLiveIdentityReadsWhatFindLiveReads) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  SessionRepository repo(db, "default");
  const auto s = Session("v1", "C-1");
  ASSERT_TRUE(repo.Upsert(s));
  ASSERT_TRUE(SessionRepository(db, "other").Upsert(Session("v2", "C-2")));
  auto found = repo.FindLiveIdentity("v1", kNow + 10);
  ASSERT_TRUE(found) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ(**found, (LiveIdentity{"C-1", kNow + 3600, s.fields_json}));

  // Live while expires_at is after now, exactly as FindLive.
  for (const UnixSeconds at : {kNow + 3599, kNow + 3600, kNow + 3601}) {
    auto narrow = repo.FindLiveIdentity("v1", at);
    auto full = repo.FindLive("v1", at);
    ASSERT_TRUE(narrow && full);
    EXPECT_EQ(narrow->has_value(), full->has_value()) << at;
  }
  EXPECT_FALSE(repo.FindLiveIdentity("nobody", kNow)->has_value());
  // Another site's session of the visitor is not this site's.
  EXPECT_FALSE(repo.FindLiveIdentity("v2", kNow)->has_value());
  ASSERT_TRUE(repo.Delete("v1"));
  EXPECT_FALSE(repo.FindLiveIdentity("v1", kNow)->has_value());
}

TEST_P(SessionRepositoryTest, PurgeExpiredAllSitesInOneStatement) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  SessionRepository repo(db, "default");
  SessionRepository other(db, "other");
  auto short_lived = Session("v1", "C-1");
  short_lived.expires_at = kNow + 10;
  ASSERT_TRUE(repo.Upsert(short_lived));
  ASSERT_TRUE(other.Upsert(short_lived));
  ASSERT_TRUE(repo.Upsert(Session("v2", "C-2")));
  auto purged = SessionRepository::PurgeExpiredAllSites(*db, kNow + 10);
  ASSERT_TRUE(purged);
  EXPECT_EQ(*purged, 2);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions WHERE visitor_id = 'v2'"), 1);
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM sso_sessions"), 1);
}

VSSO_ON_BOTH_ENGINES(SessionRepositoryTest);

}  // namespace
}  // namespace vsso::store
