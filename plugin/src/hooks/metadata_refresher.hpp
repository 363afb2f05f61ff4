// The plugin's one background thread for IdP metadata by URL (issue 14).
// Each tick (a minute) it looks at every site with idp_metadata_url:
//   - the store holds another good copy than the site's Runtime was built
//     from (fetched by another node or by `visitor-sso-admin metadata
//     refresh`): the site is rebuilt from it;
//   - the site's next_refresh_at has come (NextMetadataRefreshAt: the
//     refresh interval, sooner per cacheDuration/validUntil, at least a
//     minute apart, a failure retried after a minute): the document is
//     fetched and validated; a good one is stored and the site rebuilt, a
//     failure is only recorded and the last good copy stays in force;
//   - the copy in force has passed its validUntil (SAML Metadata 2.3.1)
//     and no valid one can be fetched: the site stops serving with
//     metadata.expired (fail closed: required chats are refused with it);
//   - a site that could not load because its metadata could not be had
//     (metadata.* error) is built again when its retry is due.
// A rebuilt Runtime is swapped into a new Sites snapshot at once, so a key
// rollover takes effect with no admin action; hooks never wait for a fetch.
//
// The thread never calls into the host (abi.h: there are no host
// callbacks; outcomes are in the store and the admin overview). Stop()
// wakes it through a condition variable and joins it: at most one fetch in
// progress (bounded by the fetcher's timeouts) delays it.
//
// Threading: Start/Stop/Wake from any thread, not concurrently with each
// other's Stop; RunOnce is what the thread runs, callable directly (tests,
// one pass).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>

#include "hooks/idp_metadata_source.hpp"
#include "hooks/sites.hpp"

namespace vsso::hooks {

class MetadataRefresher {
 public:
  struct Callbacks {
    /// The current snapshot (may be null).
    std::function<std::shared_ptr<const Sites>()> current;
    /// Installs `after` if `before` is still current (no Reload came in
    /// between); false otherwise, and the pass's work is redone next tick.
    std::function<bool(const std::shared_ptr<const Sites>& before,
                       std::shared_ptr<const Sites> after)>
        replace;
    /// Unix time; the plugin's clock (pinned when the host pins it).
    std::function<UnixSeconds()> now;
  };

  /// `tick`: how often the thread looks (production: a minute; tests pass
  /// less, with a clock of their own, to see several passes quickly; the
  /// fetch schedule's floor is NextMetadataRefreshAt's either way).
  explicit MetadataRefresher(Callbacks callbacks,
                             std::chrono::milliseconds tick = std::chrono::seconds(60));
  MetadataRefresher(const MetadataRefresher&) = delete;
  MetadataRefresher& operator=(const MetadataRefresher&) = delete;
  ~MetadataRefresher();

  /// Starts the thread unless it runs.
  void Start();
  /// Wakes the thread and joins it.
  void Stop();

  /// One pass over the current snapshot; how many sites changed.
  int RunOnce();

 private:
  void Loop();

  Callbacks callbacks_;
  std::chrono::milliseconds tick_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace vsso::hooks
