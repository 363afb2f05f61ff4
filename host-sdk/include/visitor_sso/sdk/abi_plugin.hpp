// The host side of the C ABI for C++ hosts: sdk::Plugin implemented over the
// entry points of abi.h that the loader (loader.hpp) found in the library.
// C++ inputs become borrowed host-owned views for the duration of one call;
// each plugin-owned result is copied into the C++ types of types.hpp and
// given back to its vsso_*_free before the method returns.
//
// Reading results follows abi.h's struct_size rule (abi::Has): a field the
// plugin's (older) copy of abi.h lacks keeps its zero value; fields a newer
// plugin appended are ignored. A result that breaks the contract (NULL where
// abi.h promises memory, a struct_size too small for the common head) is
// reported as "abi.bad_result"; nothing is trusted beyond struct_size.
//
// Missing optional hooks mean "not handled" (abi.h): ChatWillStart proceeds,
// the survey is shown, no visitor sections, no routing opinion, no tags;
// SearchHistory, GetAdminOverview and Reload answer "abi.not_handled";
// HandleHttp answers 404.
//
// Threading: as abi.h; this class adds no state of its own after
// construction. Lifetime: the object keeps the library loaded (`library`)
// and destroys the plugin handle before the library goes.
#pragma once

#include <cstdint>
#include <memory>
#include <new>
#include <string>
#include <utility>
#include <vector>

#include "visitor_sso/sdk/abi.hpp"
#include "visitor_sso/sdk/plugin.hpp"

namespace visitor_sso::sdk {

/// The plugin's entry points as the loader resolved them. Required ones are
/// never null; an optional hook and its free function are both set or both
/// null.
struct AbiSymbols {
  decltype(&::vsso_plugin_create) plugin_create = nullptr;
  decltype(&::vsso_plugin_destroy) plugin_destroy = nullptr;
  decltype(&::vsso_plugin_configure) plugin_configure = nullptr;
  decltype(&::vsso_plugin_describe) plugin_describe = nullptr;
  decltype(&::vsso_outcome_free) outcome_free = nullptr;
  decltype(&::vsso_description_free) description_free = nullptr;
  decltype(&::vsso_plugin_reload) plugin_reload = nullptr;
  decltype(&::vsso_plugin_shutdown) plugin_shutdown = nullptr;
  decltype(&::vsso_on_chat_will_start) on_chat_will_start = nullptr;
  decltype(&::vsso_chat_start_free) chat_start_free = nullptr;
  decltype(&::vsso_on_prechat_survey_will_show) on_prechat_survey_will_show = nullptr;
  decltype(&::vsso_prechat_free) prechat_free = nullptr;
  decltype(&::vsso_on_chat_will_be_routed) on_chat_will_be_routed = nullptr;
  decltype(&::vsso_routing_free) routing_free = nullptr;
  decltype(&::vsso_on_visitor_info_will_render) on_visitor_info_will_render = nullptr;
  decltype(&::vsso_visitor_info_free) visitor_info_free = nullptr;
  decltype(&::vsso_on_transcript_will_be_saved) on_transcript_will_be_saved = nullptr;
  decltype(&::vsso_transcript_tags_free) transcript_tags_free = nullptr;
  decltype(&::vsso_plugin_search_history) plugin_search_history = nullptr;
  decltype(&::vsso_history_page_free) history_page_free = nullptr;
  decltype(&::vsso_plugin_handle_http) plugin_handle_http = nullptr;
  decltype(&::vsso_http_response_free) http_response_free = nullptr;
  decltype(&::vsso_plugin_get_admin_overview) plugin_get_admin_overview = nullptr;
  decltype(&::vsso_admin_overview_free) admin_overview_free = nullptr;
};

namespace abi {

/// Borrowed C views of one sdk::Chat; valid while the Chat and this object live.
class ChatView {
 public:
  explicit ChatView(const Chat& chat) {
    fields_.reserve(chat.prechat_answers.size());
    values_.reserve(chat.prechat_answers.size());
    for (const FieldValue& f : chat.prechat_answers) {
      std::vector<vsso_bytes_host_owned>& values = values_.emplace_back();
      for (const std::string& v : f.values) values.push_back(HostBytes(v));
      vsso_field_host_owned c{};
      c.struct_size = sizeof c;
      c.key = HostBytes(f.key);
      c.label = HostBytes(f.label);
      c.value = HostBytes(f.value);
      c.values = values.empty() ? nullptr : values.data();
      c.values_count = values.size();
      fields_.push_back(c);
    }
    for (const vsso_field_host_owned& f : fields_) pointers_.push_back(&f);
    chat_.struct_size = sizeof chat_;
    chat_.chat_id = HostBytes(chat.id);
    chat_.visitor_id = HostBytes(chat.visitor.id);
    chat_.visitor_ip_address = HostBytes(chat.visitor.ip_address);
    chat_.visitor_user_agent = HostBytes(chat.visitor.user_agent);
    chat_.visitor_page_url = HostBytes(chat.visitor.page_url);
    chat_.return_url = HostBytes(chat.return_url);
    chat_.prechat_answers = pointers_.empty() ? nullptr : pointers_.data();
    chat_.prechat_answers_count = pointers_.size();
    chat_.site_id = HostBytes(chat.site_id);
  }
  ChatView(const ChatView&) = delete;
  ChatView& operator=(const ChatView&) = delete;
  const vsso_chat_host_owned* get() const { return &chat_; }

