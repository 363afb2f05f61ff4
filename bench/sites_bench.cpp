// Many sites (issue 12, "Scale"): a platform file and N site files, each
// with its own SP entity ID, ACS URL, IdP certificate file, [mapping] and
// [routing], loaded through the plugin's own hooks::PluginImpl.
//   sites/parse/<N>         config::LoadPlatform alone: read and check every file
//   sites/load/<N>          PluginImpl::Configure on a fresh database (schema
//                           created, every site's certificates and mappings
//                           synced into it); manual time = Configure only.
//                           Counters: memory of the load (below).
//   sites/reload/<N>        PluginImpl::Reload with every file unchanged, on
//                           the serving database (sessions in it)
//   sites/chat_start/<N>    ChatWillStart, signed-in visitor of the middle site
//   sites/visitor_info/<N>  VisitorInfoWillRender for the same visitors
//   sites/paired/<hook>     the hook on the smallest and the largest platform
//                           in turns, each call timed: x_small is the ratio of
//                           their medians. Paired, because the machine's speed
//                           drifts between benchmarks run minutes apart.
//                           Hooks: chat_start, visitor_info; routing
//                           (ChatWillBeRouted with 100 rules, the last matches,
//                           of a new chat ChatWillStart started untimed just
//                           before, as a host calls them: the recorded
//                           identity); routing_cold (the same for a chat
//                           started on another node: the session read);
//                           history (SearchHistory by customer ID, page of 20).
// N = 10, 100, 1,000, 10,000 (--vsso_smoke: 3 and 10). The hook benchmarks
// store kSessionsPerSite sessions for every site, so the store grows with N
// as well as the site map. The middle site routes with the 100 rules of
// hooks_bench (bench_support's RoutingRulesText), every other site with 3.
// History's table is the same size on every platform (kHistoryTags); what
// changes with N there is the number of sites and of their IdPs.
//
// Memory, in MiB, the mean over the benchmark's iterations. Before each
// timed Configure, malloc_trim(0) returns freed heap to the system and the
// peak is reset (`5` written to /proc/self/clear_refs). After it:
//   rss_mb   VmRSS (/proc/self/status) after - before: what the process grew by
//   peak_mb  VmHWM after - VmRSS before: the highest it grew during the load
//   heap_mb  bytes malloc has handed out and not got back (mallinfo2:
//            uordblks + hblkhd, every arena) after - before: what the loaded
//            configuration holds. The RSS figures can undercount when the load
//            reuses pages an earlier benchmark left resident; this one cannot.
//
// Key generation is slow (RSA), so the sites' IdP certificates are copies of
// the test keys' four certificates; every site still has its own file, read
// and parsed on its own.
#include <malloc.h>

#include <algorithm>
#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "bench_support.hpp"
#include "config/platform.hpp"
#include "hooks/plugin_impl.hpp"
#include "store/database.hpp"
#include "store/session_repository.hpp"
#include "store/transcript_repository.hpp"
#include "support/test_idp.hpp"
#include "support/test_keys.hpp"

