#include "hooks/plugin_impl.hpp"

namespace vsso::hooks {

namespace sdk = visitor_sso::sdk;

PluginImpl::PluginImpl() = default;
PluginImpl::~PluginImpl() = default;

sdk::Status PluginImpl::Configure(const sdk::ConfigureRequest&) noexcept {
  return sdk::MakeError("plugin.not_configured", "not implemented");
}
sdk::Status PluginImpl::Reload() noexcept {
  return sdk::MakeError("plugin.not_configured", "not implemented");
}
void PluginImpl::Shutdown() noexcept {}
sdk::PluginDescription PluginImpl::Describe() const noexcept { return {}; }
sdk::Expected<sdk::ChatStartResult> PluginImpl::ChatWillStart(const sdk::Chat&) noexcept {
  return sdk::ChatStartResult{};
}
sdk::Expected<sdk::PrechatResult> PluginImpl::PrechatSurveyWillShow(const sdk::Chat&) noexcept {
  return sdk::PrechatResult{};
}
sdk::Expected<sdk::VisitorInfo> PluginImpl::VisitorInfoWillRender(const sdk::Chat&) noexcept {
  return sdk::VisitorInfo{};
}
sdk::Expected<sdk::RoutingResult> PluginImpl::ChatWillBeRouted(const sdk::Chat&) noexcept {
  return sdk::RoutingResult{};
}
sdk::Expected<sdk::TranscriptTags> PluginImpl::TranscriptWillBeSaved(const sdk::Chat&,
                                                                     const std::string&,
                                                                     const std::string&) noexcept {
  return sdk::TranscriptTags{};
}
sdk::Expected<sdk::HttpResponse> PluginImpl::HandleHttp(const sdk::HttpRequest&) noexcept {
  return sdk::HttpResponse{404, {}, "not found", {}};
}

}  // namespace vsso::hooks
