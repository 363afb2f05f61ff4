#include "saml/rules/replay.hpp"

#include <gtest/gtest.h>

#include "rule_test_util.hpp"

namespace vsso::saml::rules {
namespace {

class FailingStore : public ReplayGuard {
 public:
  Result<bool> FirstUse(const std::string&, const std::string&, UnixSeconds, UnixSeconds) override {
    return MakeError("store.io", "disk full");
  }
};

class RecordingStore : public ReplayGuard {
 public:
  Result<bool> FirstUse(const std::string& id, const std::string& issuer, UnixSeconds keep_until,
                        UnixSeconds now) override {
    id_ = id;
    issuer_ = issuer;
    keep_until_ = keep_until;
    now_ = now;
    return true;
  }
  std::string id_, issuer_;
  UnixSeconds keep_until_ = 0, now_ = 0;
};

class ReplayTest : public RuleTest {
 protected:
  Message& Prepared() {
    Message& m = Load(Unsigned().BuildUnsigned());
    m.identity.assertion_id = "_a1";
    m.identity.issuer = testing::kIdpEntityId;
    m.identity.assertion_not_on_or_after = testing::kTestNow + 300;
    return m;
  }
};

TEST_F(ReplayTest, FirstUseIsAcceptedSecondIsRefused) {
  Message& m = Prepared();
  EXPECT_TRUE(Passes(CheckReplay(m, context_)));
  EXPECT_TRUE(FailsWith(CheckReplay(m, context_), "saml.replay.detected"));
}

TEST_F(ReplayTest, KeepsTheIdUntilExpiryPlusSkew) {
  RecordingStore store;
  context_.replay = &store;
  context_.clock_skew_seconds = 90;
  ASSERT_TRUE(Passes(CheckReplay(Prepared(), context_)));
  EXPECT_EQ(store.id_, "_a1");
  EXPECT_EQ(store.issuer_, testing::kIdpEntityId);
  EXPECT_EQ(store.keep_until_, testing::kTestNow + 390);
  EXPECT_EQ(store.now_, testing::kTestNow);
}

TEST_F(ReplayTest, FailsClosed) {
  FailingStore store;
  context_.replay = &store;
  Status s = CheckReplay(Prepared(), context_);
  ASSERT_TRUE(FailsWith(s, "saml.replay.store_failed"));
  EXPECT_NE(s.error().message.find("disk full"), std::string::npos);
  context_.replay = nullptr;
  EXPECT_TRUE(FailsWith(CheckReplay(Prepared(), context_), "saml.replay.unavailable"));
}

}  // namespace
}  // namespace vsso::saml::rules
