// The admin's view of the plugin as `serve` (/api/admin) and `run` (event
// "admin_overview") both report it: Describe() always, then GetAdminOverview.
// Pure apart from the two hook calls; any thread.
#pragma once

#include <cstdint>

#include <boost/json/object.hpp>

#include "visitor_sso/sdk/loader.hpp"

namespace sample_host {

/// name, version, sdk, enabled, sign_in_policy, certificate_count,
/// mapping_count, sp_entity_id, idp_entity_id; then either `overview_error`
/// {code, message} (the hook's error; abi.not_handled for a plugin without
/// the optional overview entry point) or sp_metadata_url, certificates [{subject, issuer,
/// fingerprint, not_before, not_after, days_left, source}], mappings [{field,
/// label, attributes}], routing {rules [{name, text, team}], default_team} and
/// failures [{at, code, message, issuer, visitor_id, count, last_at,
/// remote_address}], newest first, and warnings.
boost::json::object AdminOverviewJson(const visitor_sso::sdk::LoadedPlugin& loaded,
                                      std::uint32_t failure_limit = 20);

}  // namespace sample_host