 private:
  vsso_chat_host_owned chat_{};
  std::vector<std::vector<vsso_bytes_host_owned>> values_;
  std::vector<vsso_field_host_owned> fields_;
  std::vector<const vsso_field_host_owned*> pointers_;
};

/// Thrown inside AbiPlugin only (never across the boundary) when a result
/// breaks the contract.
struct BadResult {
  std::string what;
};

inline std::string Text(const vsso_bytes_plugin_owned& b, const char* field) {
  if (b.ptr == nullptr && b.len != 0) throw BadResult{std::string(field) + " is {NULL, len > 0}"};
  return ToString(b);
}

template <class S>
std::string TextOf(const S& s, vsso_bytes_plugin_owned S::*member, const char* field) {
  return Has(s, member) ? Text(s.*member, field) : std::string();
}

/// Copies a pointer array of growable structs; every element is checked
/// against its own struct_size by `convert`.
template <class E, class F>
auto Items(const E* const* items, std::size_t count, const char* field, F convert) {
  std::vector<decltype(convert(*items[0]))> out;
  if (count == 0) return out;
  if (items == nullptr) throw BadResult{std::string(field) + " is {NULL, count > 0}"};
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    if (items[i] == nullptr || items[i]->struct_size < sizeof(std::uint32_t)) {
      throw BadResult{std::string(field) + "[" + std::to_string(i) + "] is NULL or has no size"};
    }
    out.push_back(convert(*items[i]));
  }
  return out;
}

inline std::vector<std::string> Texts(const vsso_bytes_plugin_owned* items, std::size_t count,
                                      const char* field) {
  std::vector<std::string> out;
  if (count == 0) return out;
  if (items == nullptr) throw BadResult{std::string(field) + " is {NULL, count > 0}"};
  for (std::size_t i = 0; i < count; ++i) out.push_back(Text(items[i], field));
  return out;
}

inline std::vector<std::pair<std::string, std::string>> Pairs(const vsso_pair_plugin_owned* items,
                                                              std::size_t count,
                                                              const char* field) {
  std::vector<std::pair<std::string, std::string>> out;
  if (count == 0) return out;
  if (items == nullptr) throw BadResult{std::string(field) + " is {NULL, count > 0}"};
  for (std::size_t i = 0; i < count; ++i) {
    out.emplace_back(Text(items[i].name, field), Text(items[i].value, field));
  }
  return out;
}

inline FieldValue Field(const vsso_field_plugin_owned& f) {
  FieldValue out;
  out.key = TextOf(f, &vsso_field_plugin_owned::key, "field.key");
  out.label = TextOf(f, &vsso_field_plugin_owned::label, "field.label");
  out.value = TextOf(f, &vsso_field_plugin_owned::value, "field.value");
  if (Has(f, &vsso_field_plugin_owned::values_count)) {
    out.values = Texts(f.values, f.values_count, "field.values");
  }
  return out;
}

inline PluginDescription Description(const vsso_description_plugin_owned& d) {
  using D = vsso_description_plugin_owned;
  PluginDescription out;
  out.name = TextOf(d, &D::name, "description.name");
  out.version = TextOf(d, &D::version, "description.version");
  out.sdk_major = Get(d, &D::sdk_major);
  out.sdk_minor = Get(d, &D::sdk_minor);
  out.enabled = Get(d, &D::enabled) != 0;
  out.sign_in_policy = TextOf(d, &D::sign_in_policy, "description.sign_in_policy");
  out.certificate_count = Get(d, &D::certificate_count);
  out.mapping_count = Get(d, &D::mapping_count);
  out.sp_entity_id = TextOf(d, &D::sp_entity_id, "description.sp_entity_id");
  out.idp_entity_id = TextOf(d, &D::idp_entity_id, "description.idp_entity_id");
  out.site_count = Get(d, &D::site_count);
  if (Has(d, &D::site_ids_count)) {
    out.site_ids = Texts(d.site_ids, d.site_ids_count, "description.site_ids");
  }
  return out;
}

/// Calls one entry point that answers with a plugin-owned result, frees the
/// result, and turns it into Expected<T> with `convert`.
template <class T, class R, class Invoke, class Convert>
Expected<T> Call(const char* entry, Invoke invoke, void (*free_result)(R*), Convert convert) {
  R* result = nullptr;
  const vsso_status status = invoke(&result);
  std::unique_ptr<R, void (*)(R*)> owned(result, free_result);
  if (result == nullptr) {
    return MakeError(status == VSSO_STATUS_OUT_OF_MEMORY ? "abi.out_of_memory" : "abi.bad_result",
                     std::string(entry) + " returned no result (status " +
                         std::to_string(static_cast<int>(status)) + ")");
  }
  if (!Has(*result, &R::error_message)) {
    return MakeError("abi.bad_result", std::string(entry) + " returned a result of " +
                                           std::to_string(result->struct_size) +
                                           " bytes, too small for status and error");
  }
  try {
    if (status != VSSO_STATUS_OK || result->status != VSSO_STATUS_OK) {
      Error error{Text(result->error_code, "error_code"),
                  Text(result->error_message, "error_message")};
      if (error.code.empty()) {
        error = MakeError("abi.bad_result", std::string(entry) + " failed with status " +
                                                std::to_string(static_cast<int>(status)) +
                                                " but named no error code");
      }
      return error;
    }
    return T(convert(*result));
  } catch (const BadResult& bad) {
    return MakeError("abi.bad_result", std::string(entry) + ": " + bad.what);
  }
}

}  // namespace abi

