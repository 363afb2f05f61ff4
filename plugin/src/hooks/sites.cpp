#include "hooks/sites.hpp"

#include <algorithm>
#include <utility>

namespace vsso::hooks {

Result<std::shared_ptr<const Sites>> Sites::Load(const std::string& path, UnixSeconds fixed_now,
                                                 const Sites* previous) {
  auto platform = config::LoadPlatform(path, previous != nullptr ? &previous->config_ : nullptr);
  if (!platform) return std::move(platform).error();

  auto sites = std::make_shared<Sites>();
  // One Database per file per process: a reload keeps the open one (its
  // connections, its thread) unless the platform now names another database
  // or password.
  if (platform->database.empty()) {
    // A single-site file too broken to name its database: nothing to open,
    // and its one site carries the error.
  } else if (previous != nullptr && previous->db_ && previous->db_->path() == platform->database &&
             previous->config_.database_password == platform->database_password) {
    sites->db_ = previous->db_;
  } else {
    store::DatabaseOptions options;
    options.password = platform->database_password;
    auto db = store::Database::Open(platform->database, options);
    if (!db) {
      return MakeError(db.error().code,
                       platform->source_path + ": [platform] database: " + db.error().message);
    }
    sites->db_ = std::move(*db);
  }

  sites->fixed_now_ = fixed_now;
  sites->sites_.reserve(platform->sites.size());
  for (const config::SiteConfig& file : platform->sites) {
    Site site;
    site.id = file.id;
    site.config_path = file.path;
    site.warnings = file.warnings;
    if (file.settings) {
      auto rt = Runtime::Build(*file.settings, sites->db_, fixed_now);
      if (rt) {
        site.runtime = std::move(*rt);
      } else {
        site.error = std::move(rt).error();
      }
    } else {
      site.error = file.settings.error();
    }
    if (site.broken()) {
      site.intended_policy = file.intended_policy;
      // A reload with a broken file keeps what the site served before.
      if (const Site* before = previous != nullptr ? previous->Find(file.id) : nullptr) {
        site.runtime = before->runtime;
      }
    }
    sites->sites_.emplace(file.id, std::move(site));
  }
  sites->sorted_.reserve(sites->sites_.size());
  for (const auto& [id, site] : sites->sites_) sites->sorted_.push_back(&site);
  std::sort(sites->sorted_.begin(), sites->sorted_.end(),
            [](const Site* a, const Site* b) { return a->id < b->id; });
  sites->config_ = std::move(*platform);
  return std::shared_ptr<const Sites>(std::move(sites));
}

std::shared_ptr<const Sites> Sites::WithUpdates(const Sites& from,
                                                const std::vector<SiteUpdate>& updates) {
  auto sites = std::make_shared<Sites>();
  sites->config_ = from.config_;
  sites->db_ = from.db_;
  sites->fixed_now_ = from.fixed_now_;
  sites->sites_ = from.sites_;
  for (const SiteUpdate& update : updates) {
    const auto it = sites->sites_.find(update.id);
    if (it == sites->sites_.end()) continue;
    it->second.runtime = update.runtime;
    it->second.error = update.error;
    it->second.intended_policy = update.runtime ? std::nullopt : update.intended_policy;
  }
  sites->sorted_.reserve(sites->sites_.size());
  for (const auto& [id, site] : sites->sites_) sites->sorted_.push_back(&site);
  std::sort(sites->sorted_.begin(), sites->sorted_.end(),
            [](const Site* a, const Site* b) { return a->id < b->id; });
  return sites;
}

const Site* Sites::Find(std::string_view id) const {
  const auto it = sites_.find(std::string(id.empty() ? config::kDefaultSiteId : id));
  return it == sites_.end() ? nullptr : &it->second;
}

}  // namespace vsso::hooks
