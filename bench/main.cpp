// visitor_sso_bench: Google Benchmark's flags plus --vsso_responses=N,
// --vsso_history_rows=N and --vsso_smoke (see bench_support.hpp). The
// benchmarks are registered after the flags are read, because their sizes
// (unique responses per run, History rows, numbers of sites) depend on them.
#include "bench_support.hpp"
#include "saml/response_validator.hpp"

int main(int argc, char** argv) {
  vsso::bench::ParseFlags(&argc, argv);
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  vsso::saml::InitializeXmlLibraries();
  vsso::bench::RegisterConsumeBenchmarks();
  vsso::bench::RegisterHookBenchmarks();
  vsso::bench::RegisterSitesBenchmarks();
  benchmark::RunSpecifiedBenchmarks();
  vsso::bench::ReleaseHookBenchmarks();
  benchmark::Shutdown();
  return 0;
}
