#include "hooks/plugin_impl.hpp"

#include <algorithm>
#include <ctime>

#include <boost/json.hpp>

#include "config/loader.hpp"
#include "crypto/example_certificates.hpp"
#include "hooks/housekeeping.hpp"
#include "hooks/http_endpoints.hpp"
#include "hooks/return_path.hpp"
#include "hooks/routing_fields.hpp"
#include "identity/field_mapper.hpp"
#include "saml/response_validator.hpp"
#include "store/audit_log.hpp"
#include "store/certificate_repository.hpp"
#include "store/idp_metadata_repository.hpp"
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

// Only the fields the site's rules name: all routing reads, and all a
// ChatIdentityCache entry keeps. A key given twice: the last wins.
routing::Fields RoutingFields(const std::vector<sdk::FieldValue>& source,
                              const routing::RuleSet& rules) {
  routing::Fields fields;
  for (const auto& f : source) {
    if (!std::binary_search(rules.fields().begin(), rules.fields().end(), f.key)) continue;
    if (!f.values.empty()) {
      fields[f.key] = f.values;
    } else if (!f.value.empty()) {
      fields[f.key] = {f.value};
    }
  }
  return fields;
}

}  // namespace

PluginImpl::PluginImpl() : PluginImpl(RefresherTiming{}) {}

PluginImpl::PluginImpl(RefresherTiming timing) {
  saml::InitializeXmlLibraries();
  MetadataRefresher::Callbacks callbacks;
  callbacks.current = [this] {
    std::lock_guard lock(mutex_);
    return sites_;
  };
  callbacks.replace = [this](const std::shared_ptr<const Sites>& before,
                             std::shared_ptr<const Sites> after) {
    std::lock_guard lock(mutex_);
    if (sites_ != before) return false;
    sites_ = std::move(after);
    return true;
  };
  callbacks.now =
      timing.now ? std::move(timing.now) : std::function<UnixSeconds()>([this] { return Now(); });
  refresher_ = std::make_unique<MetadataRefresher>(std::move(callbacks), timing.tick);
}

// The thread goes first: it uses this object's members.
PluginImpl::~PluginImpl() { refresher_->Stop(); }

UnixSeconds PluginImpl::Now() const {
  std::lock_guard lock(mutex_);
  return request_.fixed_now != 0 ? request_.fixed_now
                                 : static_cast<UnixSeconds>(std::time(nullptr));
}

PluginImpl::SiteRef PluginImpl::Resolve(std::string_view site_id) const {
  SiteRef ref;
  std::lock_guard lock(mutex_);
  ref.sites = sites_;
  if (!ref.sites) {
    ref.error = config_error_;
    const bool default_site = site_id.empty() || site_id == config::kDefaultSiteId;
    if (default_site) ref.intended_policy = intended_policy_;
    return ref;
  }
  ref.site = ref.sites->Find(site_id);
  if (ref.site == nullptr) {
    // The host names a website this configuration does not know: refuse
    // rather than let a chat of a required site through unsigned.
    const std::string shown = config::IsValidSiteId(site_id)
                                  ? "\"" + std::string(site_id) + "\""
                                  : "with an invalid ID (expected [a-z0-9][a-z0-9-]{0,62})";
    ref.error = {"site.unknown", "no site " + shown + " in " + ref.sites->config().source_path +
                                     " (" + std::to_string(ref.sites->size()) + " sites)"};
    return ref;
  }
  ref.runtime = ref.site->runtime.get();
  if (ref.runtime == nullptr) {
    ref.error = ref.site->error;
    ref.intended_policy = ref.site->intended_policy;
  }
  return ref;
}

namespace {

// Configure and Reload fail when no site can serve (for a single-site file:
// when that file is broken). With several sites, broken ones are reported by
// Reload, the admin overview and `sites list`, and never stop the others.
sdk::Status Outcome(const Sites& sites, bool reload) {
  std::size_t broken = 0;
  std::size_t serving = 0;
  const Site* first = nullptr;
  for (const Site* site : sites.sorted()) {
    if (site->runtime) ++serving;
    if (!site->broken()) continue;
    ++broken;
    if (first == nullptr) first = site;
  }
  if (first == nullptr) return sdk::Ok();
  if (sites.size() == 1) return first->error;
  if (serving > 0 && !reload) return sdk::Ok();
  std::string message = std::to_string(broken) + " of " + std::to_string(sites.size()) +
                        " sites are broken; first: " + first->error.message;
  message += serving > 0 ? " (every other site was loaded)" : "";
  return sdk::Error{first->error.code, std::move(message)};
}

// The refresher thread runs only for a configuration that needs it.
bool UsesMetadataUrl(const Sites& sites) {
  for (const config::SiteConfig& site : sites.config().sites) {
    if (site.settings && !site.settings->idp_metadata_url.empty()) return true;
  }
  return false;
}

}  // namespace

