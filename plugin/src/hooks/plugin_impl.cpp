#include "hooks/plugin_impl.hpp"

#include <boost/json.hpp>

#include "config/loader.hpp"
#include "crypto/example_certificates.hpp"
#include "hooks/housekeeping.hpp"
#include "hooks/http_endpoints.hpp"
#include "hooks/return_path.hpp"
#include "identity/field_mapper.hpp"
#include "saml/response_validator.hpp"
#include "store/audit_log.hpp"
#include "store/certificate_repository.hpp"
#include "store/session_repository.hpp"
#include "store/transcript_repository.hpp"
#include "visitor_sso/sdk/abi.hpp"

namespace vsso::hooks {

namespace sdk = visitor_sso::sdk;

namespace {

// Every hook body runs inside this guard: no exception crosses the boundary.
template <class T, class F>
sdk::Expected<T> Guarded(const char* hook, F&& body) noexcept {
  try {
    return body();
  } catch (const std::exception& e) {
    return sdk::MakeError("plugin.internal", std::string(hook) + " failed: " + e.what());
  } catch (...) {
    return sdk::MakeError("plugin.internal", std::string(hook) + " failed");
  }
}

std::vector<sdk::FieldValue> FieldsFromJson(const std::string& json) {
  std::vector<sdk::FieldValue> out;
  boost::system::error_code ec;
  auto value = boost::json::parse(json, ec);
  if (ec || !value.is_array()) return out;
  for (const auto& item : value.as_array()) {
    if (!item.is_object()) continue;
    const auto& obj = item.as_object();
    sdk::FieldValue f;
    if (auto* k = obj.if_contains("key"); k && k->is_string()) f.key = k->as_string().c_str();
    f.label = identity::LabelOf(f.key);
    if (auto* vs = obj.if_contains("values"); vs && vs->is_array()) {
      for (const auto& v : vs->as_array()) {
        if (v.is_string()) f.values.emplace_back(v.as_string().c_str());
      }
    }
    for (const auto& v : f.values) f.value += (f.value.empty() ? "" : ", ") + v;
    out.push_back(std::move(f));
  }
  return out;
}

}  // namespace

PluginImpl::PluginImpl() { saml::InitializeXmlLibraries(); }
PluginImpl::~PluginImpl() = default;

std::shared_ptr<const Runtime> PluginImpl::Snapshot() const {
  std::lock_guard lock(mutex_);
  return runtime_;
}

sdk::Status PluginImpl::Configure(const sdk::ConfigureRequest& request) noexcept {
  return Guarded<sdk::Done>("Configure", [&]() -> sdk::Status {
    auto rt = Runtime::Build(request.config_path, request.fixed_now);
    // A store that cannot be tidied still serves sign-ins; the next run
    // meets the same error.
    if (rt) (void)RunHousekeeping(**rt);
    std::lock_guard lock(mutex_);
    request_ = request;
    if (!rt) {
      runtime_.reset();
      config_error_ = rt.error();
      intended_policy_ = config::ReadIntendedSignInPolicy(request.config_path);
      return std::move(rt).error();
    }
    runtime_ = std::move(*rt);
    config_error_ = {};
    return sdk::Ok();
  });
}

sdk::Status PluginImpl::Reload() noexcept {
  return Guarded<sdk::Done>("Reload", [&]() -> sdk::Status {
    sdk::ConfigureRequest request;
    {
      std::lock_guard lock(mutex_);
      request = request_;
    }
    if (request.config_path.empty()) {
      return sdk::MakeError("plugin.not_configured", "Reload before Configure");
    }
    auto rt = Runtime::Build(request.config_path, request.fixed_now);
    if (!rt) return std::move(rt).error();  // the previous configuration stays
    (void)RunHousekeeping(**rt);
    std::lock_guard lock(mutex_);
    runtime_ = std::move(*rt);
    config_error_ = {};
    return sdk::Ok();
  });
}

void PluginImpl::Shutdown() noexcept {
  std::lock_guard lock(mutex_);
  runtime_.reset();
  config_error_ = {"plugin.shut_down", "the plugin has been shut down"};
}

sdk::PluginDescription PluginImpl::Describe() const noexcept {
  sdk::PluginDescription d;
  d.name = "visitor-sso";
  d.version = VSSO_VERSION;
  d.sdk_major = VISITOR_SSO_SDK_VERSION_MAJOR;
  d.sdk_minor = VISITOR_SSO_SDK_VERSION_MINOR;
  auto rt = Snapshot();
  if (!rt) return d;
  d.enabled = rt->settings.enabled;
  d.sign_in_policy = config::ToString(rt->settings.sign_in);
  d.certificate_count = static_cast<std::uint32_t>(rt->idp_certificates.size());
  d.mapping_count = static_cast<std::uint32_t>(rt->settings.mappings.size());
  d.sp_entity_id = rt->settings.sp_entity_id;
  d.idp_entity_id = rt->settings.idp_entity_id;
  return d;
}

sdk::Expected<sdk::ChatStartResult> PluginImpl::ChatWillStart(const sdk::Chat& chat) noexcept {
  return Guarded<sdk::ChatStartResult>(
      "ChatWillStart", [&]() -> sdk::Expected<sdk::ChatStartResult> {
        sdk::ChatStartResult r;
        auto rt = Snapshot();
        if (!rt) {
          // Fail closed where sign-in is (or may be) required; where the admin
          // asked for none or optional, chats go on as guests and the host
          // learns why sign-in is unavailable.
          std::lock_guard lock(mutex_);
          const bool guests_allowed =
              intended_policy_ && *intended_policy_ != config::SignInPolicy::kRequired;
          r.decision =
              guests_allowed ? sdk::ChatStartDecision::kProceed : sdk::ChatStartDecision::kRefuse;
          r.reason_code = config_error_.code.empty() ? "plugin.not_configured" : config_error_.code;
          r.reason = config_error_.message;
          return r;
        }
        if (!rt->settings.enabled || rt->settings.sign_in == config::SignInPolicy::kNone) return r;
        const bool required = rt->settings.sign_in == config::SignInPolicy::kRequired;
        store::SessionRepository sessions(rt->db, rt->settings.site_id);
        auto live = sessions.FindLive(chat.visitor.id, rt->Now());
        if (!live) {
          r.reason_code = live.error().code;
          r.reason = "SSO store unavailable: " + live.error().message;
          r.decision =
              required ? sdk::ChatStartDecision::kRefuse : sdk::ChatStartDecision::kProceed;
          return r;
        }
        if (*live) {
          r.signed_in = true;
          r.customer_id = (*live)->customer_id;
          return r;
        }
        const std::string return_url = chat.return_url.empty() ? "/" : chat.return_url;
        // A host's return path that could not pass /sso/login falls back to
        // the site's root rather than producing a link that always fails.
        r.sign_in_url = SignInUrl(CheckReturnPath(return_url) ? return_url : "/");
        r.decision = required ? sdk::ChatStartDecision::kRequireSignIn
                              : sdk::ChatStartDecision::kOfferSignIn;
        return r;
      });
}

sdk::Expected<sdk::PrechatResult> PluginImpl::PrechatSurveyWillShow(
    const sdk::Chat& chat) noexcept {
  return Guarded<sdk::PrechatResult>(
      "PrechatSurveyWillShow", [&]() -> sdk::Expected<sdk::PrechatResult> {
        sdk::PrechatResult r;
        auto rt = Snapshot();
        if (!rt) return r;
        store::SessionRepository sessions(rt->db, rt->settings.site_id);
        auto live = sessions.FindLive(chat.visitor.id, rt->Now());
        if (!live) return std::move(live).error();
        if (*live) {
          r.decision = sdk::PrechatDecision::kSkip;
          for (auto& f : FieldsFromJson((*live)->fields_json)) {
            if (!f.values.empty() && identity::KindOf(f.key) != identity::FieldKind::kVariable) {
              r.prefill.push_back(std::move(f));
            }
          }
        }
        return r;
      });
}

sdk::Expected<sdk::VisitorInfo> PluginImpl::VisitorInfoWillRender(const sdk::Chat& chat) noexcept {
  return Guarded<sdk::VisitorInfo>(
      "VisitorInfoWillRender", [&]() -> sdk::Expected<sdk::VisitorInfo> {
        sdk::VisitorInfo info;
        auto rt = Snapshot();
        std::optional<store::SsoSession> session;
        if (rt) {
          store::SessionRepository sessions(rt->db, rt->settings.site_id);
          auto live = sessions.FindLive(chat.visitor.id, rt->Now());
          if (!live) return std::move(live).error();
          session = std::move(*live);
        }
        if (!session) {
          // Guests: only what they typed, unverified.
          for (const auto& f : chat.prechat_answers) {
            if (identity::KindOf(f.key) == identity::FieldKind::kVariable) {
              info.custom_variables.push_back(f);
            } else {
              info.prechat_section.push_back(f);
            }
            if (f.key == "name") info.info.name = f.value;
          }
          return info;
        }
        for (auto& f : FieldsFromJson(session->fields_json)) {
          if (f.key == "name") info.info.name = f.value;
          if (identity::KindOf(f.key) == identity::FieldKind::kVariable) {
            info.custom_variables.push_back(std::move(f));
          } else {
            info.prechat_section.push_back(std::move(f));
          }
        }
        info.info.customer_id = session->customer_id;
        info.info.verified = true;
        info.info.idp_entity_id = session->idp_entity_id;
        info.info.signed_in_at = session->signed_in_at;
        return info;
      });
}

sdk::Expected<sdk::RoutingResult> PluginImpl::ChatWillBeRouted(const sdk::Chat& chat) noexcept {
  return Guarded<sdk::RoutingResult>(
      "ChatWillBeRouted", [&]() -> sdk::Expected<sdk::RoutingResult> {
        sdk::RoutingResult r;
        auto rt = Snapshot();
        if (!rt) return r;  // the host routes as it would without the plugin
        store::SessionRepository sessions(rt->db, rt->settings.site_id);
        auto live = sessions.FindLive(chat.visitor.id, rt->Now());
        if (!live) return std::move(live).error();
        // Signed-in visitors are routed on what the IdP vouched for; guests on
        // what they typed, with the same rules.
        routing::Fields fields;
        const auto source = *live ? FieldsFromJson((*live)->fields_json) : chat.prechat_answers;
        for (const auto& f : source) {
          if (!f.values.empty()) {
            fields[f.key] = f.values;
          } else if (!f.value.empty()) {
            fields[f.key] = {f.value};
          }
        }
        const routing::Decision d = rt->routing.Evaluate(fields);
        if (!d.matched) return r;
        r.decision = sdk::RoutingDecision::kRoute;
        r.team = d.team;
        r.rule = d.rule;
        r.rule_text = d.rule_text;
        return r;
      });
}

sdk::Expected<sdk::TranscriptTags> PluginImpl::TranscriptWillBeSaved(
    const sdk::Chat& chat, const std::string& transcript_id, const std::string& team) noexcept {
  return Guarded<sdk::TranscriptTags>(
      "TranscriptWillBeSaved", [&]() -> sdk::Expected<sdk::TranscriptTags> {
        auto rt = Snapshot();
        if (!rt) {
          std::lock_guard lock(mutex_);
          return sdk::MakeError("plugin.not_configured", config_error_.message);
        }
        store::SessionRepository sessions(rt->db, rt->settings.site_id);
        auto live = sessions.FindLive(chat.visitor.id, rt->Now());
        if (!live) return std::move(live).error();
        store::TranscriptTag tag;
        tag.transcript_id = transcript_id;
        tag.chat_id = chat.id;
        tag.visitor_id = chat.visitor.id;
        tag.team = team;
        tag.saved_at = rt->Now();
        if (*live) {
          tag.customer_id = (*live)->customer_id;
          tag.idp_entity_id = (*live)->idp_entity_id;
          tag.signed_in = true;
        }
        store::TranscriptRepository transcripts(rt->db, rt->settings.site_id);
        // Committed before we return: a crash after this never loses the tag.
        if (auto st = transcripts.Save(tag); !st) return std::move(st).error();
        sdk::TranscriptTags out;
        out.customer_id = tag.customer_id;
        out.tags = {{"customer_id", tag.customer_id},
                    {"idp", tag.idp_entity_id},
                    {"signed_in", tag.signed_in ? "true" : "false"},
                    {"team", team}};
        return out;
      });
}

sdk::Expected<sdk::HistoryPage> PluginImpl::SearchHistory(const sdk::HistoryQuery& query) noexcept {
  return Guarded<sdk::HistoryPage>("SearchHistory", [&]() -> sdk::Expected<sdk::HistoryPage> {
    auto rt = Snapshot();
    if (!rt) {
      std::lock_guard lock(mutex_);
      return sdk::MakeError("plugin.not_configured", config_error_.message);
    }
    store::TranscriptRepository transcripts(rt->db, rt->settings.site_id);
    store::TimeRange range;
    if (query.from != 0) range.from = query.from;
    if (query.until != 0) range.until = query.until;
    auto page = !query.customer_id.empty()
                    ? transcripts.FindByCustomerId(query.customer_id, query.limit, query.cursor)
                : !query.team.empty()
                    ? transcripts.FindByTeam(query.team, query.limit, query.cursor, range)
                    : transcripts.FindBySavedAt(range, query.limit, query.cursor);
    if (!page) return std::move(page).error();
    sdk::HistoryPage out;
    out.next_cursor = page->next_cursor;
    for (auto& t : page->rows) {
      out.rows.push_back(sdk::TranscriptRecord{t.transcript_id, t.chat_id, t.visitor_id,
                                               t.customer_id, t.idp_entity_id, t.signed_in, t.team,
                                               t.saved_at});
    }
    return out;
  });
}

namespace {

// What an admin should fix although the plugin runs: the loader's findings
// (a private key readable by others) and key material whose private key is
// public because it is one of the examples shipped in config/certs/.
std::vector<std::string> AdminWarnings(const Runtime& rt) {
  std::vector<std::string> warnings = rt.settings.warnings;
  for (const auto& c : rt.idp_certificates) {
    if (const auto* example = crypto::FindShippedExample(c)) {
      warnings.push_back(crypto::ShippedExampleMessage("The trusted IdP certificate " +
                                                           c.sha256_fingerprint.substr(0, 16) +
                                                           "... (" + c.subject + ")",
                                                       *example, true));
    }
  }
  if (rt.sp_certificate) {
    if (const auto* example = crypto::FindShippedExample(*rt.sp_certificate)) {
      warnings.push_back(crypto::ShippedExampleMessage(
          "[sso] sp_certificate " + rt.settings.sp_certificate, *example, false));
    }
  }
  if (rt.sp_private_key) {
    if (const auto* example = crypto::FindShippedExample(*rt.sp_private_key)) {
      warnings.push_back(crypto::ShippedExampleMessage(
          "[sso] sp_private_key " + rt.settings.sp_private_key, *example, false));
    }
  }
  return warnings;
}

}  // namespace

sdk::Expected<sdk::AdminOverview> PluginImpl::GetAdminOverview(
    const sdk::AdminOverviewQuery& query) const noexcept {
  return Guarded<sdk::AdminOverview>(
      "GetAdminOverview", [&]() -> sdk::Expected<sdk::AdminOverview> {
        auto rt = Snapshot();
        if (!rt) {
          // The admin needs the precise reason, not just "not configured".
          std::lock_guard lock(mutex_);
          return config_error_;
        }
        if (query.failure_limit < 1 || query.failure_limit > 1000) {
          return sdk::MakeError("plugin.bad_query", "failure_limit must be 1..1000, got " +
                                                        std::to_string(query.failure_limit));
        }
        sdk::AdminOverview out;
        out.description = Describe();
        out.now = rt->Now();
        // What the validator trusts is this snapshot's list; the store only
        // adds where each certificate came from.
        store::CertificateRepository repository(rt->db, rt->settings.site_id);
        auto rows = repository.List(false);
        if (!rows) return std::move(rows).error();
        for (const auto& c : rt->idp_certificates) {
          sdk::CertificateSummary summary{c.subject,    c.issuer,    c.sha256_fingerprint,
                                          c.not_before, c.not_after, "config"};
          for (const auto& row : *rows) {
            if (row.fingerprint == c.sha256_fingerprint) summary.source = row.source;
          }
          out.certificates.push_back(std::move(summary));
        }
        for (const auto& m : rt->settings.mappings) {
          out.mappings.push_back({m.field, identity::LabelOf(m.field), m.attributes});
        }
        for (const auto& rule : rt->routing.rules()) {
          out.routing_rules.push_back({rule.name, rule.text, rule.team});
        }
        out.routing_default_team = rt->routing.default_team();
        out.sp_metadata_path = "/sso/metadata";
        store::AuditLog log(rt->db, rt->settings.site_id);
        auto failures = log.Latest(static_cast<int>(query.failure_limit), "sign_in_rejected");
        if (!failures) return std::move(failures).error();
        for (auto& e : *failures) {
          sdk::SignInFailure f;
          f.at = e.at;
          f.code = std::move(e.code);
          f.message = std::move(e.message);
          f.issuer = std::move(e.issuer);
          f.visitor_id = std::move(e.visitor_id);
          // A row folds at most one refusal per post, so the count cannot
          // realistically reach 2^32; clamp rather than wrap if it did.
          constexpr std::int64_t kMaxCount = 0xFFFFFFFF;
          f.count = static_cast<std::uint32_t>(e.count < 1           ? 1
                                               : e.count > kMaxCount ? kMaxCount
                                                                     : e.count);
          f.last_at = e.last_at;
          f.remote_address = std::move(e.remote_address);
          out.recent_failures.push_back(std::move(f));
        }
        out.warnings = AdminWarnings(*rt);
        return out;
      });
}

sdk::Expected<sdk::HttpResponse> PluginImpl::HandleHttp(const sdk::HttpRequest& request) noexcept {
  return Guarded<sdk::HttpResponse>("HandleHttp", [&]() -> sdk::Expected<sdk::HttpResponse> {
    auto rt = Snapshot();
    if (!rt) {
      sdk::HttpResponse r;
      r.status = 503;
      r.headers = {{"Content-Type", "text/plain; charset=utf-8"}};
      r.body = "Sign-in is not configured.\n";
      return r;
    }
    return HandleSsoRequest(*rt, request);
  });
}

}  // namespace vsso::hooks
