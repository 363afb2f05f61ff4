// The consume path of the ACS against the floor set by xmlsec itself (issue
// 15), for three response shapes:
//   bare/<shape>           parse + pinned-key verification of the same bytes, nothing else
//   nostore/<shape>        decode, parse, verify, every rule, customer ID, mapping and the
//                          session's JSON: everything but SQLite
//   store/<shape>          decode + hooks::ConsumeResponse on the deployment's SQLite file:
//                          parse, verify, every rule, the replay insert, the audit record,
//                          customer ID and mapping (issue 15's "full consume")
//   store_session/<shape>  the same plus the session's JSON and its upsert: all the ACS does
//                          once the RelayState is taken (a second write transaction)
//   acs/typical_5k         the whole POST /sso/acs through HandleSsoRequest (form, RelayState
//                          taken, browser binding, consume, session, 303)
// One thread: every iteration first runs bare on the same bytes, then the
// path measured, each timed on its own (thread CPU time and wall time), so
// the ratio x_bare compares the two under the same load: this machine is
// shared and its speed drifts by tens of percent within minutes. Store runs
// add the CPU time of the database's own thread (checkpoints, batched audit
// records) to their own.
// "threads:2" variants run two threads on one deployment (wall-clock
// throughput, no pairing). scripts/bench turns the JSON output into tables.
#include <time.h>

#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "bench_support.hpp"
#include "common/url.hpp"
#include "hooks/browser_binding.hpp"
#include "hooks/http_endpoints.hpp"
#include "hooks/runtime.hpp"
#include "hooks/sign_in_service.hpp"
#include "store/request_store.hpp"
#include "store/session_repository.hpp"
#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace vsso::bench {
namespace {

namespace sdk = visitor_sso::sdk;

enum class Engine { kSqlite, kPostgres };

// A deployment of the test SP (temp dir, config, a fresh SQLite file or
// PostgreSQL database) and the Runtime the plugin builds from it.
struct Site {
  testing::Deployment deployment;
  std::unique_ptr<PgDatabase> pg;  // outlives rt (members go in reverse order)
  std::shared_ptr<hooks::Runtime> rt;

  explicit Site(Engine engine = Engine::kSqlite) {
    if (engine == Engine::kPostgres) {
      pg = std::make_unique<PgDatabase>();
      std::ifstream in(deployment.config());
      std::stringstream text;
      text << in.rdbuf();
      std::string config = text.str();
      const std::string line = "database = visitor-sso.db\n";
      const auto at = config.find(line);
      if (at == std::string::npos) throw std::runtime_error("no database line in the config");
      config.replace(at, line.size(), "database = " + pg->uri() + "\n");
      std::ofstream(deployment.config()) << config;
    }
    auto built = hooks::Runtime::Build(deployment.config().string(), testing::kTestNow);
    if (!built) throw std::runtime_error(built.error().code + ": " + built.error().message);
    rt = std::move(*built);
  }
};

// The session the ACS stores for an accepted sign-in (hooks::SessionOf,
// the mapped fields and attributes as JSON): part of every acceptance.
store::SsoSession SessionFor(const hooks::Runtime& rt, const hooks::SignIn& sign_in,
                             std::string visitor_id) {
  store::SsoSession session = hooks::SessionOf(rt, sign_in);
  session.visitor_id = std::move(visitor_id);
  return session;
}

// Replay is not what nostore measures: every assertion counts as first use.
class AlwaysFirstUse : public saml::ReplayGuard {
 public:
  Result<bool> FirstUse(const std::string&, const std::string&, UnixSeconds, UnixSeconds) override {
    return true;
  }
};

// Counters are summed over threads: one thread reports the size.
void SetBytes(benchmark::State& state, const ResponsePool& pool) {
  if (state.thread_index() == 0)
    state.counters["bytes"] = static_cast<double>(pool.at(0).xml.size());
}

std::int64_t ThreadCpuNs() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<std::int64_t>(ts.tv_sec) * 1'000'000'000 + ts.tv_nsec;
}

// Bare and the measured path of one iteration, timed apart (one thread only).
class Paired {
 public:
  explicit Paired(benchmark::State& state) : state_(state), on_(state.threads() == 1) {}

