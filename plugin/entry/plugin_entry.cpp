// What the plugin's shared object exports: visitor_sso_abi_info and the
// vsso_* functions of visitor_sso/abi.h, nothing else (exports.map and
// -fvisibility=hidden keep Boost, the standard library and our own C++
// internal). Each function translates abi.h to and from hooks::PluginImpl,
// the C++ implementation, and catches everything: no exception unwinds into
// the host.
#include <atomic>
#include <memory>
#include <new>
#include <string>

#include "abi_translate.hpp"
#include "hooks/plugin_impl.hpp"
#include "visitor_sso/sdk/abi.hpp"

#define VSSO_EXPORT extern "C" __attribute__((visibility("default")))

/// The opaque handle of abi.h.
struct vsso_handle_plugin_owned {
  vsso::hooks::PluginImpl impl;
  /// The host's minor version, for entry points added after 2.0.
  std::uint32_t host_minor = 0;
  std::atomic<bool> shut_down{false};
};

namespace {

namespace sdk = visitor_sso::sdk;
using vsso::entry::InvalidArgument;
using vsso::entry::Result;

vsso_handle_plugin_owned& Handle(vsso_handle_plugin_owned* plugin) {
  if (plugin == nullptr) throw InvalidArgument{"abi.null_argument", "plugin is NULL"};
  return *plugin;
}

/// Runs `body` for one entry point that answers through `result_out`: sets
/// *result_out and returns the status that the result repeats.
template <class C, class F>
vsso_status Answer(const char* entry, C** result_out, F&& body) noexcept {
  if (result_out == nullptr) return VSSO_STATUS_INVALID_ARGUMENT;  // nowhere to say why
  *result_out = nullptr;
  try {
    Result<C> result;
    vsso_status status = VSSO_STATUS_OK;
    try {
      status = body(result);
    } catch (const InvalidArgument& e) {
      status =
          result.Fail(VSSO_STATUS_INVALID_ARGUMENT, e.code, std::string(entry) + ": " + e.message);
    } catch (const std::bad_alloc&) {
      return VSSO_STATUS_OUT_OF_MEMORY;
    } catch (const std::exception& e) {
      status = result.Fail(VSSO_STATUS_ERROR, "plugin.internal",
                           std::string(entry) + " failed: " + e.what());
    } catch (...) {
      status = result.Fail(VSSO_STATUS_ERROR, "plugin.internal", std::string(entry) + " failed");
    }
    result.c().status = status;
    *result_out = result.Release();
    return status;
  } catch (...) {
    // Only allocating the result or its error text can get here.
    return VSSO_STATUS_OUT_OF_MEMORY;
  }
}

/// The common shape of hooks and requests: read input, call, fill or fail.
template <class C, class T, class F>
vsso_status Fill(Result<C>& result, sdk::Expected<T>&& value, F fill) {
  if (!value) return result.Fail(value.error());
  fill(result.c(), result.arena(), *value);
  return VSSO_STATUS_OK;
}

}  // namespace

