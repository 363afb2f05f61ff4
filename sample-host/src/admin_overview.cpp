#include "admin_overview.hpp"

#include <string>

#include <boost/json.hpp>

#include "wire.hpp"

namespace sample_host {

namespace json = boost::json;
namespace sdk = visitor_sso::sdk;

namespace {

// The description fields of the admin page; `of_site` false: the plugin's
// own (name, version, SDK) only, null for those describing a site.
void PutDescription(json::object& out, const sdk::PluginDescription& d, bool of_site) {
  out["name"] = d.name;
  out["version"] = d.version;
  out["sdk"] = std::to_string(d.sdk_major) + "." + std::to_string(d.sdk_minor);
  if (!of_site) {
    for (const char* key : {"enabled", "sign_in_policy", "certificate_count", "mapping_count",
                            "sp_entity_id", "idp_entity_id"}) {
      out[key] = nullptr;
    }
    return;
  }
  out["enabled"] = d.enabled;
  out["sign_in_policy"] = d.sign_in_policy;
  out["certificate_count"] = d.certificate_count;
  out["mapping_count"] = d.mapping_count;
  out["sp_entity_id"] = d.sp_entity_id;
  out["idp_entity_id"] = d.idp_entity_id;
}

}  // namespace

json::object AdminOverviewJson(const sdk::LoadedPlugin& loaded, std::uint32_t failure_limit,
                               const std::string& site) {
  // Describe() speaks for the default site; the overview's own description
  // (below) for the site asked about.
  const sdk::PluginDescription d = loaded.plugin->Describe();
  json::object out;
  const bool query_is_default = site.empty() || site == kDefaultSite;
  out["site"] = query_is_default ? std::string(kDefaultSite) : site;
  out["site_count"] = d.site_count;
  PutDescription(out, d, query_is_default);
  // A plugin without the optional vsso_plugin_get_admin_overview answers
  // "abi.not_handled" below, like any other overview error.
  sdk::AdminOverviewQuery query;
  query.failure_limit = failure_limit;
  query.site_id = query_is_default ? std::string() : site;
  auto overview = loaded.plugin->GetAdminOverview(query);
  if (!overview) {
    out["overview_error"] = {{"code", overview.error().code},
                             {"message", overview.error().message}};
    return out;
  }
  PutDescription(out, overview->description, true);
  out["sp_metadata_url"] = overview->sp_metadata_path;
  json::array certificates;
  for (const auto& c : overview->certificates) {
    // Whole days, rounded down: "expires in 0 days" is still valid today.
    const std::int64_t left = c.not_after - overview->now;
    const std::int64_t days = left >= 0 ? left / 86400 : -((-left + 86399) / 86400);
    certificates.push_back({{"subject", c.subject},
                            {"issuer", c.issuer},
                            {"fingerprint", c.fingerprint_sha256},
                            {"not_before", FormatRfc3339(c.not_before)},
                            {"not_after", FormatRfc3339(c.not_after)},
                            {"days_left", days},
                            {"source", c.source}});
  }
  out["certificates"] = std::move(certificates);
  json::array mappings;
  for (const auto& m : overview->mappings) {
    json::array attributes;
    for (const auto& a : m.attributes) attributes.emplace_back(a);
    mappings.push_back({{"field", m.field},
                        {"label", m.label},
                        {"configured", m.configured},
                        {"attributes", std::move(attributes)}});
  }
  out["mappings"] = std::move(mappings);
  json::array rules;
  for (const auto& r : overview->routing_rules) {
    rules.push_back({{"name", r.name}, {"text", r.text}, {"team", r.team}});
  }
  out["routing"] = {{"rules", std::move(rules)}, {"default_team", overview->routing_default_team}};
  // SDK 2.2: null for a site without idp_metadata_url; times RFC 3339, ""
  // for none.
  const sdk::IdpMetadataStatus& md = overview->idp_metadata;
  const auto at = [](sdk::UnixSeconds t) { return t != 0 ? FormatRfc3339(t) : std::string(); };
  if (md.source_url.empty()) {
    out["idp_metadata"] = nullptr;
  } else {
    out["idp_metadata"] = {{"source_url", md.source_url},
                           {"last_fetch_at", at(md.last_fetch_at)},
                           {"last_success_at", at(md.last_success_at)},
                           {"next_refresh_at", at(md.next_refresh_at)},
                           {"valid_until", at(md.valid_until)},
                           {"error_code", md.last_error_code},
                           {"error_message", md.last_error_message}};
  }
  json::array failures;
  for (const auto& f : overview->recent_failures) {
    json::object failure{{"at", FormatRfc3339(f.at)},
                         {"code", f.code},
                         {"message", f.message},
                         {"issuer", f.issuer},
                         {"visitor_id", f.visitor_id},
                         {"count", f.count},
                         {"last_at", FormatRfc3339(f.last_at)},
                         {"remote_address", f.remote_address}};
    failures.push_back(std::move(failure));
  }
  out["failures"] = std::move(failures);
  json::array warnings;
  for (const auto& w : overview->warnings) warnings.emplace_back(w);
  out["warnings"] = std::move(warnings);
  return out;
}

}  // namespace sample_host
