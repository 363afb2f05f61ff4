// The chat hooks that run for every chat, through the plugin's own hook
// implementation (hooks::PluginImpl, what the exported C functions call) on a
// deployment's SQLite file. Each call is timed on its own; p50_us is the
// median the targets of issue 15 speak of.
//   chat_start/signed_in        ChatWillStart for a visitor with a live session (10,000 sessions)
//   routing/hook_100_rules      ChatWillBeRouted for a signed-in visitor, 100 rules, the last
//                               matches, of a chat this node started (ChatWillStart untimed
//                               before it, as a host calls them): the chat's recorded identity
//   routing/hook_100_rules_cold the same for a chat started on another node: the session read
//   routing/evaluate_100_rules  the same 100 rules evaluated alone (no session read)
//   routing_pg/...              the two hooks on PostgreSQL, when VSSO_BENCH_POSTGRES_URI (or
//                               VSSO_TEST_POSTGRES_URI, scripts/postgres run) names a server
//   history/customer_id         SearchHistory by customer ID, first page of 20, over
//                               --vsso_history_rows tags (default 1,000,000; generated into a
//                               temporary database when this benchmark first runs)

#include <fstream>
#include <memory>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "hooks/plugin_impl.hpp"
#include "routing/rules.hpp"
#include "store/database.hpp"
#include "store/session_repository.hpp"
#include "store/transcript_repository.hpp"
#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace vsso::bench {
namespace {

namespace sdk = visitor_sso::sdk;

constexpr int kSessions = 10000;
constexpr int kRules = kRoutingRules;

void Check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

// A configured plugin on its own deployment.
struct Plugin {
  testing::Deployment deployment;
  hooks::PluginImpl plugin;

