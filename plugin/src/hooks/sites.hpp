// Every site of the loaded configuration, as the hooks see it: an immutable
// map from site ID to that site's Runtime, or to why the site cannot serve.
//
// One broken site file harms only its own site: its required chats are
// refused with the reason, its optional or none chats proceed as guests, and
// every other site is served as usual. A reload builds a new Sites from the
// files and the previous Sites: added sites appear, removed ones go, and a
// site whose new file is broken keeps its previous Runtime and reports the
// error. Sessions live in the shared store, keyed by site, so a reload ends
// none of them.
//
// Looking a site up is one hash-map probe: the cost of a hook does not grow
// with the number of sites.
//
// Threading: immutable after Load; share it as std::shared_ptr<const Sites>.
#pragma once

#include <cstddef>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "common/result.hpp"
#include "config/platform.hpp"
#include "hooks/runtime.hpp"

namespace vsso::hooks {

/// One site and what can be done with it.
struct Site {
  std::string id;
  std::string config_path;  ///< the site file (for a single-site config, that file)
  /// Serving configuration; null when the site has never loaded.
  std::shared_ptr<const Runtime> runtime;
  /// The site's configuration error (code "config.*"), empty when its file
  /// loaded. With a runtime as well, the error is the last reload's and the
  /// site still serves its previous configuration.
  Error error;
  /// For a site without a runtime: the sign-in policy its file asks for, if
  /// readable. Only a required (or unreadable) policy refuses chats.
  std::optional<config::SignInPolicy> intended_policy;
  /// Warnings of the loaded file (acs_url path, key permissions).
  std::vector<std::string> warnings;

  bool broken() const { return !error.code.empty(); }
};

class Sites {
 public:
  /// Loads the platform or single-site file at `path`, opens the shared
  /// database and builds every site. A platform-level problem (file
  /// unreadable, no sites directory, database cannot be opened) fails the
  /// whole load. With `previous` (a reload), see the file comment.
  static Result<std::shared_ptr<const Sites>> Load(const std::string& path, UnixSeconds fixed_now,
                                                   const Sites* previous);

  /// What the metadata refresher changes about one site: a rebuilt Runtime
  /// (error cleared), or none and why (a site that can no longer serve).
  struct SiteUpdate {
    std::string id;
    std::shared_ptr<const Runtime> runtime;
    Error error;
    std::optional<config::SignInPolicy> intended_policy;
  };
  /// A copy of `from` with `updates` applied (the config, the database and
  /// every other site are shared with `from`).
  static std::shared_ptr<const Sites> WithUpdates(const Sites& from,
                                                  const std::vector<SiteUpdate>& updates);

  /// The site `id` ("" means "default"), or nullptr.
  const Site* Find(std::string_view id) const;
  std::size_t size() const { return sites_.size(); }
  /// Every site, sorted by ID.
  const std::vector<const Site*>& sorted() const { return sorted_; }
  const config::PlatformConfig& config() const { return config_; }
  /// The store shared by every site; null only when a single-site file was
  /// too broken to name one.
  const std::shared_ptr<store::Database>& db() const { return db_; }
  /// The pinned clock the sites were built with (0: none).
  UnixSeconds fixed_now() const { return fixed_now_; }

 private:
  config::PlatformConfig config_;
  std::shared_ptr<store::Database> db_;
  UnixSeconds fixed_now_ = 0;
  std::unordered_map<std::string, Site> sites_;
  std::vector<const Site*> sorted_;
};

}  // namespace vsso::hooks
