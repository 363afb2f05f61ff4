// The host-sdk implementation: thin glue from each hook to the plugin's parts.
//
// Every hook first finds its chat's site (Chat::site_id, "" = default) in
// the loaded Sites and then works with that site's Runtime only.
//
// Threading: hooks read an immutable Sites snapshot taken under a mutex;
// Configure/Reload swap the snapshot, so a hook sees the old or the new
// configuration, never a mix.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "hooks/chat_identity_cache.hpp"
#include "hooks/metadata_refresher.hpp"
#include "hooks/sites.hpp"
#include "visitor_sso/sdk/plugin.hpp"

namespace vsso::hooks {

class PluginImpl final : public visitor_sso::sdk::Plugin {
 public:
  PluginImpl();
  /// Tests: the metadata refresher's tick and clock (default: a minute, and
  /// the plugin's own clock). The fetch schedule's one-minute floor holds
  /// either way (hooks/idp_metadata_source.hpp).
  struct RefresherTiming {
    std::chrono::milliseconds tick{std::chrono::seconds(60)};
    std::function<UnixSeconds()> now;  ///< empty: the plugin's clock
  };
  explicit PluginImpl(RefresherTiming timing);
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
  /// What a hook knows about its chat's site.
  struct SiteRef {
    std::shared_ptr<const Sites> sites;  ///< keeps `site` alive; null if unconfigured
    const Site* site = nullptr;          ///< null: unknown site or no configuration
    /// The site's serving configuration; null when it has none, then `error`
    /// says why and `intended_policy` what the admin asked for.
    const Runtime* runtime = nullptr;
    visitor_sso::sdk::Error error;
    std::optional<config::SignInPolicy> intended_policy;
  };
  SiteRef Resolve(std::string_view site_id) const;
  UnixSeconds Now() const;

  mutable std::mutex mutex_;
  std::shared_ptr<const Sites> sites_;
  /// IdP metadata by URL: the one background thread (started at Configure,
  /// stopped by Shutdown and the destructor before the Sites go).
  std::unique_ptr<MetadataRefresher> refresher_;
  visitor_sso::sdk::ConfigureRequest request_;
  /// Why no configuration is loaded at all (empty once one is).
  visitor_sso::sdk::Error config_error_{"plugin.not_configured", "Configure has not been called"};
  /// The sign-in policy an unloadable single-site file asked for, if readable.
  std::optional<config::SignInPolicy> intended_policy_;
  /// What each chat ChatWillStart saw signed in was started with, for
  /// ChatWillBeRouted (bounds, keys and the multi-node bound:
  /// hooks/chat_identity_cache.hpp). Internally synchronised.
  ChatIdentityCache identities_;
};

}  // namespace vsso::hooks
