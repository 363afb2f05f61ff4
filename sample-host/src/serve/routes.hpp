// The route table of serve: each route is {method, path, who may call it,
// what body it takes, on which origins, handler}. app.cpp applies the
// guards a route declares before its handler runs, in one place:
//   1. the Host header must name the public origin or a website origin (421);
//   2. a state-changing route (body kJson or kForm) refuses cross-site
//      requests (403): kJson needs Content-Type application/json and an
//      Origin (or Referer) of the public origin; kForm needs a form body,
//      no foreign Origin, and its handler checks the CSRF token bound to the
//      session;
//   3. kVisitor needs a valid visitor cookie, kAgent an agent session (401;
//      agent pages answer with the login page instead).
// A route of Scope::kSite belongs to a website: it answers at its path for
// the default site and under /s/<site>/ for every site serve serves
// (--site); app.cpp takes the prefix off, puts the site in Call::site and
// refuses a site it does not serve (404 host.unknown_site).
// Paths match exactly; the plugin's /sso/* and the files under /web/ are
// handled before the table.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <boost/json/object.hpp>

#include "serve/http_basics.hpp"

namespace sample_host::serve {

enum class Access {
  kAnyone,
  kVisitor,  ///< Call::visitor is the cookie's visitor
  kAgent,    ///< Call::agent_session is a live session
};

enum class Body {
  kNone,  ///< GET: never changes state
  kJson,  ///< a JSON object, same-origin only (Call::json)
  kForm,  ///< an HTML form post with a CSRF token (Call::form)
};

enum class Site {
  kChatHost,  ///< only on --public-origin
  kAnySite,   ///< also on each --website-origin (the demo website)
};

enum class Scope {
  kHost,  ///< one for the whole host (agent pages and APIs, login)
  kSite,  ///< per website: also under /s/<site>/ (Call::site)
};

/// One request as a handler sees it, after the guards.
struct Call {
  Request request;
  Target target;
  Client client;
  bool on_chat_host = true;  ///< false: the Host named a website origin
  /// The website of a kSite route: from the /s/<site>/ prefix, else "default".
  std::string site = "default";
  bool site_prefixed = false;  ///< the path came under /s/<site>/
  std::string visitor;
  std::string agent_session;
  boost::json::object json;
  std::vector<std::pair<std::string, std::string>> form;

  std::string FormValue(std::string_view name) const;
};

/// Handlers may keep the call (shared) and answer later.
using Handler = std::function<void(const std::shared_ptr<Call>&, Respond)>;

struct Route {
  http::verb method;
  std::string_view path;
  Access access;
  Body body;
  Site site;
  Handler handler;
  Scope scope = Scope::kHost;
};

class RouteTable {
 public:
  void Add(Route route) { routes_.push_back(std::move(route)); }

  struct Match {
    const Route* route = nullptr;  ///< null: no route for this method
    bool path_known = false;       ///< the path has routes for other methods
    std::string allow;             ///< those methods, for 405's Allow header
  };
  /// `site_prefixed`: the path came under /s/<site>/, so only kSite routes match.
  Match Find(http::verb method, std::string_view path, bool site_prefixed = false) const;

 private:
  std::vector<Route> routes_;
};

}  // namespace sample_host::serve