VSSO_EXPORT const vsso_abi_info_plugin_owned* visitor_sso_abi_info(void) {
  static const vsso_abi_info_plugin_owned info = [] {
    vsso_abi_info_plugin_owned i{};
    i.struct_size = sizeof i;
    i.sdk_major = VSSO_SDK_VERSION_MAJOR;
    i.sdk_minor = VSSO_SDK_VERSION_MINOR;
    i.sdk1_build_signature = "c-abi";
    i.plugin_name = "visitor-sso";
    i.plugin_version = VSSO_VERSION;
    i.size_of_host_info = sizeof(vsso_host_info_host_owned);
    i.size_of_configure_request = sizeof(vsso_configure_request_host_owned);
    i.size_of_field_host = sizeof(vsso_field_host_owned);
    i.size_of_chat = sizeof(vsso_chat_host_owned);
    i.size_of_transcript = sizeof(vsso_transcript_host_owned);
    i.size_of_history_query = sizeof(vsso_history_query_host_owned);
    i.size_of_http_request = sizeof(vsso_http_request_host_owned);
    i.size_of_admin_overview_query = sizeof(vsso_admin_overview_query_host_owned);
    i.size_of_outcome = sizeof(vsso_outcome_plugin_owned);
    i.size_of_description = sizeof(vsso_description_plugin_owned);
    i.size_of_chat_start = sizeof(vsso_chat_start_plugin_owned);
    i.size_of_field_plugin = sizeof(vsso_field_plugin_owned);
    i.size_of_prechat = sizeof(vsso_prechat_plugin_owned);
    i.size_of_visitor_info = sizeof(vsso_visitor_info_plugin_owned);
    i.size_of_routing = sizeof(vsso_routing_plugin_owned);
    i.size_of_transcript_tags = sizeof(vsso_transcript_tags_plugin_owned);
    i.size_of_transcript_record = sizeof(vsso_transcript_record_plugin_owned);
    i.size_of_history_page = sizeof(vsso_history_page_plugin_owned);
    i.size_of_http_response = sizeof(vsso_http_response_plugin_owned);
    i.size_of_certificate = sizeof(vsso_certificate_plugin_owned);
    i.size_of_mapping = sizeof(vsso_mapping_plugin_owned);
    i.size_of_routing_rule = sizeof(vsso_routing_rule_plugin_owned);
    i.size_of_sign_in_failure = sizeof(vsso_sign_in_failure_plugin_owned);
    i.size_of_admin_overview = sizeof(vsso_admin_overview_plugin_owned);
    return i;
  }();
  return &info;
}

// ---- Lifecycle -----------------------------------------------------------------

VSSO_EXPORT vsso_status vsso_plugin_create(const vsso_host_info_host_owned* host,
                                           vsso_handle_plugin_owned** plugin_out,
                                           vsso_outcome_plugin_owned** outcome_out) {
  if (plugin_out == nullptr) return VSSO_STATUS_INVALID_ARGUMENT;
  *plugin_out = nullptr;
  return Answer("vsso_plugin_create", outcome_out, [&](Result<vsso_outcome_plugin_owned>& r) {
    const vsso_host_info_host_owned& h = vsso::entry::Struct(host, "host");
    const std::uint32_t major = sdk::abi::Get(h, &vsso_host_info_host_owned::sdk_major);
    if (major != VSSO_SDK_VERSION_MAJOR) {
      return r.Fail(
          VSSO_STATUS_ERROR, "abi.host_major",
          "this plugin was built for SDK major version " + std::to_string(VSSO_SDK_VERSION_MAJOR) +
              ", the host " +
              vsso::entry::TextOf(h, &vsso_host_info_host_owned::host_name, "host.host_name") +
              " for " + std::to_string(major));
    }
    auto handle = std::make_unique<vsso_handle_plugin_owned>();
    handle->host_minor = sdk::abi::Get(h, &vsso_host_info_host_owned::sdk_minor);
    *plugin_out = handle.release();
    return VSSO_STATUS_OK;
  });
}

VSSO_EXPORT void vsso_plugin_destroy(vsso_handle_plugin_owned* plugin) {
  if (plugin == nullptr) return;
  if (!plugin->shut_down.exchange(true)) plugin->impl.Shutdown();
  delete plugin;
}

VSSO_EXPORT vsso_status vsso_plugin_configure(vsso_handle_plugin_owned* plugin,
                                              const vsso_configure_request_host_owned* request,
                                              vsso_outcome_plugin_owned** outcome_out) {
  return Answer("vsso_plugin_configure", outcome_out, [&](Result<vsso_outcome_plugin_owned>& r) {
    vsso_handle_plugin_owned& h = Handle(plugin);
    sdk::Status done = h.impl.Configure(vsso::entry::ReadConfigureRequest(request));
    return done ? VSSO_STATUS_OK : r.Fail(done.error());
  });
}

