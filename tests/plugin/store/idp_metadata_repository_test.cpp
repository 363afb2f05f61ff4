// The stored IdP metadata (issue 14) on both engines: a good document
// replaces everything; a failure records only the attempt and keeps the
// good copy of the same URL; a failure at another URL drops the copy of the
// old one; sites never see each other's rows.
#include <gtest/gtest.h>

#include "store/idp_metadata_repository.hpp"
#include "store_fixture.hpp"

namespace vsso::store {
namespace {

using IdpMetadataRepositoryTest = EngineTest;
VSSO_ON_BOTH_ENGINES(IdpMetadataRepositoryTest);

IdpMetadataRow Good(const std::string& url, const std::string& document, UnixSeconds at) {
  IdpMetadataRow r;
  r.source_url = url;
  r.document = document;
  r.entity_id = "https://idp.example.org/idp";
  r.fetched_at = at;
  r.valid_until = at + 86400;
  r.cache_duration_seconds = 3600;
  r.attempted_at = at;
  r.next_refresh_at = at + 3600;
  return r;
}

TEST_P(IdpMetadataRepositoryTest, AFailureNeverReplacesTheGoodCopy) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  IdpMetadataRepository acme(db, "acme");
  auto none = acme.Get();
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);

  const std::string url = "https://idp.example.org/metadata.xml";
  ASSERT_TRUE(acme.SaveGood(Good(url, "<md:EntityDescriptor/>", 1000)));
  ASSERT_TRUE(acme.SaveFailure(url, 2000, 2060, {"metadata.http_status", "HTTP 500"}));
  auto row = acme.Get();
  ASSERT_TRUE(row && *row);
  IdpMetadataRow want = Good(url, "<md:EntityDescriptor/>", 1000);
  want.attempted_at = 2000;
  want.next_refresh_at = 2060;
  want.error_code = "metadata.http_status";
  want.error_message = "HTTP 500";
  EXPECT_EQ(**row, want);

  // The next good fetch clears the error.
  ASSERT_TRUE(acme.SaveGood(Good(url, "<md:EntityDescriptor ID=\"2\"/>", 3000)));
  EXPECT_EQ(**acme.Get(), Good(url, "<md:EntityDescriptor ID=\"2\"/>", 3000));

  // Another site's row is its own.
  IdpMetadataRepository globex(db, "globex");
  ASSERT_TRUE(globex.SaveFailure(url, 4000, 4060, {"metadata.fetch_failed", "refused"}));
  EXPECT_EQ((*acme.Get())->error_code, "");
  EXPECT_EQ((*globex.Get())->document, "");
  EXPECT_EQ(Scalar("SELECT COUNT(*) FROM idp_metadata"), 2);
}

TEST_P(IdpMetadataRepositoryTest, AnotherUrlsCopyIsNotKept) {
  auto db = OpenDb();
  ASSERT_TRUE(db);
  IdpMetadataRepository repo(db, "default");
  ASSERT_TRUE(repo.SaveGood(Good("https://old.example.org/m.xml", "<old/>", 1000)));
  ASSERT_TRUE(repo.SaveFailure("https://new.example.org/m.xml", 2000, 2060,
                               {"metadata.fetch_failed", "unreachable"}));
  auto row = repo.Get();
  ASSERT_TRUE(row && *row);
  EXPECT_EQ((*row)->source_url, "https://new.example.org/m.xml");
  EXPECT_EQ((*row)->document, "");
  EXPECT_EQ((*row)->entity_id, "");
  EXPECT_EQ((*row)->fetched_at, 0);
  EXPECT_EQ((*row)->valid_until, 0);
  EXPECT_EQ((*row)->error_code, "metadata.fetch_failed");
}

}  // namespace
}  // namespace vsso::store