class AbiPlugin final : public Plugin {
 public:
  /// Takes ownership of `handle` (destroyed with the object); `library`
  /// keeps the code loaded for as long as the object lives.
  AbiPlugin(std::shared_ptr<void> library, const AbiSymbols& symbols,
            vsso_handle_plugin_owned* handle, std::string name, std::string version,
            std::uint32_t sdk_minor)
      : library_(std::move(library)),
        s_(symbols),
        handle_(handle),
        name_(std::move(name)),
        version_(std::move(version)),
        sdk_minor_(sdk_minor) {}
  ~AbiPlugin() override { s_.plugin_destroy(handle_); }
  AbiPlugin(const AbiPlugin&) = delete;
  AbiPlugin& operator=(const AbiPlugin&) = delete;

  Status Configure(const ConfigureRequest& request) noexcept override {
    return Guard<Done>("vsso_plugin_configure", [&] {
      vsso_configure_request_host_owned c{};
      c.struct_size = sizeof c;
      c.config_path = abi::HostBytes(request.config_path);
      c.fixed_now = request.fixed_now;
      return Outcome("vsso_plugin_configure", [&](vsso_outcome_plugin_owned** out) {
        return s_.plugin_configure(handle_, &c, out);
      });
    });
  }

  Status Reload() noexcept override {
    if (s_.plugin_reload == nullptr) return NotHandled("vsso_plugin_reload");
    return Guard<Done>("vsso_plugin_reload", [&] {
      return Outcome("vsso_plugin_reload", [&](vsso_outcome_plugin_owned** out) {
        return s_.plugin_reload(handle_, out);
      });
    });
  }