namespace vsso::bench {
namespace {

namespace fs = std::filesystem;
namespace sdk = visitor_sso::sdk;

constexpr int kSessionsPerSite = 4;
// History: kHistoryTags transcript tags on every platform, one a second.
// Every kHistoryStride-th is the middle site's, of customers "cust-v0" ..
// "cust-v3" (visitor vN's customer; 50 tags each, over two pages of 20); the
// others go to the other sites in turn.
constexpr int kHistoryTags = 4000;
constexpr int kHistoryStride = 20;

void Check(bool ok, const std::string& what) {
  if (!ok) throw std::runtime_error(what);
}

void WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  Check(static_cast<bool>(out), "cannot write " + path.string());
}

std::string SiteId(int i) { return "s" + std::to_string(i); }

// `hundred_rules`: the routing benchmarks' 100 rules instead of this file's 3.
std::string SiteFile(int i, bool hundred_rules) {
  const std::string id = SiteId(i);
  const std::string routing =
      hundred_rules ? RoutingRulesText()
                    : "rule.1 = variable:membership_level == gold -> Gold Team\n"
                      "rule.2 = company in (Acme, Globex) and department != Sales -> Key "
                      "Accounts\n"
                      "rule.3 = email ends_with @example.org -> Internal " +
                          std::to_string(i) +
                          "\n"
                          "default = General\n";
  // Every third site optional, the others required: both read the session.
  return "[sso]\n"
         "enabled = true\n"
         "sign_in = " +
         std::string(i % 3 == 0 ? "optional" : "required") +
         "\n"
         "sp_entity_id = https://chat.example.com/sso/" +
         id +
         "/metadata\n"
         "acs_url = https://chat.example.com/sso/" +
         id +
         "/acs\n"
         "idp_entity_id = https://idp-" +
         id +
         ".example.org/saml2/idp/metadata.php\n"
         "idp_sign_in_url = https://idp-" +
         id +
         ".example.org/saml2/idp/SSOService.php\n"
         "idp_certificates = certs/" +
         id +
         "-idp.crt\n"
         "clock_skew_seconds = 120\n"
         "session_lifetime_seconds = 28800\n"
         "\n[mapping]\n"
         "name = displayName | urn:oid:2.16.840.1.113730.3.1.241\n"
         "email = mail\n"
         "company = company\n"
         "prechat:Account Number = accountNumber\n"
         "variable:membership_level = membership_level\n"
         "\n[routing]\n" +
         routing;
}

// The files of N sites, and a plugin serving them (for the hooks and the
// reload). Two platform files share the sites directory: load.ini names a
// database the load benchmark deletes before each Configure, serve.ini the
// one the serving plugin keeps.
struct Platform {
  int n = 0;
  testing::TempDir dir;
  std::unique_ptr<hooks::PluginImpl> serving;
  std::string middle;  ///< the ID of the site in the middle

  fs::path load_config() const { return dir.path() / "load.ini"; }
  fs::path serve_config() const { return dir.path() / "serve.ini"; }
  fs::path load_database() const { return dir.path() / "load.db"; }
  fs::path serve_database() const { return dir.path() / "serve.db"; }

  explicit Platform(int count) : n(count), middle(SiteId(count / 2)) {
    const std::array<const testing::TestKey*, 4> keys = {
        &testing::IdpRsaKey(), &testing::IdpRolloverKey(), &testing::IdpEcKey(),
        &testing::AttackerKey()};
    const fs::path sites = dir.path() / "sites";
    fs::create_directories(sites / "certs");
    WriteFile(load_config(), "[platform]\ndatabase = load.db\nsites = sites\n");
    WriteFile(serve_config(), "[platform]\ndatabase = serve.db\nsites = sites\n");
    for (int i = 0; i < n; ++i) {
      WriteFile(sites / (SiteId(i) + ".ini"), SiteFile(i, SiteId(i) == middle));
      WriteFile(sites / "certs" / (SiteId(i) + "-idp.crt"),
                keys[i % keys.size()]->certificate_pem());
    }
    {
      auto db = store::Database::Open(serve_database().string());
      Check(static_cast<bool>(db), db ? "" : db.error().message);
      AddSessions(*db);
      AddTranscripts(*db);
    }  // closed before the plugin opens it
    serving = std::make_unique<hooks::PluginImpl>();
    auto st = serving->Configure({serve_config().string(), testing::kTestNow});
    Check(static_cast<bool>(st), st ? "" : st.error().message);
    Check(serving->Describe().site_count == static_cast<std::uint32_t>(n),
          "the serving plugin does not have every site");
  }

  // Visitors v0..v3 of every site signed in (the same visitor IDs on every
  // site: each site's session is its own). The middle site's visitors are
  // of "Company 100": its 100 rules route them by the last one.
  void AddSessions(const std::shared_ptr<store::Database>& db) {
    for (int i = 0; i < n; ++i) {
      store::SessionRepository sessions(db, SiteId(i));
      for (int v = 0; v < kSessionsPerSite; ++v) {
        store::SsoSession s;
        s.visitor_id = "v" + std::to_string(v);
        s.customer_id = "cust-" + std::to_string(i) + "-" + std::to_string(v);
        s.name_id = s.customer_id;
        s.name_id_format = testing::kNameIdEmail;
        s.session_index = "_session-" + s.customer_id;
        s.idp_entity_id = "https://idp-" + SiteId(i) + ".example.org/saml2/idp/metadata.php";
        s.signed_in_at = testing::kTestNow;
        s.expires_at = testing::kTestNow + 8 * 3600;
        s.fields_json = SessionFieldsJson(SiteId(i) == middle ? "Company 100" : "Acme");
        s.attributes_json = R"({"mail":["alice@example.org"],"displayName":["Alice Liddell"]})";
        auto st = sessions.Upsert(s);
        Check(static_cast<bool>(st), st ? "" : st.error().message);
      }
    }
  }

