// hooks::ChatIdentityCache alone (bounds, age, keys, invalidation, threads)
// and through the real PluginImpl on a real SQLite deployment: routing a chat
// this node started gives the decision the store read gives, never another
// visitor's or site's identity, and a sign-out through the real HTTP hook
// drops what the chat was started with.
#include "hooks/chat_identity_cache.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "common/encoding.hpp"
#include "common/url.hpp"
#include "hooks/plugin_impl.hpp"
#include "saml/authn_request.hpp"
#include "store/database.hpp"
#include "store/session_repository.hpp"
#include "support/deployment.hpp"
#include "support/plugin_http.hpp"
#include "support/test_idp.hpp"

namespace vsso::hooks {
namespace {

namespace sdk = visitor_sso::sdk;
using Cache = ChatIdentityCache;

routing::Fields Company(const std::string& name) { return {{"company", {name}}}; }

std::string CompanyOf(const Cache::FieldsPtr& f) {
  return f && f->count("company") ? f->at("company").front() : "";
}

class ChatIdentityCacheTest : public ::testing::Test {
 protected:
  std::shared_ptr<const Runtime> rt_ = std::make_shared<Runtime>();
  static constexpr UnixSeconds kNow = 1000;
  static constexpr UnixSeconds kExpires = kNow + 8 * 3600;
};

TEST_F(ChatIdentityCacheTest, FoundOnlyUnderItsSiteChatAndVisitor) {
  Cache cache;
  cache.Put("a", "c1", "v1", rt_, Company("Acme"), kNow, kExpires, cache.Generation("a", "v1"));
  EXPECT_EQ(CompanyOf(cache.Find("a", "c1", "v1", rt_, kNow)), "Acme");
  EXPECT_EQ(cache.Find("b", "c1", "v1", rt_, kNow), nullptr);  // another site
  EXPECT_EQ(cache.Find("a", "c1", "v2", rt_, kNow), nullptr);  // the chat ID reused by another
  EXPECT_EQ(cache.Find("a", "c2", "v1", rt_, kNow), nullptr);  // another chat of the visitor
  // Keys are compared whole, not concatenated.
  EXPECT_EQ(cache.Find("a", "c1v", "1", rt_, kNow), nullptr);
  // A new start of the same chat replaces it.
  cache.Put("a", "c1", "v1", rt_, Company("Globex"), kNow, kExpires, cache.Generation("a", "v1"));
  EXPECT_EQ(CompanyOf(cache.Find("a", "c1", "v1", rt_, kNow)), "Globex");
  EXPECT_EQ(cache.size(), 1u);
}

TEST_F(ChatIdentityCacheTest, UsableOnlyBeforeMaxAgeAndSessionExpiryAndForItsRuntime) {
  Cache cache(Cache::Limits{64, 600, 2048});
  const auto put = [&](UnixSeconds expires) {
    cache.Put("a", "c", "v", rt_, Company("Acme"), kNow, expires, cache.Generation("a", "v"));
  };
  put(kExpires);
  EXPECT_NE(cache.Find("a", "c", "v", rt_, kNow + 599), nullptr);
  EXPECT_EQ(cache.Find("a", "c", "v", rt_, kNow + 600), nullptr);
  EXPECT_EQ(cache.size(), 0u);  // dropped, not kept until evicted
  put(kNow + 10);               // the session ends before max_age
  EXPECT_NE(cache.Find("a", "c", "v", rt_, kNow + 9), nullptr);
  EXPECT_EQ(cache.Find("a", "c", "v", rt_, kNow + 10), nullptr);
  put(kExpires);
  EXPECT_EQ(cache.Find("a", "c", "v", rt_, kNow - 1), nullptr);  // the clock went back
  put(kExpires);
  // A reload's new Runtime (its rules may name other fields) misses.
  rt_ = std::make_shared<Runtime>();
  EXPECT_EQ(cache.Find("a", "c", "v", rt_, kNow), nullptr);
}

TEST_F(ChatIdentityCacheTest, EntriesAndTheirSizeAreBounded) {
  Cache cache(Cache::Limits{64, 3600, 256});
  for (int i = 0; i < 5000; ++i) {
    const std::string v = "v" + std::to_string(i);
    cache.Put("a", "c" + std::to_string(i), v, rt_, Company("Acme"), kNow, kExpires,
              cache.Generation("a", v));
  }
  EXPECT_LE(cache.size(), 64u);
  EXPECT_GT(cache.size(), 32u);  // every shard holds some
  // The newest of a shard stays, the oldest went.
  EXPECT_NE(cache.Find("a", "c4999", "v4999", rt_, kNow), nullptr);
  EXPECT_EQ(cache.Find("a", "c0", "v0", rt_, kNow), nullptr);

  // Too large: not recorded, and the chat's previous entry goes.
  cache.Put("a", "big", "v", rt_, Company("Acme"), kNow, kExpires, cache.Generation("a", "v"));
  ASSERT_NE(cache.Find("a", "big", "v", rt_, kNow), nullptr);
  cache.Put("a", "big", "v", rt_, Company(std::string(300, 'x')), kNow, kExpires,
            cache.Generation("a", "v"));
  EXPECT_EQ(cache.Find("a", "big", "v", rt_, kNow), nullptr);
  // No chat ID: nothing to key on.
  cache.Put("a", "", "v", rt_, Company("Acme"), kNow, kExpires, cache.Generation("a", "v"));
  EXPECT_EQ(cache.Find("a", "", "v", rt_, kNow), nullptr);
}

TEST_F(ChatIdentityCacheTest, OneVisitorsFloodDisplacesAtMostItsShard) {
  Cache cache(Cache::Limits{Cache::kShards * 4, 3600, 2048});
  std::vector<std::string> others;
  for (int i = 0; i < 200; ++i) {
    const std::string v = "other" + std::to_string(i);
    cache.Put("a", "c", v, rt_, Company(v), kNow, kExpires, cache.Generation("a", v));
    if (cache.Find("a", "c", v, rt_, kNow)) others.push_back(v);
  }
  for (int i = 0; i < 10000; ++i) {
    cache.Put("a", "flood" + std::to_string(i), "mallory", rt_, Company("Evil"), kNow, kExpires,
              cache.Generation("a", "mallory"));
  }
  std::size_t survived = 0;
  for (const auto& v : others) survived += cache.Find("a", "c", v, rt_, kNow) != nullptr;
  EXPECT_GE(survived, (Cache::kShards - 1) * 4 - 4);  // all but mallory's shard
  EXPECT_LE(cache.size(), Cache::kShards * 4);
}

TEST_F(ChatIdentityCacheTest, EraseVisitorDropsThatVisitorOnThatSiteOnly) {
  Cache cache;
  for (const char* chat : {"c1", "c2", "c3"}) {
    cache.Put("a", chat, "v1", rt_, Company("Acme"), kNow, kExpires, cache.Generation("a", "v1"));
  }
  cache.Put("b", "c1", "v1", rt_, Company("Acme"), kNow, kExpires, cache.Generation("b", "v1"));
  cache.Put("a", "c1", "v2", rt_, Company("Acme"), kNow, kExpires, cache.Generation("a", "v2"));
  cache.EraseVisitor("a", "v1");
  for (const char* chat : {"c1", "c2", "c3"}) {
    EXPECT_EQ(cache.Find("a", chat, "v1", rt_, kNow), nullptr) << chat;
  }
  EXPECT_NE(cache.Find("b", "c1", "v1", rt_, kNow), nullptr);
  EXPECT_NE(cache.Find("a", "c1", "v2", rt_, kNow), nullptr);
}

// A chat start that read the session before a sign-out ended it, and
// records after the sign-out dropped the visitor, records nothing.
TEST_F(ChatIdentityCacheTest, ASignOutDuringAChatStartWins) {
  Cache cache;
  const std::uint64_t before_read = cache.Generation("a", "v1");
  cache.EraseVisitor("a", "v1");  // the sign-out, between the read and Put
  cache.Put("a", "c1", "v1", rt_, Company("Acme"), kNow, kExpires, before_read);
  EXPECT_EQ(cache.Find("a", "c1", "v1", rt_, kNow), nullptr);
  cache.Put("a", "c1", "v1", rt_, Company("Acme"), kNow, kExpires, cache.Generation("a", "v1"));
  EXPECT_NE(cache.Find("a", "c1", "v1", rt_, kNow), nullptr);
}

TEST_F(ChatIdentityCacheTest, ThreadsNeverSeeAnotherVisitorsFields) {
  Cache cache(Cache::Limits{256, 3600, 2048});
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 3000; ++i) {
        const std::string v = "v" + std::to_string((i * 7 + t) % 500);
        const std::string chat = "chat-" + std::to_string(i % 50);
        cache.Put("a", chat, v, rt_, Company(v), kNow, kExpires, cache.Generation("a", v));
        if (auto f = cache.Find("a", chat, v, rt_, kNow); f && CompanyOf(f) != v) ++wrong;
        if (i % 97 == 0) cache.EraseVisitor("a", v);
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
  EXPECT_LE(cache.size(), 256u);
}

// ---- Through the real plugin ------------------------------------------------

constexpr int kVisitors = 40;

std::string FieldsJson(const std::string& company, const std::string& level) {
  return R"([{"key":"name","values":["Alice"]},{"key":"company","values":[")" + company +
         R"("]},{"key":"variable:membership_level","values":[")" + level + R"("]}])";
}