  void Shutdown() noexcept override {
    if (s_.plugin_shutdown != nullptr) s_.plugin_shutdown(handle_);
  }

  PluginDescription Describe() const noexcept override {
    auto described = Guard<PluginDescription>("vsso_plugin_describe", [&] {
      return abi::Call<PluginDescription>(
          "vsso_plugin_describe",
          [&](vsso_description_plugin_owned** out) { return s_.plugin_describe(handle_, out); },
          s_.description_free, abi::Description);
    });
    if (described) return std::move(described).value();
    // Describe has no error channel in C++: what the handshake said.
    PluginDescription fallback;
    fallback.name = name_;
    fallback.version = version_;
    fallback.sdk_major = kSdkVersionMajor;
    fallback.sdk_minor = sdk_minor_;
    return fallback;
  }

  Expected<ChatStartResult> ChatWillStart(const Chat& chat) noexcept override {
    if (s_.on_chat_will_start == nullptr) return ChatStartResult{};
    return Guard<ChatStartResult>("vsso_on_chat_will_start", [&] {
      const abi::ChatView view(chat);
      using R = vsso_chat_start_plugin_owned;
      return abi::Call<ChatStartResult>(
          "vsso_on_chat_will_start",
          [&](R** out) { return s_.on_chat_will_start(handle_, view.get(), out); },
          s_.chat_start_free,
          [](const R& r) {
            ChatStartResult out;
            switch (abi::Get(r, &R::decision)) {
              case VSSO_CHAT_START_PROCEED:
                out.decision = ChatStartDecision::kProceed;
                break;
              case VSSO_CHAT_START_OFFER_SIGN_IN:
                out.decision = ChatStartDecision::kOfferSignIn;
                break;
              case VSSO_CHAT_START_REQUIRE_SIGN_IN:
                out.decision = ChatStartDecision::kRequireSignIn;
                break;
              case VSSO_CHAT_START_REFUSE:
                out.decision = ChatStartDecision::kRefuse;
                break;
              default:
                throw abi::BadResult{"unknown chat start decision " +
                                     std::to_string(abi::Get(r, &R::decision))};
            }
            out.signed_in = abi::Get(r, &R::signed_in) != 0;
            out.customer_id = abi::TextOf(r, &R::customer_id, "customer_id");
            out.sign_in_url = abi::TextOf(r, &R::sign_in_url, "sign_in_url");
            out.reason_code = abi::TextOf(r, &R::reason_code, "reason_code");
            out.reason = abi::TextOf(r, &R::reason, "reason");
            return out;
          });
    });
  }

