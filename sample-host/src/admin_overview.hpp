// The admin's view of the plugin as `serve` (/api/admin) and `run` (event
// "admin_overview") both report it: Describe() always, then GetAdminOverview.
// Pure apart from the two hook calls; any thread.
#pragma once

#include <cstdint>
#include <string>

#include <boost/json/object.hpp>

#include "visitor_sso/sdk/loader.hpp"

namespace sample_host {

/// `site`: whose overview (SDK 2.1 AdminOverviewQuery::site_id; empty or
/// "default": the default site). site, site_count (Describe), name, version,
/// sdk, enabled, sign_in_policy, certificate_count, mapping_count,
/// sp_entity_id, idp_entity_id (the overview's description of the site; from
/// Describe when the overview fails, null then for another site); then either `overview_error`
/// {code, message} (the hook's error; abi.not_handled for a plugin without
/// the optional overview entry point) or sp_metadata_url, certificates [{subject, issuer,
/// fingerprint, not_before, not_after, days_left, source}], mappings [{field,
/// label, attributes}], routing {rules [{name, text, team}], default_team} and
/// failures [{at, code, message, issuer, visitor_id, count, last_at,
/// remote_address}], newest first, and warnings.
boost::json::object AdminOverviewJson(const visitor_sso::sdk::LoadedPlugin& loaded,
                                      std::uint32_t failure_limit = 20,
                                      const std::string& site = {});

}  // namespace sample_host