  void Bare(const SignedResponse& response, bool both_signed) {
    if (!on_) return;
    const std::int64_t wall = NowNs();
    const std::int64_t cpu = ThreadCpuNs();
    if (!BareVerify(response.xml, both_signed)) state_.SkipWithError("bare verification failed");
    bare_cpu_ += ThreadCpuNs() - cpu;
    bare_wall_ += NowNs() - wall;
  }
  void Start() {
    if (!on_) return;
    wall_start_ = NowNs();
    cpu_start_ = ThreadCpuNs();
  }
  void Stop() {
    if (!on_) return;
    const std::int64_t cpu = ThreadCpuNs() - cpu_start_;
    const std::int64_t wall = NowNs() - wall_start_;
    cpu_ += cpu;
    wall_ += wall;
    state_.SetIterationTime(static_cast<double>(wall) * 1e-9);
  }
  /// CPU spent elsewhere on behalf of the measured path (the checkpointer).
  void AddCpu(std::int64_t ns) { cpu_ += ns; }

  void Report() {
    const auto n = static_cast<double>(state_.iterations());
    if (!on_ || n == 0 || bare_cpu_ == 0 || bare_wall_ == 0) return;
    state_.counters["bare_cpu_us"] = static_cast<double>(bare_cpu_) / n / 1000;
    state_.counters["cpu_us"] = static_cast<double>(cpu_) / n / 1000;
    state_.counters["x_bare"] = static_cast<double>(cpu_) / static_cast<double>(bare_cpu_);
    state_.counters["bare_wall_us"] = static_cast<double>(bare_wall_) / n / 1000;
    state_.counters["wall_us"] = static_cast<double>(wall_) / n / 1000;
    state_.counters["wall_x_bare"] = static_cast<double>(wall_) / static_cast<double>(bare_wall_);
  }

 private:
  benchmark::State& state_;
  bool on_;
  std::int64_t bare_cpu_ = 0;
  std::int64_t bare_wall_ = 0;
  std::int64_t cpu_ = 0;
  std::int64_t wall_ = 0;
  std::int64_t wall_start_ = 0;
  std::int64_t cpu_start_ = 0;
};

void BM_Bare(benchmark::State& state, Shape shape) {
  const ResponsePool& pool = ResponsePool::Get(shape, GetFlags().responses);
  const bool both = shape == Shape::kBothSigned;
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    const bool ok = BareVerify(pool.at(i).xml, both);
    if (!ok) state.SkipWithError("bare verification failed");
    i += static_cast<std::size_t>(state.threads());
  }
  SetBytes(state, pool);
}

std::shared_ptr<Site> g_nostore_site;

void BM_NoStore(benchmark::State& state, Shape shape) {
  const ResponsePool& pool = ResponsePool::Get(shape, GetFlags().responses);
  if (state.thread_index() == 0) g_nostore_site = std::make_shared<Site>();
  AlwaysFirstUse replay;
  Paired paired(state);
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    const hooks::Runtime& rt = *g_nostore_site->rt;
    paired.Bare(pool.at(i), shape == Shape::kBothSigned);
    paired.Start();
    std::string decoded;
    auto xml = hooks::DecodeResponseInput(pool.at(i).base64, decoded);
    if (!xml) {
      state.SkipWithError(xml.error().code.c_str());
      break;
    }
    hooks::SignInAttempt attempt{*xml, std::string(testing::kRequestId), "visitor", "192.0.2.1"};
    const saml::ValidationContext ctx = hooks::MakeValidationContext(rt, attempt, &replay);
    auto identity = saml::ValidateResponse(*xml, ctx);
    if (!identity) {
      state.SkipWithError(identity.error().code.c_str());
      break;
    }
    auto customer = identity::CustomerId(*identity, rt.settings.customer_id_attribute);
    if (!customer) {
      state.SkipWithError(customer.error().code.c_str());
      break;
    }
    hooks::SignIn sign_in{std::move(*identity), std::move(*customer), {}};
    sign_in.mapping = identity::MapAttributes(rt.settings.mappings, sign_in.identity.attributes);
    benchmark::DoNotOptimize(SessionFor(rt, sign_in, "visitor"));
    paired.Stop();
    i += static_cast<std::size_t>(state.threads());
  }
  SetBytes(state, pool);
  paired.Report();
  if (state.thread_index() == 0) g_nostore_site.reset();
}

