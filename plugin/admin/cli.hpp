// What the visitor-sso-admin commands share: the parsed command line, exit
// codes, messages and opening one site of a configuration.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "hooks/runtime.hpp"

namespace vsso::admin {

// Exit codes: 0 ok, 1 a check failed, 2 usage or configuration error.
constexpr int kOk = 0;
constexpr int kCheckFailed = 1;
constexpr int kUsage = 2;
constexpr UnixSeconds kExpiryWarning = 30 * 24 * 3600;

struct Args {
  std::vector<std::string> positional;
  std::string config;
  std::string now;
  std::string request_id;
  std::string customer_id;
  std::string cursor;
  /// --site: the site whose data a command reads or writes.
  std::string site = "default";
  bool site_given = false;
  int limit = 20;
  bool all = false;
  bool help = false;
};

extern const char* const kUsageText;

/// nullopt with `problem` set on a usage error (unknown option, bad value).
std::optional<Args> Parse(int argc, char** argv, std::string& problem);

/// Prints the problem and the usage text on stderr; returns kUsage.
int Usage(const std::string& problem);
/// Prints "message [code]" on stderr; returns kUsage.
int ConfigError(const Error& e);

std::string Iso(UnixSeconds t);
UnixSeconds Now();

/// The site --site (default "default") of --config, built as the plugin
/// builds it. nullopt with `rc` set (usage or configuration error; an
/// unknown site is "site.unknown").
std::optional<std::shared_ptr<hooks::Runtime>> Open(const Args& a, int& rc,
                                                    UnixSeconds fixed_now = 0);

/// Refuses --site on a command that covers every site.
int RefuseSite(const Args& a, const std::string& command);

// Commands.
int CheckConfig(const Args& a);
int SitesList(const Args& a);
int MetadataRefresh(const Args& a);
int Verify(const Args& a);

}  // namespace vsso::admin