  // The History tags (kHistoryTags), one transaction per site. Each tag
  // names its site's own IdP, as on a real platform: the IdP values History
  // looks up for every row (tag_values) grow with the sites that have tags.
  void AddTranscripts(const std::shared_ptr<store::Database>& db) {
    std::map<std::string, std::vector<store::TranscriptTag>> by_site;
    int other = 0;
    for (int k = 0; k < kHistoryTags; ++k) {
      std::string site = middle;
      if (k % kHistoryStride != 0 && n > 1) {
        site = SiteId(other++ % (n - 1));
        if (site == middle) site = SiteId(n - 1);  // every site but the middle one
      }
      store::TranscriptTag t;
      t.chat_id = "chat-" + std::to_string(k);
      t.transcript_id = "t-" + t.chat_id;
      t.visitor_id = "v" + std::to_string((k / kHistoryStride) % kSessionsPerSite);
      t.customer_id = "cust-" + t.visitor_id;
      t.idp_entity_id = "https://idp-" + site + ".example.org/saml2/idp/metadata.php";
      t.signed_in = true;
      t.team = "General";
      t.saved_at = testing::kTestNow - kHistoryTags + k;
      by_site[site].push_back(std::move(t));
    }
    for (const auto& [site, tags] : by_site) {
      auto st = store::TranscriptRepository(db, site).SaveAll(tags);
      Check(static_cast<bool>(st), st ? "" : st.error().message);
    }
  }

  // Made when a benchmark of this size first runs, kept for the process.
  static Platform& Get(int count) {
    static std::mutex mutex;
    static std::map<int, std::unique_ptr<Platform>> platforms;
    std::lock_guard lock(mutex);
    auto& p = platforms[count];
    if (!p) p = std::make_unique<Platform>(count);
    return *p;
  }
};

std::vector<int> Sizes() {
  if (GetFlags().smoke) return {3, 10};
  return {10, 100, 1000, 10000};
}

// VmRSS / VmHWM of this process in KiB (0 if /proc says nothing).
struct Memory {
  std::int64_t rss_kib = 0;
  std::int64_t hwm_kib = 0;
  std::int64_t heap_kib = 0;
};

Memory ReadMemory() {
  Memory m;
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    std::int64_t value = 0;
    if (key == "VmRSS:" && status >> value) m.rss_kib = value;
    if (key == "VmHWM:" && status >> value) m.hwm_kib = value;
    status.ignore(1 << 12, '\n');
  }
  const struct mallinfo2 heap = mallinfo2();
  m.heap_kib = static_cast<std::int64_t>((heap.uordblks + heap.hblkhd) / 1024);
  return m;
}

// Resets VmHWM to the current RSS (Linux >= 4.0; ignored where refused).
void ResetPeak() {
  std::ofstream clear("/proc/self/clear_refs");
  clear << "5";
}

void RemoveDatabase(const fs::path& db) {
  for (const char* suffix : {"", "-wal", "-shm"}) {
    std::error_code ec;
    fs::remove(db.string() + suffix, ec);
  }
}

void BM_Parse(benchmark::State& state) {
  Platform& p = Platform::Get(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto platform = config::LoadPlatform(p.load_config().string());
    if (!platform || platform->sites.size() != static_cast<std::size_t>(p.n) ||
        !platform->sites.front().settings) {
      state.SkipWithError("LoadPlatform did not load every site");
      break;
    }
  }
  state.counters["sites"] = p.n;
}