  Expected<PrechatResult> PrechatSurveyWillShow(const Chat& chat) noexcept override {
    if (s_.on_prechat_survey_will_show == nullptr) return PrechatResult{};
    return Guard<PrechatResult>("vsso_on_prechat_survey_will_show", [&] {
      const abi::ChatView view(chat);
      using R = vsso_prechat_plugin_owned;
      return abi::Call<PrechatResult>(
          "vsso_on_prechat_survey_will_show",
          [&](R** out) { return s_.on_prechat_survey_will_show(handle_, view.get(), out); },
          s_.prechat_free,
          [](const R& r) {
            PrechatResult out;
            const std::int32_t decision = abi::Get(r, &R::decision);
            if (decision != VSSO_PRECHAT_SHOW && decision != VSSO_PRECHAT_SKIP) {
              throw abi::BadResult{"unknown pre-chat decision " + std::to_string(decision)};
            }
            out.decision =
                decision == VSSO_PRECHAT_SKIP ? PrechatDecision::kSkip : PrechatDecision::kShow;
            if (abi::Has(r, &R::prefill_count)) {
              out.prefill = abi::Items(r.prefill, r.prefill_count, "prefill", abi::Field);
            }
            return out;
          });
    });
  }

  Expected<VisitorInfo> VisitorInfoWillRender(const Chat& chat) noexcept override {
    if (s_.on_visitor_info_will_render == nullptr) return VisitorInfo{};
    return Guard<VisitorInfo>("vsso_on_visitor_info_will_render", [&] {
      const abi::ChatView view(chat);
      using R = vsso_visitor_info_plugin_owned;
      return abi::Call<VisitorInfo>(
          "vsso_on_visitor_info_will_render",
          [&](R** out) { return s_.on_visitor_info_will_render(handle_, view.get(), out); },
          s_.visitor_info_free,
          [](const R& r) {
            VisitorInfo out;
            if (abi::Has(r, &R::prechat_section_count)) {
              out.prechat_section = abi::Items(r.prechat_section, r.prechat_section_count,
                                               "prechat_section", abi::Field);
            }
            if (abi::Has(r, &R::custom_variables_count)) {
              out.custom_variables = abi::Items(r.custom_variables, r.custom_variables_count,
                                                "custom_variables", abi::Field);
            }
            out.info.name = abi::TextOf(r, &R::info_name, "info_name");
            out.info.customer_id = abi::TextOf(r, &R::info_customer_id, "info_customer_id");
            out.info.verified = abi::Get(r, &R::info_verified) != 0;
            out.info.idp_entity_id = abi::TextOf(r, &R::info_idp_entity_id, "info_idp_entity_id");
            out.info.signed_in_at = abi::Get(r, &R::info_signed_in_at);
            return out;
          });
    });
  }

  Expected<RoutingResult> ChatWillBeRouted(const Chat& chat) noexcept override {
    if (s_.on_chat_will_be_routed == nullptr) return RoutingResult{};
    return Guard<RoutingResult>("vsso_on_chat_will_be_routed", [&] {
      const abi::ChatView view(chat);
      using R = vsso_routing_plugin_owned;
      return abi::Call<RoutingResult>(
          "vsso_on_chat_will_be_routed",
          [&](R** out) { return s_.on_chat_will_be_routed(handle_, view.get(), out); },
          s_.routing_free,
          [](const R& r) {
            RoutingResult out;
            const std::int32_t decision = abi::Get(r, &R::decision);
            if (decision != VSSO_ROUTING_NO_OPINION && decision != VSSO_ROUTING_ROUTE) {
              throw abi::BadResult{"unknown routing decision " + std::to_string(decision)};
            }
            out.decision = decision == VSSO_ROUTING_ROUTE ? RoutingDecision::kRoute
                                                          : RoutingDecision::kNoOpinion;
            out.team = abi::TextOf(r, &R::team, "team");
            out.rule = abi::TextOf(r, &R::rule, "rule");
            out.rule_text = abi::TextOf(r, &R::rule_text, "rule_text");
            return out;
          });
    });
  }

