// `sample-host ... info`: the smallest end-to-end check an admin can run after
// installing the plugin: handshake, configuration, and what the plugin reports.
#include <iostream>

#include "commands.hpp"
#include "exit_codes.hpp"
#include "plugin_session.hpp"
#include "report.hpp"

namespace sample_host {

namespace sdk = visitor_sso::sdk;

int RunInfoCommand(const GlobalOptions& options, std::span<const std::string> args) {
  if (!args.empty()) {
    Report(UsageFailure("info takes no arguments, got \"" + args.front() + "\""));
    return kExitUsage;
  }
  PluginSession session;
  sdk::ConfigureRequest request;
  request.config_path = options.config_path;
  if (auto failure = session.Open(options.plugin_path, request)) {
    Report(*failure);
    return failure->exit_code;
  }
  // Name, version and SDK come from the handshake (what the host actually
  // accepted); policy and counts from the configured plugin.
  const sdk::LoadedPlugin& loaded = session.loaded();
  const sdk::PluginDescription description = session.plugin().Describe();
  std::cout << "plugin: " << loaded.name << ' ' << loaded.version << '\n'
            << "sdk: " << loaded.sdk_major << '.' << loaded.sdk_minor << '\n'
            << "sign_in: " << description.sign_in_policy << '\n'
            << "certificates: " << description.certificate_count << '\n'
            << "mappings: " << description.mapping_count << '\n';
  // A platform of many websites: the lines above describe its default site
  // (empty without one); a single-site file keeps its five lines.
  if (description.site_count > 1) std::cout << "sites: " << description.site_count << '\n';
  std::cout.flush();
  if (!std::cout) {
    Report(Failure{kExitInternal, "cannot write output",
                   sdk::MakeError("host.output", "writing to standard output failed")});
    return kExitInternal;
  }
  return kExitOk;
}

}  // namespace sample_host