sdk::Status PluginImpl::Configure(const sdk::ConfigureRequest& request) noexcept {
  return Guarded<sdk::Done>("Configure", [&]() -> sdk::Status {
    auto sites = Sites::Load(request.config_path, request.fixed_now, nullptr);
    // A store that cannot be tidied still serves sign-ins; the next run
    // meets the same error.
    if (sites) (void)RunHousekeeping(**sites);
    std::lock_guard lock(mutex_);
    request_ = request;
    if (!sites) {
      sites_.reset();
      config_error_ = sites.error();
      intended_policy_ = config::ReadIntendedSignInPolicy(request.config_path);
      return std::move(sites).error();
    }
    sites_ = std::move(*sites);
    config_error_ = {};
    intended_policy_.reset();
    if (UsesMetadataUrl(*sites_)) refresher_->Start();
    return Outcome(*sites_, false);
  });
}

sdk::Status PluginImpl::Reload() noexcept {
  return Guarded<sdk::Done>("Reload", [&]() -> sdk::Status {
    sdk::ConfigureRequest request;
    std::shared_ptr<const Sites> previous;
    {
      std::lock_guard lock(mutex_);
      request = request_;
      previous = sites_;
    }
    if (request.config_path.empty()) {
      return sdk::MakeError("plugin.not_configured", "Reload before Configure");
    }
    auto sites = Sites::Load(request.config_path, request.fixed_now, previous.get());
    if (!sites) return std::move(sites).error();  // the previous configuration stays
    (void)RunHousekeeping(**sites);
    std::lock_guard lock(mutex_);
    sites_ = std::move(*sites);
    config_error_ = {};
    intended_policy_.reset();
    if (UsesMetadataUrl(*sites_)) refresher_->Start();
    return Outcome(*sites_, true);
  });
}

void PluginImpl::Shutdown() noexcept {
  // Joined outside mutex_, which the thread takes to swap a site.
  refresher_->Stop();
  std::lock_guard lock(mutex_);
  sites_.reset();
  config_error_ = {"plugin.shut_down", "the plugin has been shut down"};
  identities_.Clear();
}

namespace {

void DescribeSite(sdk::PluginDescription& d, const Runtime& rt) {
  d.enabled = rt.settings.enabled;
  d.sign_in_policy = config::ToString(rt.settings.sign_in);
  d.certificate_count = static_cast<std::uint32_t>(rt.idp_certificates.size());
  d.mapping_count = static_cast<std::uint32_t>(rt.settings.mappings.size());
  d.sp_entity_id = rt.settings.sp_entity_id;
  d.idp_entity_id = rt.settings.idp_entity_id;
}

}  // namespace

sdk::PluginDescription PluginImpl::Describe() const noexcept {
  sdk::PluginDescription d;
  d.name = "visitor-sso";
  d.version = VSSO_VERSION;
  d.sdk_major = VISITOR_SSO_SDK_VERSION_MAJOR;
  d.sdk_minor = VISITOR_SSO_SDK_VERSION_MINOR;
  const SiteRef ref = Resolve(config::kDefaultSiteId);
  if (ref.sites) {
    d.site_count = static_cast<std::uint32_t>(ref.sites->size());
    d.site_ids.reserve(ref.sites->size());
    for (const Site* site : ref.sites->sorted()) d.site_ids.push_back(site->id);
  }
  if (ref.runtime != nullptr) DescribeSite(d, *ref.runtime);
  return d;
}

