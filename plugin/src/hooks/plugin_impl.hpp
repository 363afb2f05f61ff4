// The host-sdk implementation: thin glue from each hook to the plugin's parts.
#pragma once

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
  visitor_sso::sdk::Expected<visitor_sso::sdk::HttpResponse> HandleHttp(
      const visitor_sso::sdk::HttpRequest& request) noexcept override;
};

}  // namespace vsso::hooks