class RoutingWithCache : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(plugin_.Configure({deployment_.config().string(), testing::kTestNow}));
    auto db = store::Database::Open(deployment_.database().string());
    ASSERT_TRUE(db) << db.error().message;
    db_ = *db;
  }

  void Session(const std::string& visitor, const std::string& company,
               const std::string& level = "silver") {
    store::SessionRepository sessions(db_, "default");
    store::SsoSession s;
    s.visitor_id = visitor;
    s.customer_id = "cust-" + visitor;
    s.name_id = s.customer_id;
    s.name_id_format = testing::kNameIdEmail;
    s.idp_entity_id = testing::kIdpEntityId;
    s.signed_in_at = testing::kTestNow;
    s.expires_at = testing::kTestNow + 3600;
    s.fields_json = FieldsJson(company, level);
    ASSERT_TRUE(sessions.Upsert(s));
  }

  static sdk::Chat Chat(const std::string& id, const std::string& visitor) {
    sdk::Chat chat;
    chat.id = id;
    chat.visitor.id = visitor;
    return chat;
  }

  std::string Start(const sdk::Chat& chat) {
    auto r = plugin_.ChatWillStart(chat);
    EXPECT_TRUE(r);
    return r && r->signed_in ? r->customer_id : "";
  }

  std::string Route(const sdk::Chat& chat) {
    auto r = plugin_.ChatWillBeRouted(chat);
    EXPECT_TRUE(r);
    return r ? r->team + "|" + r->rule + "|" + r->rule_text : "";
  }

  testing::Deployment deployment_;
  hooks::PluginImpl plugin_;
  std::shared_ptr<store::Database> db_;
};

