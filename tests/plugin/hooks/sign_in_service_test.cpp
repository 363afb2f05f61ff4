// hooks::SignInBatch against hooks::ConsumeResponse on real deployments (a
// SQLite file each, responses signed by the test IdP): a batch must judge
// every response exactly as one-by-one consumption does, replays included,
// and record nothing before Finish.
#include "hooks/sign_in_service.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <string>
#include <vector>

#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace vsso::hooks {
namespace {

using testing::kRequestId;
using testing::kTestNow;

std::shared_ptr<Runtime> Site(const testing::Deployment& d) {
  auto rt = Runtime::Build(d.config().string(), kTestNow);
  if (!rt) ADD_FAILURE() << rt.error().code << ": " << rt.error().message;
  return rt ? *rt : nullptr;
}

// `sql`'s rows through a separate connection, one "a|b|..." string each.
std::vector<std::string> Rows(const testing::Deployment& d, const std::string& sql) {
  sqlite3* raw = nullptr;
  EXPECT_EQ(sqlite3_open(d.database().c_str(), &raw), SQLITE_OK);
  sqlite3_stmt* stmt = nullptr;
  std::vector<std::string> rows;
  EXPECT_EQ(sqlite3_prepare_v2(raw, sql.c_str(), -1, &stmt, nullptr), SQLITE_OK)
      << sqlite3_errmsg(raw);
  while (stmt != nullptr && sqlite3_step(stmt) == SQLITE_ROW) {
    std::string row;
    for (int i = 0; i < sqlite3_column_count(stmt); ++i) {
      const auto* text = sqlite3_column_text(stmt, i);
      row += (i > 0 ? "|" : "") +
             std::string(text != nullptr ? reinterpret_cast<const char*>(text) : "");
    }
    rows.push_back(row);
  }
  sqlite3_finalize(stmt);
  sqlite3_close(raw);
  return rows;
}

std::string Verdict(const Result<SignIn>& r) {
  if (!r) return "refused " + r.error().code + ": " + r.error().message;
  return "accepted " + r->customer_id + " " + r->identity.assertion_id;
}

TEST(SignInBatch, JudgesEveryResponseAsOneByOneAndRecordsTheRowsAtFinish) {
  testing::ResponseBuilder a;
  a.AssertionId("_a").NameId("alice@example.org");
  testing::ResponseBuilder c;
  c.AssertionId("_c").NameId("carol@example.org");
  testing::ResponseBuilder expired;
  expired.AssertionId("_e").NotOnOrAfter(kTestNow - 3600);
  // A, its replay, a refusal by an earlier rule, another, A a third time.
  const std::vector<std::string> xml = {a.Build(), a.Build(), expired.Build(), c.Build(),
                                        a.Build()};

  testing::Deployment one_by_one;
  auto rt1 = Site(one_by_one);
  ASSERT_TRUE(rt1);
  std::vector<std::string> expected;
  for (const auto& x : xml)
    expected.push_back(Verdict(ConsumeResponse(*rt1, {x, kRequestId, "v", "192.0.2.7"})));

  testing::Deployment batched;
  auto rt2 = Site(batched);
  ASSERT_TRUE(rt2);
  SignInBatch batch(*rt2);
  for (const auto& x : xml) batch.Add({x, kRequestId, "v", "192.0.2.7"});
  EXPECT_EQ(batch.size(), xml.size());
  // No verdict is final before Finish: nothing is recorded yet.
  EXPECT_EQ(Rows(batched, "SELECT COUNT(*) FROM replay_cache"), std::vector<std::string>{"0"});
  const auto results = batch.Finish();
  EXPECT_EQ(batch.size(), 0u);
  ASSERT_EQ(results.size(), xml.size());
  std::vector<std::string> got;
  for (const auto& r : results) got.push_back(Verdict(r));
  EXPECT_EQ(got, expected);
  EXPECT_TRUE(results[0] && results[3]);
  ASSERT_FALSE(results[1] || results[2] || results[4]);
  EXPECT_EQ(results[1].error().code, "saml.replay.detected");
  EXPECT_EQ(results[4].error().code, "saml.replay.detected");
  EXPECT_NE(results[2].error().code, "saml.replay.detected");
  EXPECT_EQ(Rows(batched, "SELECT assertion_id FROM replay_cache ORDER BY assertion_id"),
            (std::vector<std::string>{"_a", "_c"}));

  // The audit logs agree, refusals and (once flushed) successes alike.
  ASSERT_TRUE(rt1->db->FlushDeferred());
  ASSERT_TRUE(rt2->db->FlushDeferred());
  const std::string audit =
      "SELECT kind, code, assertion_id, remote_address, SUM(count) FROM audit_log "
      "GROUP BY kind, code, assertion_id, remote_address ORDER BY kind, code, assertion_id";
  EXPECT_EQ(Rows(batched, audit), Rows(one_by_one, audit));
  const auto rows = Rows(batched, audit);
  EXPECT_NE(
      std::find(rows.begin(), rows.end(), "sign_in_rejected|saml.replay.detected|_a|192.0.2.7|2"),
      rows.end());
  EXPECT_NE(std::find(rows.begin(), rows.end(), "sign_in_accepted|ok|_c|192.0.2.7|1"), rows.end());

  // A later batch, or a single sign-in, sees the batch's rows.
  batch.Add({c.Build(), kRequestId, {}, {}});
  const auto again = batch.Finish();
  ASSERT_FALSE(again.at(0));
  EXPECT_EQ(again[0].error().code, "saml.replay.detected");
  const auto single = ConsumeResponse(*rt2, {a.Build(), kRequestId, {}, {}});
  ASSERT_FALSE(single);
  EXPECT_EQ(single.error().code, "saml.replay.detected");
}

TEST(SignInBatch, AFailedReplayStoreRefusesTheWholeBatchAndRecordsNone) {
  testing::Deployment d;
  auto rt = Site(d);
  ASSERT_TRUE(rt);
  testing::ResponseBuilder a;
  a.AssertionId("_a");
  testing::ResponseBuilder bad;
  bad.AssertionId("_bad");
  ASSERT_TRUE(Rows(d,
                   "CREATE TRIGGER refuse BEFORE INSERT ON replay_cache WHEN "
                   "NEW.assertion_id = '_bad' BEGIN SELECT RAISE(ABORT, 'disk on fire'); END")
                  .empty());
  SignInBatch batch(*rt);
  batch.Add({a.Build(), kRequestId, {}, {}});
  batch.Add({bad.Build(), kRequestId, {}, {}});
  const auto results = batch.Finish();
  ASSERT_EQ(results.size(), 2u);
  for (const auto& r : results) {
    ASSERT_FALSE(r);
    // Fail closed, with the store's reason for the admin.
    EXPECT_EQ(r.error().code, "saml.replay.store_failed");
    EXPECT_NE(r.error().message.find("disk on fire"), std::string::npos) << r.error().message;
  }
  EXPECT_EQ(Rows(d, "SELECT COUNT(*) FROM replay_cache"), std::vector<std::string>{"0"});
  // Nothing of the failed batch was kept: A still signs in once.
  Rows(d, "DROP TRIGGER refuse");
  EXPECT_TRUE(ConsumeResponse(*rt, {a.Build(), kRequestId, {}, {}}));
}

}  // namespace
}  // namespace vsso::hooks
