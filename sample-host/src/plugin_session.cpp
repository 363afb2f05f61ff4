#include "plugin_session.hpp"

#include <utility>

#include "exit_codes.hpp"

namespace sample_host {

namespace sdk = visitor_sso::sdk;

PluginSession::~PluginSession() {
  if (loaded_.plugin) {
    loaded_.plugin->Shutdown();
  }
}

std::optional<Failure> PluginSession::Open(const std::string& plugin_path,
                                           const sdk::ConfigureRequest& request) {
  auto loaded = sdk::LoadPlugin(plugin_path);
  if (!loaded) {
    return Failure{kExitPluginRefused, "cannot load plugin", std::move(loaded).error()};
  }
  loaded_ = std::move(loaded).value();
  sdk::Status configured = loaded_.plugin->Configure(request);
  if (!configured) {
    return Failure{kExitConfigRejected, "configuration rejected", std::move(configured).error()};
  }
  return std::nullopt;
}

}  // namespace sample_host
