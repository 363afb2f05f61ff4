#include "hooks/metadata_fetcher.hpp"

#include <curl/curl.h>

#include <memory>
#include <mutex>

namespace vsso::hooks {
namespace {

struct EasyFree {
  void operator()(CURL* c) const { curl_easy_cleanup(c); }
};

struct Sink {
  std::string body;
  std::size_t max_bytes = 0;
  bool too_large = false;
};

std::size_t Write(char* data, std::size_t size, std::size_t count, void* user) {
  auto* sink = static_cast<Sink*>(user);
  const std::size_t n = size * count;
  if (sink->body.size() + n > sink->max_bytes) {
    sink->too_large = true;
    return 0;  // aborts the transfer (CURLE_WRITE_ERROR)
  }
  sink->body.append(data, n);
  return n;
}

}  // namespace

Result<std::string> FetchMetadata(const std::string& url, const FetchOptions& options) {
  // libcurl >= 7.84 initialises itself thread-safely, but once is enough.
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  std::unique_ptr<CURL, EasyFree> curl(curl_easy_init());
  if (!curl) return MakeError("metadata.fetch_failed", url + ": cannot create a libcurl handle");
  CURL* c = curl.get();
  const bool https = url.rfind("https://", 0) == 0;
  const char* scheme = https ? "https" : "http";
  Sink sink;
  sink.max_bytes = options.max_bytes;
  char error_buffer[CURL_ERROR_SIZE] = {0};
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error_buffer);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, scheme);
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, scheme);
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, https ? 1L : 0L);
  curl_easy_setopt(c, CURLOPT_MAXREDIRS, options.max_redirects);
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS,
                   static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, static_cast<long>(options.total_timeout.count()));
  curl_easy_setopt(c, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(options.max_bytes));
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  // "" disables proxies, including those named by environment variables.
  curl_easy_setopt(c, CURLOPT_PROXY, "");
  curl_easy_setopt(c, CURLOPT_USERAGENT, "visitor-sso/" VSSO_VERSION " (metadata refresh)");
  curl_easy_setopt(c, CURLOPT_ACCEPT_ENCODING, "");  // any encoding curl can decode
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Write);
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);

  const CURLcode rc = curl_easy_perform(c);
  if (sink.too_large || rc == CURLE_FILESIZE_EXCEEDED) {
    return MakeError("metadata.too_large", url + ": the document is larger than " +
                                               std::to_string(options.max_bytes) +
                                               " bytes; the transfer was stopped");
  }
  if (rc != CURLE_OK) {
    std::string why = error_buffer[0] != '\0' ? error_buffer : curl_easy_strerror(rc);
    if (rc == CURLE_UNSUPPORTED_PROTOCOL) {
      why += " (only " + std::string(scheme) + " is allowed, also for redirects)";
    } else if (rc == CURLE_TOO_MANY_REDIRECTS) {
      why += " (at most " + std::to_string(options.max_redirects) + " redirects)";
    }
    return MakeError("metadata.fetch_failed", url + ": " + why);
  }
  long status = 0;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
  if (status != 200) {
    std::string message = url + ": the server answered HTTP " + std::to_string(status);
    if (status >= 300 && status < 400) {
      message += https ? " (a redirect beyond what is followed)"
                       : " (an http URL follows no redirect; use the final URL)";
    }
    return MakeError("metadata.http_status", message);
  }
  return std::move(sink.body);
}

}  // namespace vsso::hooks
