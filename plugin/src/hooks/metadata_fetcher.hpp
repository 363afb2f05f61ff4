// Fetches an IdP metadata document over HTTP(S) with libcurl (issue 14).
// Bounded in every way a remote server could stretch it: connect and total
// timeouts, a size cap that aborts the transfer, at most a few redirects
// and only to the URL's own scheme (an https URL never falls back to
// http), TLS peer and host verification on (the system's CA store), and no
// proxy from the environment (http_proxy/https_proxy/ALL_PROXY are ignored,
// so what is fetched does not depend on the environment of whichever
// process happens to load the plugin). An http URL (loopback only, see
// config) follows no redirect at all.
//
// Never called from a hook: at Configure (a site without a stored copy),
// from the refresher thread, and by `visitor-sso-admin metadata refresh`.
// Threading: re-entrant (one curl easy handle per call; CURLOPT_NOSIGNAL).
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "common/result.hpp"

namespace vsso::hooks {

struct FetchOptions {
  std::chrono::milliseconds connect_timeout{5000};
  std::chrono::milliseconds total_timeout{15000};
  std::size_t max_bytes = 4 * 1024 * 1024;
  long max_redirects = 3;
};

/// The body of a 200 answer. Errors: metadata.fetch_failed (DNS, connect,
/// TLS, timeout, a redirect to another scheme or too many), metadata.http_status
/// (any other final status), metadata.too_large (body over max_bytes).
/// Messages name the URL.
Result<std::string> FetchMetadata(const std::string& url, const FetchOptions& options = {});

}  // namespace vsso::hooks