void BM_Load(benchmark::State& state) {
  Platform& p = Platform::Get(static_cast<int>(state.range(0)));
  double rss = 0;
  double peak = 0;
  double heap = 0;
  for (auto _ : state) {
    // Untimed: a fresh plugin and database, freed heap returned first.
    auto plugin = std::make_unique<hooks::PluginImpl>();
    RemoveDatabase(p.load_database());
    malloc_trim(0);
    ResetPeak();
    const Memory before = ReadMemory();
    const std::int64_t start = NowNs();
    const sdk::Status st = plugin->Configure({p.load_config().string(), testing::kTestNow});
    state.SetIterationTime(static_cast<double>(NowNs() - start) * 1e-9);
    const Memory after = ReadMemory();
    if (!st || plugin->Describe().site_count != static_cast<std::uint32_t>(p.n)) {
      state.SkipWithError(st ? "not every site was loaded" : st.error().message.c_str());
      break;
    }
    rss += static_cast<double>(after.rss_kib - before.rss_kib);
    peak += static_cast<double>(after.hwm_kib - before.rss_kib);
    heap += static_cast<double>(after.heap_kib - before.heap_kib);
    plugin.reset();  // closes the database: untimed
  }
  const double per_mib =
      static_cast<double>(std::max<benchmark::IterationCount>(1, state.iterations())) * 1024.0;
  state.counters["sites"] = p.n;
  state.counters["rss_mb"] = rss / per_mib;
  state.counters["peak_mb"] = peak / per_mib;
  state.counters["heap_mb"] = heap / per_mib;
}

void BM_Reload(benchmark::State& state) {
  Platform& p = Platform::Get(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const sdk::Status st = p.serving->Reload();
    if (!st) {
      state.SkipWithError(st.error().message.c_str());
      break;
    }
  }
  state.counters["sites"] = p.n;
}

sdk::Chat MiddleChat(const Platform& p) {
  sdk::Chat chat;
  chat.id = "chat-1";
  chat.site_id = p.middle;
  chat.return_url = "/chat";
  return chat;
}

void BM_ChatStart(benchmark::State& state) {
  Platform& p = Platform::Get(static_cast<int>(state.range(0)));
  sdk::Chat chat = MiddleChat(p);
  Latencies latencies;
  latencies.Reserve(1 << 20);
  int i = 0;
  for (auto _ : state) {
    chat.visitor.id = "v" + std::to_string(i++ % kSessionsPerSite);
    const std::int64_t start = NowNs();
    auto r = p.serving->ChatWillStart(chat);
    latencies.Add(NowNs() - start);
    if (!r || !r->signed_in) {
      state.SkipWithError("the visitor of the middle site is not signed in");
      break;
    }
  }
  latencies.Report(state);
  state.counters["sites"] = p.n;
}

void BM_VisitorInfo(benchmark::State& state) {
  Platform& p = Platform::Get(static_cast<int>(state.range(0)));
  sdk::Chat chat = MiddleChat(p);
  Latencies latencies;
  latencies.Reserve(1 << 20);
  int i = 0;
  for (auto _ : state) {
    chat.visitor.id = "v" + std::to_string(i++ % kSessionsPerSite);
    const std::int64_t start = NowNs();
    auto r = p.serving->VisitorInfoWillRender(chat);
    latencies.Add(NowNs() - start);
    if (!r || !r->info.verified) {
      state.SkipWithError("the visitor of the middle site is not verified");
      break;
    }
  }
  latencies.Report(state);
  state.counters["sites"] = p.n;
}

double Median(std::vector<std::int64_t>& ns) {
  if (ns.empty()) return 0;
  const auto mid = ns.begin() + static_cast<std::ptrdiff_t>(ns.size() / 2);
  std::nth_element(ns.begin(), mid, ns.end());
  return static_cast<double>(*mid) / 1000.0;
}

// A hook as BM_Paired calls it.
struct PairedHook {
  /// Untimed, just before each timed call, on the same plugin and chat: what
  /// a host does first (null: nothing). false: it failed.
  bool (*prepare)(hooks::PluginImpl& plugin, sdk::Chat& chat);
  /// The timed call. false: it did not see what the middle site's signed-in
  /// visitor should get.
  bool (*call)(hooks::PluginImpl& plugin, const sdk::Chat& chat);
};