VSSO_EXPORT vsso_status vsso_plugin_reload(vsso_handle_plugin_owned* plugin,
                                           vsso_outcome_plugin_owned** outcome_out) {
  return Answer("vsso_plugin_reload", outcome_out, [&](Result<vsso_outcome_plugin_owned>& r) {
    sdk::Status done = Handle(plugin).impl.Reload();
    return done ? VSSO_STATUS_OK : r.Fail(done.error());
  });
}

VSSO_EXPORT void vsso_plugin_shutdown(vsso_handle_plugin_owned* plugin) {
  if (plugin != nullptr && !plugin->shut_down.exchange(true)) plugin->impl.Shutdown();
}

VSSO_EXPORT vsso_status vsso_plugin_describe(vsso_handle_plugin_owned* plugin,
                                             vsso_description_plugin_owned** description_out) {
  return Answer("vsso_plugin_describe", description_out,
                [&](Result<vsso_description_plugin_owned>& r) {
                  vsso::entry::FillDescription(r.c(), r.arena(), Handle(plugin).impl.Describe());
                  return VSSO_STATUS_OK;
                });
}

VSSO_EXPORT void vsso_outcome_free(vsso_outcome_plugin_owned* outcome) {
  Result<vsso_outcome_plugin_owned>::Free(outcome);
}

VSSO_EXPORT void vsso_description_free(vsso_description_plugin_owned* description) {
  Result<vsso_description_plugin_owned>::Free(description);
}

// ---- Chat hooks ------------------------------------------------------------------

VSSO_EXPORT vsso_status vsso_on_chat_will_start(vsso_handle_plugin_owned* plugin,
                                                const vsso_chat_host_owned* chat,
                                                vsso_chat_start_plugin_owned** result_out) {
  return Answer("vsso_on_chat_will_start", result_out,
                [&](Result<vsso_chat_start_plugin_owned>& r) {
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  return Fill(r, h.impl.ChatWillStart(vsso::entry::ReadChat(chat)),
                              vsso::entry::FillChatStart);
                });
}

VSSO_EXPORT void vsso_chat_start_free(vsso_chat_start_plugin_owned* result) {
  Result<vsso_chat_start_plugin_owned>::Free(result);
}

VSSO_EXPORT vsso_status vsso_on_prechat_survey_will_show(vsso_handle_plugin_owned* plugin,
                                                         const vsso_chat_host_owned* chat,
                                                         vsso_prechat_plugin_owned** result_out) {
  return Answer("vsso_on_prechat_survey_will_show", result_out,
                [&](Result<vsso_prechat_plugin_owned>& r) {
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  return Fill(r, h.impl.PrechatSurveyWillShow(vsso::entry::ReadChat(chat)),
                              vsso::entry::FillPrechat);
                });
}

VSSO_EXPORT void vsso_prechat_free(vsso_prechat_plugin_owned* result) {
  Result<vsso_prechat_plugin_owned>::Free(result);
}

VSSO_EXPORT vsso_status vsso_on_chat_will_be_routed(vsso_handle_plugin_owned* plugin,
                                                    const vsso_chat_host_owned* chat,
                                                    vsso_routing_plugin_owned** result_out) {
  return Answer("vsso_on_chat_will_be_routed", result_out,
                [&](Result<vsso_routing_plugin_owned>& r) {
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  return Fill(r, h.impl.ChatWillBeRouted(vsso::entry::ReadChat(chat)),
                              vsso::entry::FillRouting);
                });
}

VSSO_EXPORT void vsso_routing_free(vsso_routing_plugin_owned* result) {
  Result<vsso_routing_plugin_owned>::Free(result);
}