// What the database's own thread did for the run (checkpoints, batches of
// audit records): its CPU time counts as the path's own.
void ReportBackground(benchmark::State& state, const store::Database& db,
                      const store::Database::Stats& before, Paired& paired) {
  const store::Database::Stats after = db.stats();
  paired.AddCpu(after.background_cpu_ns - before.background_cpu_ns);
  state.counters["checkpoints"] = static_cast<double>(after.checkpoints - before.checkpoints);
  state.counters["batches"] = static_cast<double>(after.batches - before.batches);
  // Per response (all threads): the store thread's CPU, and how long writers
  // waited for / held the writer mutex, the part threads cannot share.
  const double n = static_cast<double>(state.iterations()) * state.threads();
  if (n > 0) {
    state.counters["background_us"] =
        static_cast<double>(after.background_cpu_ns - before.background_cpu_ns) / 1000 / n;
    state.counters["write_wait_us"] =
        static_cast<double>(after.write_wait_ns - before.write_wait_ns) / 1000 / n;
    state.counters["write_hold_us"] =
        static_cast<double>(after.write_hold_ns - before.write_hold_ns) / 1000 / n;
    if (after.transactions > before.transactions) {
      state.counters["writes_per_txn"] =
          static_cast<double>(after.writes - before.writes) /
          static_cast<double>(after.transactions - before.transactions);
    }
  }
}

std::shared_ptr<Site> g_store_site;

void BM_Store(benchmark::State& state, Shape shape, bool with_session, Engine engine) {
  const ResponsePool& pool = ResponsePool::Get(shape, GetFlags().responses);
  if (state.thread_index() == 0) g_store_site = std::make_shared<Site>(engine);
  const std::string prefix = "visitor-" + std::to_string(state.thread_index()) + "-";
  Paired paired(state);
  store::Database::Stats before;
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    const hooks::Runtime& rt = *g_store_site->rt;
    if (i < static_cast<std::size_t>(state.threads())) before = rt.db->stats();
    paired.Bare(pool.at(i), shape == Shape::kBothSigned);
    paired.Start();
    // Each response is accepted once per database: the pool must be as
    // large as the run (iterations are fixed to its size at registration).
    std::string decoded;
    auto xml = hooks::DecodeResponseInput(pool.at(i).base64, decoded);
    if (!xml) {
      state.SkipWithError(xml.error().code.c_str());
      break;
    }
    const std::string visitor = prefix + std::to_string(i);
    auto sign_in = hooks::ConsumeResponse(
        rt, hooks::SignInAttempt{*xml, std::string(testing::kRequestId), visitor, "192.0.2.1"});
    if (!sign_in) {
      state.SkipWithError((sign_in.error().code + ": " + sign_in.error().message).c_str());
      break;
    }
    if (with_session) {
      if (auto st = store::SessionRepository(rt.db, rt.settings.site_id)
                        .Upsert(SessionFor(rt, *sign_in, visitor));
          !st) {
        state.SkipWithError(st.error().message.c_str());
        break;
      }
    }
    paired.Stop();
    i += static_cast<std::size_t>(state.threads());
  }
  SetBytes(state, pool);
  // Thread 0 only: the others must not touch the site it is about to drop.
  if (state.thread_index() == 0) {
    ReportBackground(state, *g_store_site->rt->db, before, paired);
    paired.Report();
    g_store_site.reset();
  }
}

// The whole ACS: pending sign-ins are stored first (not timed), each bound
// to a browser cookie of its own, as /sso/login would store them.
struct AcsRun {
  Site site;
  std::vector<sdk::HttpRequest> posts;
};
std::shared_ptr<AcsRun> g_acs;

const std::vector<SignedResponse>& AcsResponses() {
  static const std::vector<SignedResponse> responses =
      ResponsePool::WithOwnRequestIds(static_cast<std::size_t>(GetFlags().responses));
  return responses;
}