  Expected<TranscriptTags> TranscriptWillBeSaved(const Chat& chat, const std::string& transcript_id,
                                                 const std::string& team) noexcept override {
    if (s_.on_transcript_will_be_saved == nullptr) return TranscriptTags{};
    return Guard<TranscriptTags>("vsso_on_transcript_will_be_saved", [&] {
      const abi::ChatView view(chat);
      vsso_transcript_host_owned transcript{};
      transcript.struct_size = sizeof transcript;
      transcript.transcript_id = abi::HostBytes(transcript_id);
      transcript.team = abi::HostBytes(team);
      using R = vsso_transcript_tags_plugin_owned;
      return abi::Call<TranscriptTags>(
          "vsso_on_transcript_will_be_saved",
          [&](R** out) {
            return s_.on_transcript_will_be_saved(handle_, view.get(), &transcript, out);
          },
          s_.transcript_tags_free,
          [](const R& r) {
            TranscriptTags out;
            if (abi::Has(r, &R::tags_count)) out.tags = abi::Pairs(r.tags, r.tags_count, "tags");
            out.customer_id = abi::TextOf(r, &R::customer_id, "customer_id");
            return out;
          });
    });
  }

  Expected<HistoryPage> SearchHistory(const HistoryQuery& query) noexcept override {
    if (s_.plugin_search_history == nullptr) return NotHandled("vsso_plugin_search_history");
    return Guard<HistoryPage>("vsso_plugin_search_history", [&] {
      vsso_history_query_host_owned q{};
      q.struct_size = sizeof q;
      q.customer_id = abi::HostBytes(query.customer_id);
      q.team = abi::HostBytes(query.team);
      q.from = query.from;
      q.until = query.until;
      // A negative limit goes over as one the plugin refuses (1..1000), not
      // as 0, which abi.h reads as "the default".
      q.limit = query.limit < 0 ? 0xFFFFFFFFu : static_cast<std::uint32_t>(query.limit);
      q.cursor = abi::HostBytes(query.cursor);
      q.site_id = abi::HostBytes(query.site_id);
      using R = vsso_history_page_plugin_owned;
      return abi::Call<HistoryPage>(
          "vsso_plugin_search_history",
          [&](R** out) { return s_.plugin_search_history(handle_, &q, out); }, s_.history_page_free,
          [](const R& r) {
            HistoryPage out;
            if (abi::Has(r, &R::rows_count)) {
              out.rows = abi::Items(r.rows, r.rows_count, "rows", Record);
            }
            out.next_cursor = abi::TextOf(r, &R::next_cursor, "next_cursor");
            return out;
          });
    });
  }

  Expected<HttpResponse> HandleHttp(const HttpRequest& request) noexcept override {
    if (s_.plugin_handle_http == nullptr) {
      HttpResponse not_found;
      not_found.status = 404;
      not_found.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
      not_found.body = "not found\n";
      return not_found;
    }
    return Guard<HttpResponse>("vsso_plugin_handle_http", [&] {
      std::vector<vsso_pair_host_owned> headers;
      headers.reserve(request.headers.size());
      for (const auto& [name, value] : request.headers) {
        headers.push_back({abi::HostBytes(name), abi::HostBytes(value)});
      }
      vsso_http_request_host_owned c{};
      c.struct_size = sizeof c;
      c.method = abi::HostBytes(request.method);
      c.path = abi::HostBytes(request.path);
      c.query = abi::HostBytes(request.query);
      c.headers = headers.empty() ? nullptr : headers.data();
      c.headers_count = headers.size();
      c.body = abi::HostBytes(request.body);
      c.visitor_id = abi::HostBytes(request.visitor_id);
      c.remote_address = abi::HostBytes(request.remote_address);
      using R = vsso_http_response_plugin_owned;
      return abi::Call<HttpResponse>(
          "vsso_plugin_handle_http",
          [&](R** out) { return s_.plugin_handle_http(handle_, &c, out); }, s_.http_response_free,
          [](const R& r) {
            HttpResponse out;
            out.status = abi::Get(r, &R::http_status);
            if (out.status < 100 || out.status > 599) {
              throw abi::BadResult{"HTTP status " + std::to_string(out.status)};
            }
            if (abi::Has(r, &R::headers_count)) {
              out.headers = abi::Pairs(r.headers, r.headers_count, "headers");
            }
            out.body = abi::TextOf(r, &R::body, "body");
            out.signed_in_visitor_id =
                abi::TextOf(r, &R::signed_in_visitor_id, "signed_in_visitor_id");
            if (abi::Has(r, &R::signed_out_visitor_ids_count)) {
              out.signed_out_visitor_ids =
                  abi::Texts(r.signed_out_visitor_ids, r.signed_out_visitor_ids_count,
                             "signed_out_visitor_ids");
            }
            return out;
          });
    });
  }