VSSO_EXPORT vsso_status
vsso_on_visitor_info_will_render(vsso_handle_plugin_owned* plugin, const vsso_chat_host_owned* chat,
                                 vsso_visitor_info_plugin_owned** result_out) {
  return Answer("vsso_on_visitor_info_will_render", result_out,
                [&](Result<vsso_visitor_info_plugin_owned>& r) {
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  return Fill(r, h.impl.VisitorInfoWillRender(vsso::entry::ReadChat(chat)),
                              vsso::entry::FillVisitorInfo);
                });
}

VSSO_EXPORT void vsso_visitor_info_free(vsso_visitor_info_plugin_owned* result) {
  Result<vsso_visitor_info_plugin_owned>::Free(result);
}

VSSO_EXPORT vsso_status vsso_on_transcript_will_be_saved(
    vsso_handle_plugin_owned* plugin, const vsso_chat_host_owned* chat,
    const vsso_transcript_host_owned* transcript, vsso_transcript_tags_plugin_owned** result_out) {
  return Answer("vsso_on_transcript_will_be_saved", result_out,
                [&](Result<vsso_transcript_tags_plugin_owned>& r) {
                  using T = vsso_transcript_host_owned;
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  const sdk::Chat c = vsso::entry::ReadChat(chat);
                  const T& t = vsso::entry::Struct(transcript, "transcript");
                  return Fill(
                      r,
                      h.impl.TranscriptWillBeSaved(
                          c, vsso::entry::TextOf(t, &T::transcript_id, "transcript.transcript_id"),
                          vsso::entry::TextOf(t, &T::team, "transcript.team")),
                      vsso::entry::FillTranscriptTags);
                });
}

VSSO_EXPORT void vsso_transcript_tags_free(vsso_transcript_tags_plugin_owned* result) {
  Result<vsso_transcript_tags_plugin_owned>::Free(result);
}

// ---- Requests ----------------------------------------------------------------------

VSSO_EXPORT vsso_status vsso_plugin_search_history(vsso_handle_plugin_owned* plugin,
                                                   const vsso_history_query_host_owned* query,
                                                   vsso_history_page_plugin_owned** result_out) {
  return Answer("vsso_plugin_search_history", result_out,
                [&](Result<vsso_history_page_plugin_owned>& r) {
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  return Fill(r, h.impl.SearchHistory(vsso::entry::ReadHistoryQuery(query)),
                              vsso::entry::FillHistoryPage);
                });
}

VSSO_EXPORT void vsso_history_page_free(vsso_history_page_plugin_owned* result) {
  Result<vsso_history_page_plugin_owned>::Free(result);
}

VSSO_EXPORT vsso_status vsso_plugin_handle_http(vsso_handle_plugin_owned* plugin,
                                                const vsso_http_request_host_owned* request,
                                                vsso_http_response_plugin_owned** result_out) {
  return Answer("vsso_plugin_handle_http", result_out,
                [&](Result<vsso_http_response_plugin_owned>& r) {
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  return Fill(r, h.impl.HandleHttp(vsso::entry::ReadHttpRequest(request)),
                              vsso::entry::FillHttpResponse);
                });
}

VSSO_EXPORT void vsso_http_response_free(vsso_http_response_plugin_owned* result) {
  Result<vsso_http_response_plugin_owned>::Free(result);
}

VSSO_EXPORT vsso_status vsso_plugin_get_admin_overview(
    vsso_handle_plugin_owned* plugin, const vsso_admin_overview_query_host_owned* query,
    vsso_admin_overview_plugin_owned** result_out) {
  return Answer("vsso_plugin_get_admin_overview", result_out,
                [&](Result<vsso_admin_overview_plugin_owned>& r) {
                  vsso_handle_plugin_owned& h = Handle(plugin);
                  return Fill(r,
                              h.impl.GetAdminOverview(vsso::entry::ReadAdminOverviewQuery(query)),
                              vsso::entry::FillAdminOverview);
                });
}

VSSO_EXPORT void vsso_admin_overview_free(vsso_admin_overview_plugin_owned* result) {
  Result<vsso_admin_overview_plugin_owned>::Free(result);
}
