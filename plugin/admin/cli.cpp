#include "cli.hpp"

#include <ctime>
#include <iostream>

#include "common/time.hpp"
#include "config/platform.hpp"

namespace vsso::admin {

const char* const kUsageText =
    "usage: visitor-sso-admin <command> [options]\n"
    "  check-config CONFIG\n"
    "  sites list --config CONFIG\n"
    "  certs list --config CONFIG [--site ID] [--all]\n"
    "  certs add --config CONFIG [--site ID] FILE.pem\n"
    "  certs remove --config CONFIG [--site ID] FINGERPRINT\n"
    "  mappings list --config CONFIG [--site ID]\n"
    "  metadata import --config CONFIG [--site ID] FILE.xml\n"
    "  metadata refresh --config CONFIG [--site ID]\n"
    "  verify --config CONFIG [--site ID] [--now RFC3339] [--request-id ID] FILE...\n"
    "  failures --config CONFIG [--site ID] [--limit N]\n"
    "  history --config CONFIG [--site ID] --customer-id ID [--limit N] [--cursor C]\n"
    "CONFIG: a platform file ([platform]) or a single-site file ([sso], the site 'default').\n"
    "--site ID: the site of a platform file (its site file's name without extension;\n"
    "  default 'default'), matching [a-z0-9][a-z0-9-]{0,62}.\n"
    "exit: 0 ok, 1 a check failed, 2 usage or configuration error\n";

int Usage(const std::string& problem) {
  std::cerr << "visitor-sso-admin: " << problem << "\n" << kUsageText;
  return kUsage;
}

int ConfigError(const Error& e) {
  std::cerr << "visitor-sso-admin: " << e.message << " [" << e.code << "]\n";
  return kUsage;
}

std::string Iso(UnixSeconds t) { return vsso::time::FormatUtc(t); }

UnixSeconds Now() { return static_cast<UnixSeconds>(std::time(nullptr)); }

std::optional<Args> Parse(int argc, char** argv, std::string& problem) {
  Args a;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    std::string value;
    bool has_inline = false;
    if (arg.rfind("--", 0) == 0) {
      if (auto eq = arg.find('='); eq != std::string::npos) {
        value = arg.substr(eq + 1);
        arg = arg.substr(0, eq);
        has_inline = true;
      }
    }
    auto take = [&](std::string& out) {
      if (has_inline) {
        out = value;
        return true;
      }
      if (i + 1 >= argc) {
        problem = arg + " needs a value";
        return false;
      }
      out = argv[++i];
      return true;
    };
    if (arg == "--config" || arg == "-c") {
      if (!take(a.config)) return std::nullopt;
    } else if (arg == "--site") {
      if (!take(a.site)) return std::nullopt;
      // Checked here, before any file is read: the ID is also a file name
      // and a URL path segment, so nothing else could name a site.
      if (!config::IsValidSiteId(a.site)) {
        problem = "--site \"" + a.site +
                  "\" is not a site ID: it must match [a-z0-9][a-z0-9-]{0,62} (lower-case "
                  "letters, digits and '-', starting with a letter or digit, at most 63 "
                  "characters); `visitor-sso-admin sites list --config CONFIG` lists the sites";
        return std::nullopt;
      }
      a.site_given = true;
    } else if (arg == "--now") {
      if (!take(a.now)) return std::nullopt;
    } else if (arg == "--request-id") {
      if (!take(a.request_id)) return std::nullopt;
    } else if (arg == "--customer-id") {
      if (!take(a.customer_id)) return std::nullopt;
    } else if (arg == "--cursor") {
      if (!take(a.cursor)) return std::nullopt;
    } else if (arg == "--limit") {
      std::string v;
      if (!take(v)) return std::nullopt;
      try {
        a.limit = std::stoi(v);
      } catch (...) {
        a.limit = 0;
      }
      if (a.limit <= 0 || a.limit > 10000) {
        problem = "--limit must be a number from 1 to 10000";
        return std::nullopt;
      }
    } else if (arg == "--all") {
      a.all = true;
    } else if (arg == "--help" || arg == "-h") {
      a.help = true;
    } else if (arg.size() > 1 && arg[0] == '-') {
      problem = "unknown option " + arg;
      return std::nullopt;
    } else {
      a.positional.push_back(arg);
    }
  }
  return a;
}

std::optional<std::shared_ptr<hooks::Runtime>> Open(const Args& a, int& rc, UnixSeconds fixed_now) {
  if (a.config.empty()) {
    rc = Usage("--config CONFIG is required");
    return std::nullopt;
  }
  // The same loader and builder as the plugin's, for this one site: what
  // the command reads or writes is that site's only.
  auto rt = hooks::Runtime::Build(a.config, fixed_now, a.site);
  if (!rt) {
    rc = ConfigError(rt.error());
    return std::nullopt;
  }
  return std::move(*rt);
}

int RefuseSite(const Args& a, const std::string& command) {
  if (!a.site_given) return kOk;
  return Usage("--site is not an option of " + command + ": it covers every site");
}

}  // namespace vsso::admin
