// The host-sdk implementation: thin glue from each hook to the plugin's parts.
//
// Threading: hooks read an immutable Runtime snapshot taken under a mutex;
// Configure/Reload swap the snapshot, so a hook sees the old or the new
// configuration, never a mix.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "hooks/runtime.hpp"
#include "visitor_sso/sdk/plugin.hpp"

namespace vsso::hooks {

class PluginImpl final : public visitor_sso::sdk::Plugin {
 public:
  PluginImpl();
  ~PluginImpl() override;

  visitor_sso::sdk::Status Configure(
      const visitor_sso::sdk::ConfigureRequest& request) noexcept override;
  visitor_sso::sdk::Status Reload() noexcept override;
  void Shutdown() noexcept override;
  visitor_sso::sdk::PluginDescription Describe() const noexcept override;

  visitor_sso::sdk::Expected<visitor_sso::sdk::ChatStartResult> ChatWillStart(
      const visitor_sso::sdk::Chat& chat) noexcept override;
  visitor_sso::sdk::Expected<visitor_sso::sdk::PrechatResult> PrechatSurveyWillShow(
      const visitor_sso::sdk::Chat& chat) noexcept override;
  visitor_sso::sdk::Expected<visitor_sso::sdk::VisitorInfo> VisitorInfoWillRender(
      const visitor_sso::sdk::Chat& chat) noexcept override;
  visitor_sso::sdk::Expected<visitor_sso::sdk::RoutingResult> ChatWillBeRouted(
      const visitor_sso::sdk::Chat& chat) noexcept override;
  visitor_sso::sdk::Expected<visitor_sso::sdk::TranscriptTags> TranscriptWillBeSaved(
      const visitor_sso::sdk::Chat& chat, const std::string& transcript_id,
      const std::string& team) noexcept override;
  visitor_sso::sdk::Expected<visitor_sso::sdk::HistoryPage> SearchHistory(
      const visitor_sso::sdk::HistoryQuery& query) noexcept override;
  visitor_sso::sdk::Expected<visitor_sso::sdk::HttpResponse> HandleHttp(
      const visitor_sso::sdk::HttpRequest& request) noexcept override;
  visitor_sso::sdk::Expected<visitor_sso::sdk::AdminOverview> GetAdminOverview(
      const visitor_sso::sdk::AdminOverviewQuery& query) const noexcept override;

 private:
  std::shared_ptr<const Runtime> Snapshot() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const Runtime> runtime_;
  visitor_sso::sdk::ConfigureRequest request_;
  /// Why the plugin is not configured (empty once it is).
  visitor_sso::sdk::Error config_error_{"plugin.not_configured", "Configure has not been called"};
  /// The sign-in policy a refused configuration asked for, if readable.
  std::optional<config::SignInPolicy> intended_policy_;
};

}  // namespace vsso::hooks
