#include "report.hpp"

#include <algorithm>
#include <iostream>
#include <utility>

#include "exit_codes.hpp"

namespace sample_host {
namespace {

std::string OneLine(std::string text) {
  std::replace_if(
      text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  return text;
}

}  // namespace

void Report(const Failure& failure) {
  std::cerr << "sample-host: " << OneLine(failure.what) << ": " << OneLine(failure.error.message)
            << " [" << OneLine(failure.error.code) << "]\n";
  std::cerr.flush();
}

Failure UsageFailure(std::string message) {
  return Failure{
      kExitUsage, "invalid command line",
      visitor_sso::sdk::MakeError("host.usage", std::move(message) + " (see sample-host --help)")};
}

}  // namespace sample_host
