// visitor_sso_verify_responses: the input of `scripts/bench --verify` (issue
// 15's independent measurement of `visitor-sso-admin verify`). Writes into
// OUT_DIR:
//   deployment/   the test deployment's files (support/deployment.hpp: INI
//                 config, IdP certificate, SP keys), no database: the runner
//                 copies it afresh for each verify run, since the replay
//                 cache accepts each response once
//   responses/    N unique signed responses of the benchmark's 5.7 KB shape
//                 (bench_support's MakeResponse: test IdP key, own response
//                 and assertion IDs, answering the test IdP's kRequestId at
//                 kTestNow), one XML file each
//   run.env       REQUEST_ID and NOW (RFC 3339) to pass to verify
//   visitor_sso_verify_responses --responses=N OUT_DIR
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <string>

#include "../bench_support.hpp"
#include "common/time.hpp"
#include "saml/response_validator.hpp"
#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace fs = std::filesystem;

int main(int argc, char** argv) {
  long n = 3000;
  std::string out;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--responses=", 0) == 0) {
      n = std::atol(arg.c_str() + 12);
    } else if (!arg.empty() && arg[0] != '-' && out.empty()) {
      out = arg;
    } else {
      std::cerr << "usage: visitor_sso_verify_responses [--responses=N] OUT_DIR\n";
      return 2;
    }
  }
  if (out.empty() || n < 1) {
    std::cerr << "usage: visitor_sso_verify_responses [--responses=N] OUT_DIR\n";
    return 2;
  }
  vsso::saml::InitializeXmlLibraries();
  const fs::path dir(out);
  fs::create_directories(dir / "responses");
  {
    vsso::testing::Deployment deployment;
    fs::create_directories(dir / "deployment");
    for (const auto& entry : fs::directory_iterator(deployment.dir())) {
      if (entry.path().extension() == ".db") continue;
      fs::copy(entry.path(), dir / "deployment" / entry.path().filename(),
               fs::copy_options::overwrite_existing | fs::copy_options::recursive);
    }
  }
  const int width = static_cast<int>(std::to_string(n).size());
  for (long i = 0; i < n; ++i) {
    const auto r =
        vsso::bench::MakeResponse(vsso::bench::Shape::kTypical, vsso::testing::kRequestId);
    std::string name = std::to_string(i);
    name.insert(0, static_cast<std::size_t>(width) - name.size(), '0');
    std::ofstream f(dir / "responses" / ("r" + name + ".xml"), std::ios::binary);
    f << r.xml;
    if (!f) {
      std::cerr << "cannot write into " << (dir / "responses").string() << "\n";
      return 1;
    }
  }
  std::ofstream env(dir / "run.env");
  // Ten seconds into the responses' validity (they are issued at kTestNow,
  // with a five-minute NotOnOrAfter), so every one holds for the whole run.
  env << "REQUEST_ID=" << vsso::testing::kRequestId << "\n"
      << "NOW=" << vsso::time::FormatUtc(vsso::testing::kTestNow + 10) << "\n";
  std::cout << "wrote " << n << " responses and a deployment into " << dir.string() << "\n";
  return env ? 0 : 1;
}