std::shared_ptr<AcsRun> PrepareAcs() {
  auto run = std::make_shared<AcsRun>();
  const hooks::Runtime& rt = *run->site.rt;
  const auto& responses = AcsResponses();
  store::RequestStore requests(rt.db, rt.settings.site_id);
  for (std::size_t i = 0; i < responses.size(); ++i) {
    auto cookie = hooks::RandomToken();
    auto relay_state = hooks::RandomToken();
    if (!cookie || !relay_state) throw std::runtime_error("no random token");
    store::PendingRequest p;
    p.request_id = responses[i].request_id;
    p.relay_state = *relay_state;
    p.visitor_id = "acs-visitor-" + std::to_string(i);
    p.return_url = "/chat";
    p.browser_hash = hooks::Sha256Hex(*cookie);
    p.created_at = rt.Now();
    p.expires_at = rt.Now() + 600;
    if (auto st = requests.Save(p, rt.Now(), rt.settings.max_pending_sign_ins); !st) {
      throw std::runtime_error(st.error().message);
    }
    sdk::HttpRequest post;
    post.method = "POST";
    post.path = "/sso/acs";
    post.headers = {{"Content-Type", "application/x-www-form-urlencoded"},
                    {"Cookie", "vsso_browser=" + *cookie}};
    post.body = "SAMLResponse=" + url::EncodeQueryValue(responses[i].base64) +
                "&RelayState=" + url::EncodeQueryValue(*relay_state);
    post.visitor_id = p.visitor_id;
    post.remote_address = "192.0.2.1";
    run->posts.push_back(std::move(post));
  }
  return run;
}

void BM_Acs(benchmark::State& state) {
  if (state.thread_index() == 0) g_acs = PrepareAcs();
  Paired paired(state);
  store::Database::Stats before;
  std::size_t i = static_cast<std::size_t>(state.thread_index());
  for (auto _ : state) {
    if (i < static_cast<std::size_t>(state.threads())) {
      before = g_acs->site.rt->db->stats();
    }
    paired.Bare(AcsResponses().at(i), false);
    paired.Start();
    const sdk::HttpResponse r = hooks::HandleSsoRequest(*g_acs->site.rt, "acs", g_acs->posts.at(i));
    paired.Stop();
    if (r.status != 303) {
      state.SkipWithError(("ACS answered " + std::to_string(r.status)).c_str());
      break;
    }
    i += static_cast<std::size_t>(state.threads());
  }
  if (state.thread_index() == 0) {
    ReportBackground(state, *g_acs->site.rt->db, before, paired);
    paired.Report();
  }
  if (state.thread_index() == 0) {
    state.counters["bytes"] = static_cast<double>(AcsResponses().at(0).xml.size());
  }
  if (state.thread_index() == 0) g_acs.reset();
}

}  // namespace

void RegisterConsumeBenchmarks() {
  const int n = GetFlags().responses;
  const double min_time = GetFlags().smoke ? 0.001 : 1.0;
  // One thread: manual time (the measured part of each paired iteration);
  // two threads: wall-clock time of the whole run.
  auto timing = [](benchmark::internal::Benchmark* b, int threads) {
    b->Threads(threads);
    if (threads == 1) {
      b->UseManualTime();
    } else {
      b->UseRealTime();
    }
    return b;
  };
  for (Shape shape : kShapes) {
    const std::string name = ShapeName(shape);
    // Made here, outside every timed region.
    ResponsePool::Get(shape, static_cast<std::size_t>(n));
    for (int threads : {1, 2}) {
      benchmark::RegisterBenchmark(("bare/" + name).c_str(), BM_Bare, shape)
          ->Threads(threads)
          ->UseRealTime()
          ->MinTime(min_time);
      timing(benchmark::RegisterBenchmark(("nostore/" + name).c_str(), BM_NoStore, shape), threads)
          ->MinTime(min_time);
      // Every response once: a fixed number of iterations, split over the threads.
      timing(benchmark::RegisterBenchmark(("store/" + name).c_str(), BM_Store, shape, false,
                                          Engine::kSqlite),
             threads)
          ->Iterations(std::max(1, n / threads));
      timing(benchmark::RegisterBenchmark(("store_session/" + name).c_str(), BM_Store, shape, true,
                                          Engine::kSqlite),
             threads)
          ->Iterations(std::max(1, n / threads));
      // The same on PostgreSQL over loopback, when a server is given.
      if (BenchPostgresUri().empty()) continue;
      timing(benchmark::RegisterBenchmark(("store_pg/" + name).c_str(), BM_Store, shape, false,
                                          Engine::kPostgres),
             threads)
          ->Iterations(std::max(1, n / threads));
      if (shape != Shape::kTypical) continue;
      timing(benchmark::RegisterBenchmark(("store_session_pg/" + name).c_str(), BM_Store, shape,
                                          true, Engine::kPostgres),
             threads)
          ->Iterations(std::max(1, n / threads));
    }
  }
  AcsResponses();
  for (int threads : {1, 2}) {
    timing(benchmark::RegisterBenchmark("acs/typical_5k", BM_Acs), threads)
        ->Iterations(std::max(1, n / threads));
  }
}

}  // namespace vsso::bench