  Expected<AdminOverview> GetAdminOverview(
      const AdminOverviewQuery& query) const noexcept override {
    if (s_.plugin_get_admin_overview == nullptr) {
      return NotHandled("vsso_plugin_get_admin_overview");
    }
    return Guard<AdminOverview>("vsso_plugin_get_admin_overview", [&] {
      vsso_admin_overview_query_host_owned q{};
      q.struct_size = sizeof q;
      q.failure_limit = query.failure_limit;
      q.site_id = abi::HostBytes(query.site_id);
      using R = vsso_admin_overview_plugin_owned;
      return abi::Call<AdminOverview>(
          "vsso_plugin_get_admin_overview",
          [&](R** out) { return s_.plugin_get_admin_overview(handle_, &q, out); },
          s_.admin_overview_free, [](const R& r) { return Overview(r); });
    });
  }

 private:
  template <class T, class F>
  static Expected<T> Guard(const char* entry, F&& body) noexcept {
    try {
      return body();
    } catch (const std::bad_alloc&) {
      return MakeError("abi.out_of_memory", std::string(entry) + ": out of memory in the host");
    } catch (const std::exception& e) {
      return MakeError("abi.bad_result", std::string(entry) + ": " + e.what());
    }
  }

  static Error NotHandled(const char* entry) {
    return MakeError("abi.not_handled",
                     std::string("the plugin does not export ") + entry + " (optional in abi.h)");
  }

  template <class Invoke>
  Status Outcome(const char* entry, Invoke invoke) const {
    return abi::Call<Done>(entry, invoke, s_.outcome_free,
                           [](const vsso_outcome_plugin_owned&) { return Done{}; });
  }

  static TranscriptRecord Record(const vsso_transcript_record_plugin_owned& r) {
    using E = vsso_transcript_record_plugin_owned;
    TranscriptRecord out;
    out.transcript_id = abi::TextOf(r, &E::transcript_id, "transcript_id");
    out.chat_id = abi::TextOf(r, &E::chat_id, "chat_id");
    out.visitor_id = abi::TextOf(r, &E::visitor_id, "visitor_id");
    out.customer_id = abi::TextOf(r, &E::customer_id, "customer_id");
    out.idp_entity_id = abi::TextOf(r, &E::idp_entity_id, "idp_entity_id");
    out.signed_in = abi::Get(r, &E::signed_in) != 0;
    out.team = abi::TextOf(r, &E::team, "team");
    out.saved_at = abi::Get(r, &E::saved_at);
    return out;
  }