  explicit Plugin(const testing::DeploymentOptions& options) : deployment(options) {}
  void Configure() {
    auto st = plugin.Configure({deployment.config().string(), testing::kTestNow});
    Check(static_cast<bool>(st), st ? "" : st.error().message);
  }
  std::shared_ptr<store::Database> OpenStore() {
    auto db = store::Database::Open(deployment.database().string());
    Check(static_cast<bool>(db), db ? "" : db.error().message);
    return *db;
  }
};

// The fixtures are made on first use and reused by every repetition; they
// are kept here and destroyed by ReleaseHookBenchmarks, which removes their
// deployments from /tmp (a History database of 10 M tags is 1.9 GB) and
// drops their PostgreSQL databases.
std::vector<std::unique_ptr<Plugin>> g_plugins;
std::vector<std::unique_ptr<PgDatabase>> g_pg_databases;

Plugin* Keep(std::unique_ptr<Plugin> plugin) {
  g_plugins.push_back(std::move(plugin));
  return g_plugins.back().get();
}

// Sessions of signed-in visitors "v0".."v9999", as the ACS stores them.
void AddSessions(store::Database& db, int company) {
  auto db_ptr = std::shared_ptr<store::Database>(&db, [](store::Database*) {});
  store::SessionRepository sessions(db_ptr, "default");  // the bench's single-site config
  for (int i = 0; i < kSessions; ++i) {
    store::SsoSession s;
    s.visitor_id = "v" + std::to_string(i);
    s.customer_id = "cust-" + std::to_string(i);
    s.name_id = s.customer_id;
    s.name_id_format = testing::kNameIdEmail;
    s.session_index = "_session-" + std::to_string(i);
    s.idp_entity_id = testing::kIdpEntityId;
    s.signed_in_at = testing::kTestNow;
    s.expires_at = testing::kTestNow + 8 * 3600;
    s.fields_json = SessionFieldsJson("Company " + std::to_string(company));
    s.attributes_json = R"({"mail":["alice@example.org"],"displayName":["Alice Liddell"]})";
    auto st = sessions.Upsert(s);
    Check(static_cast<bool>(st), st ? "" : st.error().message);
  }
}

void BM_ChatStart(benchmark::State& state) {
  static Plugin* p = [] {
    auto* made = Keep(std::make_unique<Plugin>(testing::DeploymentOptions{}));
    AddSessions(*made->OpenStore(), 1);
    made->Configure();
    return made;
  }();
  Latencies latencies;
  latencies.Reserve(1 << 20);
  sdk::Chat chat;
  int i = 0;
  for (auto _ : state) {
    chat.visitor.id = "v" + std::to_string(i++ % kSessions);
    // A host's chat has an ID: the start records what routing will need.
    chat.id = "start-" + std::to_string(i);
    const std::int64_t start = NowNs();
    auto r = p->plugin.ChatWillStart(chat);
    latencies.Add(NowNs() - start);
    if (!r || !r->signed_in) {
      state.SkipWithError("the visitor is not signed in");
      break;
    }
  }
  latencies.Report(state);
}

// A configured plugin whose 100 rules only the last matches for every
// visitor, on SQLite or on a fresh PostgreSQL database.
Plugin* RoutingPlugin(bool postgres) {
  testing::DeploymentOptions options;
  options.routing = RoutingRulesText();
  auto* made = Keep(std::make_unique<Plugin>(options));
  if (postgres) {
    g_pg_databases.push_back(std::make_unique<PgDatabase>());
    const std::string uri = g_pg_databases.back()->uri();
    std::ifstream in(made->deployment.config());
    std::stringstream text;
    text << in.rdbuf();
    std::string config = text.str();
    const std::string line = "database = visitor-sso.db\n";
    const auto at = config.find(line);
    Check(at != std::string::npos, "no database line in the config");
    config.replace(at, line.size(), "database = " + uri + "\n");
    std::ofstream(made->deployment.config()) << config;
    made->Configure();  // creates the schema
    auto db = store::Database::Open(uri);
    Check(static_cast<bool>(db), db ? "" : db.error().message);
    AddSessions(**db, kRules);
  } else {
    AddSessions(*made->OpenStore(), kRules);
    made->Configure();
  }
  return made;
}

// warm: the host's order, ChatWillStart (untimed) then ChatWillBeRouted of the
// same new chat; cold: a chat this node never started (another node did).
void BM_RoutingHook(benchmark::State& state, bool postgres, bool warm) {
  static Plugin* sqlite = nullptr;
  static Plugin* pg = nullptr;
  Plugin*& p = postgres ? pg : sqlite;
  if (p == nullptr) p = RoutingPlugin(postgres);
  Latencies latencies;
  latencies.Reserve(1 << 20);
  sdk::Chat chat;
  static std::int64_t chats = 0;  // chat IDs never repeat across runs
  int i = 0;
  for (auto _ : state) {
    chat.visitor.id = "v" + std::to_string(i++ % kSessions);
    chat.id = "chat-" + std::to_string(++chats);
    if (warm) {
      auto started = p->plugin.ChatWillStart(chat);
      if (!started || !started->signed_in) {
        state.SkipWithError("the visitor is not signed in");
        break;
      }
    }
    const std::int64_t start = NowNs();
    auto r = p->plugin.ChatWillBeRouted(chat);
    latencies.Add(NowNs() - start);
    if (!r || r->team != "Team 100") {
      state.SkipWithError("not routed by the last rule");
      break;
    }
  }
  latencies.Report(state);
}

void BM_RoutingEvaluate(benchmark::State& state) {
  std::vector<routing::RuleInput> inputs;
  for (int i = 1; i <= kRules; ++i) {
    const std::string n = std::to_string(i);
    inputs.push_back(
        {"rule." + n, i,
         "company == Company " + n + " and variable:membership_level != bronze -> Team " + n});
  }
  auto rules = routing::RuleSet::Compile(inputs, "General",
                                         {"name", "email", "company", "variable:membership_level"});
  Check(static_cast<bool>(rules), rules ? "" : rules.error().message);
  const routing::Fields fields{{"name", {"Alice Liddell"}},
                               {"email", {"alice@example.org"}},
                               {"company", {"Company 100"}},
                               {"variable:membership_level", {"gold"}}};
  Latencies latencies;
  latencies.Reserve(1 << 22);
  for (auto _ : state) {
    const std::int64_t start = NowNs();
    routing::Decision d = rules->Evaluate(fields);
    latencies.Add(NowNs() - start);
    benchmark::DoNotOptimize(d);
  }
  latencies.Report(state);
}

constexpr int kTranscriptsPerCustomer = 100;

// 64 well-mixed bits of `x` (splitmix64), for IDs that look random.
std::uint64_t Mix(std::uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

// The tag of transcript `i` of `rows`, with IDs as long as the sample host's
// (what a platform's are like): chat "chat-<6 hex>-<8 digits>" (20
// characters), transcript "t-" + chat (22), visitor 32 hex digits (128
// random bits), a different visitor per chat (the worst case). Customers are
// rows/100, interleaved over time as chats come in.
store::TranscriptTag GeneratedTag(std::int64_t i, std::int64_t rows) {
  const std::int64_t customers = std::max<std::int64_t>(1, rows / kTranscriptsPerCustomer);
  std::string number = std::to_string(i);
  number.insert(0, number.size() < 8 ? 8 - number.size() : 0, '0');
  const std::string chat = "chat-3fa9c1-" + number;
  std::string visitor;
  for (std::uint64_t half :
       {Mix(2 * static_cast<std::uint64_t>(i)), Mix(2 * static_cast<std::uint64_t>(i) + 1)}) {
    for (int shift = 60; shift >= 0; shift -= 4)
      visitor += "0123456789abcdef"[(half >> shift) & 15];
  }
  store::TranscriptTag t;
  t.transcript_id = "t-" + chat;
  t.chat_id = chat;
  t.visitor_id = visitor;
  t.customer_id = "cust-" + std::to_string(i % customers);
  t.idp_entity_id = testing::kIdpEntityId;
  t.signed_in = true;
  t.team = "Team " + std::to_string(i % 10);
  t.saved_at = testing::kTestNow - rows + i;
  return t;
}

// Writes the tags through the repository (what the plugin stores), 50,000
// to a transaction.
void GenerateTranscripts(std::shared_ptr<store::Database> db, std::int64_t rows) {
  // Speed only: a larger page cache for the connection that writes.
  auto big = db->Write([](store::Connection& c) -> Status {
    return c.Exec("PRAGMA cache_size = -262144", "cache for the generator");
  });
  Check(static_cast<bool>(big), big ? "" : big.error().message);
  store::TranscriptRepository repo(db, "default");  // the bench's single-site config
  constexpr std::int64_t kBatch = 50000;
  std::vector<store::TranscriptTag> batch;
  batch.reserve(kBatch);
  for (std::int64_t first = 0; first < rows; first += kBatch) {
    batch.clear();
    for (std::int64_t i = first; i < std::min(rows, first + kBatch); ++i) {
      batch.push_back(GeneratedTag(i, rows));
    }
    auto st = repo.SaveAll(batch);
    Check(static_cast<bool>(st), st ? "" : st.error().message);
  }
}

// The database's size on disk once written and closed (SQLite checkpoints
// the WAL into the file at the last close): the file plus any WAL left.
double DatabaseBytes(const std::filesystem::path& file) {
  double bytes = 0;
  for (const std::string suffix : {"", "-wal"}) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(file.string() + suffix, ec);
    if (!ec) bytes += static_cast<double>(size);
  }
  return bytes;
}

void BM_History(benchmark::State& state) {
  static const std::int64_t rows = GetFlags().history_rows;
  static double db_bytes = 0;
  static Plugin* p = [] {
    auto* made = Keep(std::make_unique<Plugin>(testing::DeploymentOptions{}));
    GenerateTranscripts(made->OpenStore(), rows);  // closed again before it is measured
    db_bytes = DatabaseBytes(made->deployment.database());
    made->Configure();
    return made;
  }();
  const std::int64_t customers = std::max<std::int64_t>(1, rows / kTranscriptsPerCustomer);
  Latencies latencies;
  latencies.Reserve(1 << 20);
  sdk::HistoryQuery query;
  query.limit = 20;
  std::int64_t k = 0;
  for (auto _ : state) {
    // Customers far apart, so pages come from all over the file.
    query.customer_id = "cust-" + std::to_string((k++ * 7919) % customers);
    const std::int64_t start = NowNs();
    auto page = p->plugin.SearchHistory(query);
    latencies.Add(NowNs() - start);
    if (!page || page->rows.size() != 20) {
      state.SkipWithError("History did not return a full page");
      break;
    }
  }
  latencies.Report(state);
  state.counters["rows"] = static_cast<double>(rows);
  // Issue 15: the database of 10 M tags under 2 GB (file + WAL, after the
  // generator's connections closed).
  state.counters["db_bytes"] = db_bytes;
}

}  // namespace

void ReleaseHookBenchmarks() {
  g_plugins.clear();  // before the databases their connections are open on
  g_pg_databases.clear();
}

void RegisterHookBenchmarks() {
  const double min_time = GetFlags().smoke ? 0.001 : 1.0;
  benchmark::RegisterBenchmark("chat_start/signed_in", BM_ChatStart)->MinTime(min_time);
  benchmark::RegisterBenchmark("routing/hook_100_rules", BM_RoutingHook, false, true)
      ->MinTime(min_time);
  benchmark::RegisterBenchmark("routing/hook_100_rules_cold", BM_RoutingHook, false, false)
      ->MinTime(min_time);
  benchmark::RegisterBenchmark("routing/evaluate_100_rules", BM_RoutingEvaluate)->MinTime(min_time);
  benchmark::RegisterBenchmark("history/customer_id", BM_History)->MinTime(min_time);
  if (!BenchPostgresUri().empty()) {
    benchmark::RegisterBenchmark("routing_pg/hook_100_rules", BM_RoutingHook, true, true)
        ->MinTime(min_time);
    benchmark::RegisterBenchmark("routing_pg/hook_100_rules_cold", BM_RoutingHook, true, false)
        ->MinTime(min_time);
  }
}

}  // namespace vsso::bench