sdk::Expected<sdk::ChatStartResult> PluginImpl::ChatWillStart(const sdk::Chat& chat) noexcept {
  return Guarded<sdk::ChatStartResult>(
      "ChatWillStart", [&]() -> sdk::Expected<sdk::ChatStartResult> {
        sdk::ChatStartResult r;
        const SiteRef ref = Resolve(chat.site_id);
        const Runtime* rt = ref.runtime;
        if (rt == nullptr) {
          // Fail closed where sign-in is (or may be) required; where the admin
          // asked for none or optional, chats go on as guests and the host
          // learns why sign-in is unavailable.
          const bool guests_allowed =
              ref.intended_policy && *ref.intended_policy != config::SignInPolicy::kRequired;
          r.decision =
              guests_allowed ? sdk::ChatStartDecision::kProceed : sdk::ChatStartDecision::kRefuse;
          r.reason_code = ref.error.code.empty() ? "plugin.not_configured" : ref.error.code;
          r.reason = ref.error.message;
          return r;
        }
        if (!rt->settings.enabled || rt->settings.sign_in == config::SignInPolicy::kNone) return r;
        const bool required = rt->settings.sign_in == config::SignInPolicy::kRequired;
        const std::string& site_id = ref.site->id;
        // Before the read: a sign-out racing it keeps its entry out.
        const std::uint64_t generation = identities_.Generation(site_id, chat.visitor.id);
        const UnixSeconds now = rt->Now();
        store::SessionRepository sessions(rt->db, rt->settings.site_id);
        auto live = sessions.FindLiveIdentity(chat.visitor.id, now);
        if (!live || !*live) identities_.Erase(site_id, chat.id, chat.visitor.id);
        if (!live) {
          r.reason_code = live.error().code;
          r.reason = "SSO store unavailable: " + live.error().message;
          r.decision =
              required ? sdk::ChatStartDecision::kRefuse : sdk::ChatStartDecision::kProceed;
          return r;
        }
        if (*live) {
          r.signed_in = true;
          r.customer_id = std::move((*live)->customer_id);
          // Routing of this chat then reads no session (when its rules name
          // no field it reads none anyway).
          if (!chat.id.empty() && !rt->routing.fields().empty()) {
            identities_.Put(site_id, chat.id, chat.visitor.id, ref.site->runtime,
                            RoutingFieldsFromJson((*live)->fields_json, rt->routing.fields()), now,
                            (*live)->expires_at, generation);
          }
          return r;
        }
        const std::string return_url = chat.return_url.empty() ? "/" : chat.return_url;
        // A host's return path that could not pass the login endpoint falls
        // back to the site's root rather than producing a link that always fails.
        r.sign_in_url = SignInUrl(*rt, CheckReturnPath(return_url) ? return_url : "/");
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
        const SiteRef ref = Resolve(chat.site_id);
        const Runtime* rt = ref.runtime;
        if (rt == nullptr) return r;
        store::SessionRepository sessions(rt->db, rt->settings.site_id);
        auto live = sessions.FindLive(chat.visitor.id, rt->Now());
        // Store down: ChatWillStart already refused required chats; the
        // others go on as a guest's, with the survey.
        if (live && *live) {
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
        const SiteRef ref = Resolve(chat.site_id);
        const Runtime* rt = ref.runtime;
        std::optional<store::SsoSession> session;
        if (rt != nullptr) {
          store::SessionRepository sessions(rt->db, rt->settings.site_id);
          auto live = sessions.FindLive(chat.visitor.id, rt->Now());
          // Store down: shown as a guest (unverified), never as verified.
          if (live) session = std::move(*live);
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
        const SiteRef ref = Resolve(chat.site_id);
        const Runtime* rt = ref.runtime;
        if (rt == nullptr) return r;  // the host routes as it would without the plugin
        const routing::RuleSet& rules = rt->routing;
        // Signed-in visitors are routed on what the IdP vouched for; guests
        // (and everyone while the store is down) on what they typed, with the
        // same rules. Where this node started the chat, on what it was
        // started with (ChatIdentityCache); else on the live session.
        const routing::RuleSet::Rule* rule = nullptr;
        if (rules.fields().empty()) {
          // No rule names a field: who the visitor is cannot change the decision.
          rule = rules.Match({});
        } else if (const auto known = identities_.Find(ref.site->id, chat.id, chat.visitor.id,
                                                       ref.site->runtime, rt->Now())) {
          rule = rules.Match(*known);
        } else {
          store::SessionRepository sessions(rt->db, rt->settings.site_id);
          auto live = sessions.FindLiveIdentity(chat.visitor.id, rt->Now());
          rule = rules.Match(live && *live
                                 ? RoutingFieldsFromJson((*live)->fields_json, rules.fields())
                                 : RoutingFields(chat.prechat_answers, rules));
        }
        if (rule != nullptr) {
          r.decision = sdk::RoutingDecision::kRoute;
          r.team = rule->team;
          r.rule = rule->name;
          r.rule_text = rule->text;
        } else if (!rules.default_team().empty()) {
          r.decision = sdk::RoutingDecision::kRoute;
          r.team = rules.default_team();
          r.rule = "default";
        }
        return r;
      });
}

sdk::Expected<sdk::TranscriptTags> PluginImpl::TranscriptWillBeSaved(
    const sdk::Chat& chat, const std::string& transcript_id, const std::string& team) noexcept {
  return Guarded<sdk::TranscriptTags>(
      "TranscriptWillBeSaved", [&]() -> sdk::Expected<sdk::TranscriptTags> {
        const SiteRef ref = Resolve(chat.site_id);
        // A known site's tags are saved even while its file is broken: the
        // store is the platform's, and a transcript must not lose its tag.
        if (ref.site == nullptr || !ref.sites->db()) {
          const sdk::Error& why = ref.site == nullptr ? ref.error : ref.site->error;
          return sdk::MakeError(why.code.empty() ? "plugin.not_configured" : why.code, why.message);
        }
        const std::shared_ptr<store::Database>& db = ref.sites->db();
        const UnixSeconds now = ref.runtime != nullptr ? ref.runtime->Now() : Now();
        store::SessionRepository sessions(db, ref.site->id);
        auto live = sessions.FindLive(chat.visitor.id, now);
        if (!live) return std::move(live).error();
        store::TranscriptTag tag;
        tag.transcript_id = transcript_id;
        tag.chat_id = chat.id;
        tag.visitor_id = chat.visitor.id;
        tag.team = team;
        tag.saved_at = now;
        if (*live) {
          tag.customer_id = (*live)->customer_id;
          tag.idp_entity_id = (*live)->idp_entity_id;
          tag.signed_in = true;
        }
        store::TranscriptRepository transcripts(db, ref.site->id);
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
    const SiteRef ref = Resolve(query.site_id);
    // History is the store's: it stays searchable while a site's file is broken.
    if (ref.site == nullptr || !ref.sites->db()) {
      const sdk::Error& why = ref.site == nullptr ? ref.error : ref.site->error;
      return sdk::MakeError(why.code.empty() ? "plugin.not_configured" : why.code, why.message);
    }
    store::TranscriptRepository transcripts(ref.sites->db(), ref.site->id);
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
        const SiteRef ref = Resolve(query.site_id);
        // The admin needs the precise reason, not just "not configured".
        if (ref.runtime == nullptr) return ref.error;
        const Runtime* rt = ref.runtime;
        if (query.failure_limit < 1 || query.failure_limit > 1000) {
          return sdk::MakeError("plugin.bad_query", "failure_limit must be 1..1000, got " +
                                                        std::to_string(query.failure_limit));
        }
        sdk::AdminOverview out;
        out.description = Describe();
        DescribeSite(out.description, *rt);
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
          out.mappings.push_back({m.field, identity::LabelOf(m.field), m.attributes, m.configured});
        }
        for (const auto& rule : rt->routing.rules()) {
          out.routing_rules.push_back({rule.name, rule.text, rule.team});
        }
        out.routing_default_team = rt->routing.default_team();
        out.sp_metadata_path = rt->EndpointPath("metadata");
        if (rt->url_metadata) {
          // What is in force is this Runtime's copy; the store adds the last
          // attempt, which may have failed since (the copy then stays).
          out.idp_metadata.source_url = rt->settings.idp_metadata_url;
          out.idp_metadata.last_success_at = rt->url_metadata->fetched_at;
          out.idp_metadata.valid_until = rt->url_metadata->valid_until;
          store::IdpMetadataRepository metadata(rt->db, rt->settings.site_id);
          auto row = metadata.Get();
          if (!row) return std::move(row).error();
          if (*row && (*row)->source_url == rt->settings.idp_metadata_url) {
            out.idp_metadata.last_fetch_at = (*row)->attempted_at;
            out.idp_metadata.next_refresh_at = (*row)->next_refresh_at;
            out.idp_metadata.last_error_code = (*row)->error_code;
            out.idp_metadata.last_error_message = (*row)->error_message;
          }
        }
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
        if (ref.site->broken()) {
          // A reload met a broken file; the site serves its previous settings.
          out.warnings.insert(out.warnings.begin(),
                              "The last reload of " + ref.site->config_path +
                                  " failed, so the site still serves its previous configuration: " +
                                  ref.site->error.message);
        }
        return out;
      });
}

sdk::Expected<sdk::HttpResponse> PluginImpl::HandleHttp(const sdk::HttpRequest& request) noexcept {
  return Guarded<sdk::HttpResponse>("HandleHttp", [&]() -> sdk::Expected<sdk::HttpResponse> {
    const std::optional<SsoPath> path = ParseSsoPath(request.path);
    if (!path) return NotFound();
    const SiteRef ref = Resolve(path->site_id);
    if (ref.runtime == nullptr) {
      if (ref.site == nullptr && ref.sites) return NotFound();  // no such site
      return Unavailable(ref.error.code.empty() ? "plugin.not_configured" : ref.error.code);
    }
    sdk::HttpResponse response = HandleSsoRequest(*ref.runtime, path->endpoint, request);
    // A session this request ended or replaced: chats started with it route
    // on the store again (hooks/chat_identity_cache.hpp).
    if (!response.signed_in_visitor_id.empty()) {
      identities_.EraseVisitor(ref.site->id, response.signed_in_visitor_id);
    }
    for (const std::string& visitor : response.signed_out_visitor_ids) {
      identities_.EraseVisitor(ref.site->id, visitor);
    }
    return response;
  });
}

}  // namespace vsso::hooks