void BM_Paired(benchmark::State& state, PairedHook hook) {
  const std::vector<int> sizes = Sizes();
  std::array<Platform*, 2> platforms = {&Platform::Get(sizes.front()),
                                        &Platform::Get(sizes.back())};
  std::array<sdk::Chat, 2> chats = {MiddleChat(*platforms[0]), MiddleChat(*platforms[1])};
  std::array<std::vector<std::int64_t>, 2> ns;
  for (auto& v : ns) v.reserve(1 << 20);
  int i = 0;
  bool ok = true;
  for (auto _ : state) {
    const std::string visitor = "v" + std::to_string(i % kSessionsPerSite);
    // Alternate which goes first, so neither always runs on a warmer cache.
    for (int k = 0; k < 2 && ok; ++k) {
      const int which = (i + k) % 2;
      hooks::PluginImpl& plugin = *platforms[which]->serving;
      chats[which].visitor.id = visitor;
      if (hook.prepare != nullptr) ok = hook.prepare(plugin, chats[which]);
      const std::int64_t start = NowNs();
      ok = ok && hook.call(plugin, chats[which]);
      ns[which].push_back(NowNs() - start);
    }
    ++i;
    if (!ok) {
      state.SkipWithError("the middle site's signed-in visitor was not served as expected");
      break;
    }
  }
  const double small = Median(ns[0]);
  const double large = Median(ns[1]);
  state.counters["sites_small"] = platforms[0]->n;
  state.counters["sites"] = platforms[1]->n;
  state.counters["small_p50_us"] = small;
  state.counters["p50_us"] = large;
  state.counters["x_small"] = small > 0 ? large / small : 0;
}

bool ChatStartSignedIn(hooks::PluginImpl& plugin, const sdk::Chat& chat) {
  auto r = plugin.ChatWillStart(chat);
  return r && r->signed_in;
}

bool VisitorInfoVerified(hooks::PluginImpl& plugin, const sdk::Chat& chat) {
  auto r = plugin.VisitorInfoWillRender(chat);
  return r && r->info.verified;
}

// A chat ID never used before (by either platform), as a host gives each chat.
bool NewChat(hooks::PluginImpl& /*plugin*/, sdk::Chat& chat) {
  static std::int64_t chats = 0;
  chat.id = "route-" + std::to_string(++chats);
  return true;
}

// The same, started on this node: ChatWillStart records its identity.
bool NewChatStarted(hooks::PluginImpl& plugin, sdk::Chat& chat) {
  return NewChat(plugin, chat) && ChatStartSignedIn(plugin, chat);
}

bool RoutedByLastRule(hooks::PluginImpl& plugin, const sdk::Chat& chat) {
  static const std::string last_team = "Team " + std::to_string(kRoutingRules);
  auto r = plugin.ChatWillBeRouted(chat);
  return r && r->team == last_team;
}

bool HistoryFullPage(hooks::PluginImpl& plugin, const sdk::Chat& chat) {
  sdk::HistoryQuery query;
  query.site_id = chat.site_id;
  query.customer_id = "cust-" + chat.visitor.id;
  query.limit = 20;
  auto page = plugin.SearchHistory(query);
  return page && page->rows.size() == 20;
}

}  // namespace

void RegisterSitesBenchmarks() {
  const double min_time = GetFlags().smoke ? 0.001 : 1.0;
  for (int n : Sizes()) {
    benchmark::RegisterBenchmark("sites/parse", BM_Parse)
        ->Arg(n)
        ->MinTime(min_time)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("sites/load", BM_Load)
        ->Arg(n)
        ->UseManualTime()
        ->MinTime(min_time)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("sites/reload", BM_Reload)
        ->Arg(n)
        ->MinTime(min_time)
        ->Unit(benchmark::kMillisecond);
    benchmark::RegisterBenchmark("sites/chat_start", BM_ChatStart)->Arg(n)->MinTime(min_time);
    benchmark::RegisterBenchmark("sites/visitor_info", BM_VisitorInfo)->Arg(n)->MinTime(min_time);
  }
  const std::pair<const char*, PairedHook> paired[] = {
      {"sites/paired/chat_start", {nullptr, &ChatStartSignedIn}},
      {"sites/paired/visitor_info", {nullptr, &VisitorInfoVerified}},
      {"sites/paired/routing", {&NewChatStarted, &RoutedByLastRule}},
      {"sites/paired/routing_cold", {&NewChat, &RoutedByLastRule}},
      {"sites/paired/history", {nullptr, &HistoryFullPage}},
  };
  for (const auto& [name, hook] : paired) {
    benchmark::RegisterBenchmark(name, BM_Paired, hook)->MinTime(min_time);
  }
}

}  // namespace vsso::bench