TEST_F(RoutingWithCache, AStartedChatRoutesAsTheStoreReadDoes) {
  Session("gold", "Initech", "gold");
  Session("acme", "Acme");
  Session("plain", "Initech");
  for (const char* v : {"gold", "acme", "plain", "guest"}) {
    const std::string cold = Route(Chat("never-started-" + std::string(v), v));
    Start(Chat("c-" + std::string(v), v));
    EXPECT_EQ(Route(Chat("c-" + std::string(v), v)), cold) << v;
    EXPECT_EQ(Route(Chat("c-" + std::string(v), v)), cold) << v << ", routed again (a transfer)";
  }
  EXPECT_EQ(Route(Chat("c-gold", "gold")),
            "Gold Team|rule.1|variable:membership_level == gold -> Gold Team");
  EXPECT_EQ(Route(Chat("c-acme", "acme")).substr(0, 13), "Key Accounts|");
  EXPECT_EQ(Route(Chat("c-guest", "guest")), "General|default|");
}

// What a chat was started with is what it routes on, until the next start;
// a chat this node did not start reads the store (another node's change).
TEST_F(RoutingWithCache, RoutesOnWhatTheChatWasStartedWith) {
  Session("v", "Acme");
  Start(Chat("c1", "v"));
  Session("v", "Initech", "gold");  // another node's sign-in replaced the session
  EXPECT_EQ(Route(Chat("c1", "v")).substr(0, 13), "Key Accounts|");
  EXPECT_EQ(Route(Chat("c2", "v")).substr(0, 10), "Gold Team|");
  Start(Chat("c1", "v"));
  EXPECT_EQ(Route(Chat("c1", "v")).substr(0, 10), "Gold Team|");
}

