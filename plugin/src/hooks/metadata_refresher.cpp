#include "hooks/metadata_refresher.hpp"

#include <string>
#include <utility>
#include <vector>

#include "store/idp_metadata_repository.hpp"

namespace vsso::hooks {

MetadataRefresher::MetadataRefresher(Callbacks callbacks, std::chrono::milliseconds tick)
    : callbacks_(std::move(callbacks)), tick_(tick) {}

MetadataRefresher::~MetadataRefresher() { Stop(); }

void MetadataRefresher::Start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void MetadataRefresher::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void MetadataRefresher::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    lock.unlock();
    try {
      (void)RunOnce();
    } catch (...) {
      // Nothing may escape a thread; the store holds what was recorded and
      // the next tick tries again.
    }
    lock.lock();
    wake_.wait_for(lock, tick_, [this] { return stopping_; });
  }
}

int MetadataRefresher::RunOnce() {
  const std::shared_ptr<const Sites> before = callbacks_.current();
  if (!before || !before->db()) return 0;
  const UnixSeconds now = callbacks_.now();
  std::vector<Sites::SiteUpdate> updates;

  for (const Site* site : before->sorted()) {
    const Runtime* rt = site->runtime.get();
    // The settings to build from: the running Runtime's file settings, or
    // for a site whose metadata could not be had, its file's.
    const config::Settings* settings = nullptr;
    bool failed_site = false;
    if (site->broken() && site->error.code.rfind("metadata.", 0) == 0) {
      const config::SiteConfig* file = before->config().Find(site->id);
      if (file != nullptr && file->settings && !file->settings->idp_metadata_url.empty()) {
        settings = &*file->settings;
        failed_site = true;
      }
    } else if (rt != nullptr && rt->url_metadata && rt->url_metadata->file_settings) {
      settings = rt->url_metadata->file_settings.get();
    }
    if (settings == nullptr) continue;

    store::IdpMetadataRepository repository(before->db(), settings->site_id);
    auto row = repository.Get();
    if (!row) continue;  // store down: next tick
    // SAML Metadata 2.3.1: metadata past its validUntil is not relied on.
    const bool expired =
        !failed_site && rt->url_metadata->valid_until != 0 && now >= rt->url_metadata->valid_until;
    const bool same_url = *row && (*row)->source_url == settings->idp_metadata_url;
    const bool due = !*row || !same_url || now >= (*row)->next_refresh_at || expired;
    if (failed_site) {
      // Built from a stored copy that is still valid (another node or the
      // CLI fetched one), else from a fetch when the retry is due.
      const bool usable_copy = same_url && !(*row)->document.empty() &&
                               ((*row)->valid_until == 0 || (*row)->valid_until > now);
      if (!usable_copy) {
        if (!due) continue;
        if (!RefreshMetadata(*settings, before->db(), now)) continue;  // recorded
      }
    } else {
      // A good copy this Runtime was not built from (another node's fetch,
      // the admin CLI's).
      const bool stored_elsewhere = same_url && !(*row)->document.empty() &&
                                    (*row)->fetched_at != rt->url_metadata->fetched_at;
      if (!due && !stored_elsewhere) continue;
      if (!stored_elsewhere) {
        auto refreshed = RefreshMetadata(*settings, before->db(), now);
        if (!refreshed) {
          // Recorded in the store; the good copy stays in force, unless it
          // has expired: then the site stops serving (fail closed) until a
          // valid document is had, and required chats are refused with why.
          if (expired) {
            updates.push_back(
                {site->id, nullptr,
                 MakeError("metadata.expired",
                           settings->source_path +
                               ": [sso] idp_metadata_url: the IdP metadata in force expired "
                               "(validUntil) and no valid copy could be fetched: " +
                               refreshed.error().message + " [" + refreshed.error().code + "]"),
                 settings->sign_in});
          }
          continue;
        }
      }
    }
    auto built = Runtime::Build(*settings, before->db(), before->fixed_now());
    if (!built) continue;
    updates.push_back({site->id, std::move(*built), {}, std::nullopt});
  }
  if (updates.empty()) return 0;
  const int count = static_cast<int>(updates.size());
  return callbacks_.replace(before, Sites::WithUpdates(*before, updates)) ? count : 0;
}

}  // namespace vsso::hooks
