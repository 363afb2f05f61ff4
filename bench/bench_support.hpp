// Shared pieces of the benchmark program: its own flags, the three response
// shapes of issue 15 and pools of unique signed responses, the bare xmlsec
// baseline, and a per-call latency recorder for medians.
#pragma once

#include <benchmark/benchmark.h>
#include <openssl/types.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace vsso::bench {

/// Flags of our own, taken off argv before Google Benchmark sees it.
struct Flags {
  /// Unique signed responses per store benchmark run (each is accepted once).
  int responses = 2000;
  /// Rows of transcript tags generated for the History benchmark.
  std::int64_t history_rows = 1'000'000;
  /// --vsso_smoke: tiny sizes, so CI checks that everything runs.
  bool smoke = false;
};
const Flags& GetFlags();
void ParseFlags(int* argc, char** argv);

enum class Shape {
  kTypical,     ///< ~5.7 KB, assertion signed, 6 attributes
  kBothSigned,  ///< the same content, Response and Assertion both signed
  kLarge,       ///< ~40 KB, assertion signed, 100 attributes
};
const char* ShapeName(Shape shape);
inline constexpr Shape kShapes[] = {Shape::kTypical, Shape::kBothSigned, Shape::kLarge};

/// One signed response as the IdP posts it.
struct SignedResponse {
  std::string xml;
  std::string base64;      ///< the SAMLResponse form value
  std::string request_id;  ///< InResponseTo
  std::string assertion_id;
};

/// Unique responses of one shape (fresh IDs, own signatures), made once and
/// reused by every benchmark on a fresh database. Thread-safe.
class ResponsePool {
 public:
  /// The pool of `shape`, holding at least `count` responses answering the
  /// test IdP's kRequestId.
  static const ResponsePool& Get(Shape shape, std::size_t count);
  /// `count` responses of the typical shape, each answering its own request
  /// ID (for the ACS benchmark, whose pending sign-ins must be distinct).
  static std::vector<SignedResponse> WithOwnRequestIds(std::size_t count);

  const SignedResponse& at(std::size_t i) const { return responses_[i % responses_.size()]; }
  std::size_t size() const { return responses_.size(); }

 private:
  std::vector<SignedResponse> responses_;
};

SignedResponse MakeResponse(Shape shape, const std::string& request_id);

/// The floor set by xmlsec itself: parse, register the signed elements' IDs,
/// verify each signature (one, or Response and Assertion) with the pinned IdP
/// key adopted into a fresh xmlsec key. false: not verified.
bool BareVerify(const std::string& xml, bool both_signed);
/// The same with the pinned key `pkey` (bench/verify/bare_verify.cpp reads
/// it from the IdP's certificate file).
bool BareVerify(const std::string& xml, bool both_signed, EVP_PKEY* pkey);

/// Wall-clock duration of each call, for medians and tails.
class Latencies {
 public:
  void Reserve(std::size_t n) { ns_.reserve(n); }
  void Add(std::int64_t ns) { ns_.push_back(ns); }
  /// Sets counters p50_us, p99_us on `state` (nothing if empty).
  void Report(benchmark::State& state);

 private:
  std::vector<std::int64_t> ns_;
};
std::int64_t NowNs();

/// The routing benchmarks' rule set (hooks_bench, sites_bench), as a
/// [routing] section's lines: rule.<n> = company == Company <n> and
/// variable:membership_level != bronze -> Team <n>, for n = 1..kRoutingRules,
/// then default = General. A visitor of SessionFieldsJson("Company 100") is
/// routed by the last rule only.
inline constexpr int kRoutingRules = 100;
std::string RoutingRulesText();
/// A signed-in visitor's fields, as the ACS stores them in a session (name,
/// email, `company`, a pre-chat answer and a custom variable).
std::string SessionFieldsJson(const std::string& company);

void RegisterConsumeBenchmarks();
void RegisterHookBenchmarks();
/// Destroys the hook benchmarks' fixtures (their deployments and databases);
/// after RunSpecifiedBenchmarks.
void ReleaseHookBenchmarks();
void RegisterSitesBenchmarks();

/// The PostgreSQL server of the *_pg benchmarks (registered only when set):
/// VSSO_BENCH_POSTGRES_URI, else VSSO_TEST_POSTGRES_URI (scripts/postgres run).
std::string BenchPostgresUri();

/// A fresh database on the benchmark's PostgreSQL server, dropped when this
/// object ends, so every run starts from an empty store as the SQLite runs
/// do. Throws std::runtime_error when the server refuses.
class PgDatabase {
 public:
  PgDatabase();
  ~PgDatabase();
  PgDatabase(const PgDatabase&) = delete;
  PgDatabase& operator=(const PgDatabase&) = delete;
  const std::string& uri() const { return uri_; }

 private:
  std::string server_;
  std::string name_;
  std::string uri_;
};

}  // namespace vsso::bench
