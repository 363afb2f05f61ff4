// A plugin loaded through the host SDK loader (ABI handshake included) and
// configured, the way a chat platform holds it. sample-host knows the plugin
// only through the host SDK: nothing from plugin/ is included here.
//
// Lifetime: Shutdown is called exactly once when the session ends, as the SDK
// asks, even when Configure failed; then the plugin (and its library) is
// dropped. Threading: one thread opens and closes a session; hooks may be
// called from any thread in between (the SDK allows it after Configure).
#pragma once

#include <optional>
#include <string>

#include "report.hpp"
#include "visitor_sso/sdk/loader.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace sample_host {

class PluginSession {
 public:
  PluginSession() = default;
  ~PluginSession();
  PluginSession(const PluginSession&) = delete;
  PluginSession& operator=(const PluginSession&) = delete;

  /// Loads the plugin at `plugin_path` and configures it with `request`.
  /// Returns nothing on success, otherwise the failure to report:
  /// kExitPluginRefused ("cannot load plugin") or kExitConfigRejected
  /// ("configuration rejected"). Call at most once per session.
  std::optional<Failure> Open(const std::string& plugin_path,
                              const visitor_sso::sdk::ConfigureRequest& request);

  /// What the loader learnt in the handshake. Valid after a successful Open.
  const visitor_sso::sdk::LoadedPlugin& loaded() const { return loaded_; }
  /// The configured plugin. Valid after a successful Open.
  visitor_sso::sdk::Plugin& plugin() const { return *loaded_.plugin; }

 private:
  visitor_sso::sdk::LoadedPlugin loaded_;
};

}  // namespace sample_host