TEST_F(RoutingWithCache, AReusedChatIdNeverCarriesAnotherVisitorsIdentity) {
  Session("gold", "Initech", "gold");
  Start(Chat("shared-id", "gold"));
  ASSERT_EQ(Route(Chat("shared-id", "gold")).substr(0, 10), "Gold Team|");
  // Another visitor (a guest who typed nothing) with the same chat ID.
  EXPECT_EQ(Route(Chat("shared-id", "guest")), "General|default|");
  // The same chat ID started again by a guest: its old entry is gone too.
  ASSERT_TRUE(store::SessionRepository(db_, "default").Delete("gold"));
  Start(Chat("shared-id", "gold"));
  EXPECT_EQ(Route(Chat("shared-id", "gold")), "General|default|");
}

TEST_F(RoutingWithCache, ConcurrentStartsAndRoutingsGetTheirOwnTeams) {
  for (int i = 0; i < kVisitors; ++i) {
    Session("v" + std::to_string(i), i % 2 ? "Acme" : "Initech", i % 3 ? "silver" : "gold");
  }
  std::atomic<int> wrong{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 30; ++round) {
        for (int i = t; i < kVisitors; i += 4) {
          const std::string v = "v" + std::to_string(i);
          const sdk::Chat chat = Chat("chat-" + std::to_string(round) + "-" + v, v);
          auto started = plugin_.ChatWillStart(chat);
          auto routed = plugin_.ChatWillBeRouted(chat);
          const std::string want = i % 3 == 0 ? "Gold Team" : i % 2 ? "Key Accounts" : "General";
          if (!started || !started->signed_in || !routed || routed->team != want) ++wrong;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(wrong.load(), 0);
}

// A sign-out through the real HTTP hook: the chat started signed in then
// routes as a guest's at once, not on the identity it was started with.
TEST_F(RoutingWithCache, SignOutDropsWhatTheChatWasStartedWith) {
  std::string cookie;
  const auto send = [&](sdk::HttpRequest req) {
    req.visitor_id = "v1";
    req.remote_address = "192.0.2.7";
    if (!cookie.empty()) req.headers.emplace_back("Cookie", "vsso_browser=" + cookie);
    auto resp = plugin_.HandleHttp(req);
    EXPECT_TRUE(resp);
    const std::string set = testing::Header(*resp, "Set-Cookie");
    if (!set.empty()) cookie = set.substr(13, 32);
    return *resp;
  };
  sdk::HttpRequest login;
  login.method = "GET";
  login.path = "/sso/login";
  login.query = "return=%2Fchat";
  const auto redirect = send(login);
  ASSERT_EQ(redirect.status, 302) << redirect.body;
  const std::string location = testing::Header(redirect, "Location");
  auto xml = saml::DecodeRedirectRequest(testing::UrlQueryValue(location, "SAMLRequest"));
  ASSERT_TRUE(xml);
  const auto id_at = xml->find(" ID=\"") + 5;
  const std::string request_id = xml->substr(id_at, xml->find('"', id_at) - id_at);
  testing::ResponseBuilder b;
  b.InResponseTo(request_id)
      .SubjectInResponseTo(request_id)
      .Attribute({"membership_level", {"gold"}});
  sdk::HttpRequest acs;
  acs.method = "POST";
  acs.path = "/sso/acs";
  acs.body = "SAMLResponse=" + url::EncodeQueryValue(encoding::Base64Encode(b.Build())) +
             "&RelayState=" + url::EncodeQueryValue(testing::UrlQueryValue(location, "RelayState"));
  ASSERT_EQ(send(acs).status, 303);

  ASSERT_FALSE(Start(Chat("c1", "v1")).empty());
  const std::string signed_in = Route(Chat("c1", "v1"));
  ASSERT_NE(signed_in, "General|default|");  // else the test could not tell

  sdk::HttpRequest logout;
  logout.method = "POST";
  logout.path = "/sso/logout";
  logout.body = "return=%2Fchat";
  logout.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Origin", "https://chat.example.com"}};
  const auto out = send(logout);
  ASSERT_EQ(out.signed_out_visitor_ids, std::vector<std::string>{"v1"}) << out.body;
  EXPECT_EQ(Route(Chat("c1", "v1")), "General|default|");
}

}  // namespace
}  // namespace vsso::hooks