  static AdminOverview Overview(const vsso_admin_overview_plugin_owned& r) {
    using R = vsso_admin_overview_plugin_owned;
    AdminOverview out;
    const vsso_description_plugin_owned* d = abi::Get(r, &R::description);
    if (d == nullptr || d->struct_size < sizeof(std::uint32_t)) {
      throw abi::BadResult{"description is NULL"};
    }
    out.description = abi::Description(*d);
    out.now = abi::Get(r, &R::now);
    if (abi::Has(r, &R::certificates_count)) {
      using C = vsso_certificate_plugin_owned;
      out.certificates =
          abi::Items(r.certificates, r.certificates_count, "certificates", [](const C& c) {
            CertificateSummary s;
            s.subject = abi::TextOf(c, &C::subject, "certificate.subject");
            s.issuer = abi::TextOf(c, &C::issuer, "certificate.issuer");
            s.fingerprint_sha256 =
                abi::TextOf(c, &C::fingerprint_sha256, "certificate.fingerprint_sha256");
            s.not_before = abi::Get(c, &C::not_before);
            s.not_after = abi::Get(c, &C::not_after);
            s.source = abi::TextOf(c, &C::source, "certificate.source");
            return s;
          });
    }
    if (abi::Has(r, &R::mappings_count)) {
      using M = vsso_mapping_plugin_owned;
      out.mappings = abi::Items(r.mappings, r.mappings_count, "mappings", [](const M& m) {
        MappingSummary s;
        s.field = abi::TextOf(m, &M::field, "mapping.field");
        s.label = abi::TextOf(m, &M::label, "mapping.label");
        if (abi::Has(m, &M::attributes_count)) {
          s.attributes = abi::Texts(m.attributes, m.attributes_count, "mapping.attributes");
        }
        s.configured = abi::TextOf(m, &M::configured, "mapping.configured");
        return s;
      });
    }
    if (abi::Has(r, &R::routing_rules_count)) {
      using U = vsso_routing_rule_plugin_owned;
      out.routing_rules =
          abi::Items(r.routing_rules, r.routing_rules_count, "routing_rules", [](const U& u) {
            RoutingRuleSummary s;
            s.name = abi::TextOf(u, &U::name, "routing_rule.name");
            s.text = abi::TextOf(u, &U::text, "routing_rule.text");
            s.team = abi::TextOf(u, &U::team, "routing_rule.team");
            return s;
          });
    }
    out.routing_default_team = abi::TextOf(r, &R::routing_default_team, "routing_default_team");
    out.sp_metadata_path = abi::TextOf(r, &R::sp_metadata_path, "sp_metadata_path");
    if (abi::Has(r, &R::recent_failures_count)) {
      using F = vsso_sign_in_failure_plugin_owned;
      out.recent_failures =
          abi::Items(r.recent_failures, r.recent_failures_count, "recent_failures", [](const F& f) {
            SignInFailure s;
            s.at = abi::Get(f, &F::at);
            s.code = abi::TextOf(f, &F::code, "failure.code");
            s.message = abi::TextOf(f, &F::message, "failure.message");
            s.issuer = abi::TextOf(f, &F::issuer, "failure.issuer");
            s.visitor_id = abi::TextOf(f, &F::visitor_id, "failure.visitor_id");
            s.count = abi::Has(f, &F::count) ? f.count : 1;
            s.last_at = abi::Has(f, &F::last_at) ? f.last_at : s.at;
            s.remote_address = abi::TextOf(f, &F::remote_address, "failure.remote_address");
            return s;
          });
    }
    if (abi::Has(r, &R::warnings_count)) {
      out.warnings = abi::Texts(r.warnings, r.warnings_count, "warnings");
    }
    if (abi::Has(r, &R::idp_metadata) && r.idp_metadata != nullptr) {
      using S = vsso_idp_metadata_status_plugin_owned;
      const S& m = *r.idp_metadata;
      IdpMetadataStatus& s = out.idp_metadata;
      s.source_url = abi::TextOf(m, &S::source_url, "idp_metadata.source_url");
      s.last_fetch_at = abi::Get(m, &S::last_fetch_at);
      s.last_success_at = abi::Get(m, &S::last_success_at);
      s.next_refresh_at = abi::Get(m, &S::next_refresh_at);
      s.valid_until = abi::Get(m, &S::valid_until);
      s.last_error_code = abi::TextOf(m, &S::last_error_code, "idp_metadata.last_error_code");
      s.last_error_message =
          abi::TextOf(m, &S::last_error_message, "idp_metadata.last_error_message");
    }
    return out;
  }

  // Declared first so that it is destroyed last, after the handle.
  std::shared_ptr<void> library_;
  AbiSymbols s_;
  vsso_handle_plugin_owned* handle_;
  std::string name_;
  std::string version_;
  std::uint32_t sdk_minor_;
};

}  // namespace visitor_sso::sdk
