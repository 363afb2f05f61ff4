// Runs scenario events (docs/sample-host.md, "run") against a configured
// plugin, keeping per-visitor state the way a chat platform does: the chat
// window's return URL, the RelayState of a sign-in in progress, what a guest
// typed into the pre-chat survey, and the team the chat was routed to.
// It also plays each visitor's browser towards the plugin's /sso/ endpoints:
// a cookie jar per visitor (the plugin binds a sign-in to its own cookie),
// and the confirmation of an IdP-initiated sign-in.
//
// Threading: one runner per thread; it is not synchronised. The plugin must
// outlive the runner.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "visitor_sso/sdk/loader.hpp"

namespace sample_host {

/// A cookie the plugin set in a visitor's browser (RFC 6265 5.3, reduced to
/// one host: name, value and path; no expiry clock).
struct BrowserCookie {
  std::string name;
  std::string value;
  std::string path;
};

class ScenarioRunner {
 public:
  /// Files named by events (saml_post "file") are relative to `base_dir`.
  /// `loaded` must outlive the runner.
  ScenarioRunner(const visitor_sso::sdk::LoadedPlugin& loaded, std::filesystem::path base_dir);

  /// Runs the event on one scenario line (already known not to be blank or a
  /// comment) and returns its result object. Never throws for a bad line or a
  /// refusal by the plugin: those become results with "ok": false.
  boost::json::object RunLine(const std::string& line, int line_number);

 private:
  /// A visitor's chat on one website: a chat platform keeps these per site,
  /// so a sign-in or survey on one site is never another site's.
  struct SiteChatState {
    /// RelayState of the sign-in started by the last chat_start, if any.
    std::string pending_relay_state;
    std::vector<visitor_sso::sdk::FieldValue> prechat_answers;
    std::string team;
  };
  /// One visitor's browser: its cookies go to every site's endpoints (the
  /// plugin scopes its own), its chats are per site.
  struct VisitorState {
    std::vector<BrowserCookie> cookies;
    /// By site ID; "" is the default site.
    std::map<std::string, SiteChatState> sites;
  };

  /// `site` is the event's site ("" for the default site).
  SiteChatState& StateOf(const std::string& visitor, const std::string& site);
  visitor_sso::sdk::Chat ChatFor(const std::string& visitor, const std::string& site,
                                 const std::string& chat_id) const;

  void ChatStart(const std::string& visitor, const std::string& site, boost::json::object& result);
  void FollowSignIn(const std::string& visitor, const std::string& site,
                    const std::string& sign_in_url, boost::json::object& result);
  /// What saml_post does besides the visitor: the file to post, whose
  /// RelayState to post with it, and whether the visitor confirms an
  /// IdP-initiated sign-in when the ACS asks.
  struct SamlPostOptions {
    std::string file;
    std::string relay_state_of;
    bool confirm = true;
  };
  /// Posts to the site's ACS (SsoPath(site, "acs")) with the visitor's
  /// pending RelayState of that site.
  void SamlPost(const std::string& visitor, const std::string& site, const SamlPostOptions& options,
                int line_number, boost::json::object& result);
  /// The visitor's browser sends `request` to the host, which forwards it to
  /// HandleHttp with the host's visitor_id and the browser's cookies; the
  /// response's Set-Cookie headers go into the visitor's jar. False (and
  /// `result` failed) when the hook fails or the host must refuse a header.
  bool Browse(const std::string& visitor, visitor_sso::sdk::HttpRequest request,
              visitor_sso::sdk::HttpResponse& response, boost::json::object& result);
  /// Reports the last response of a saml_post (status, location,
  /// signed_in_visitor) and fails `result` unless it signed in `visitor`;
  /// `who` names the endpoint in the message.
  void Finish(const std::string& visitor, const visitor_sso::sdk::HttpResponse& final_response,
              const std::string& who, boost::json::object& result);
  /// The visitor presses "Continue" on the plugin's confirmation page.
  void Confirm(const std::string& visitor, const visitor_sso::sdk::HttpResponse& page,
               boost::json::object& result);
  void Prechat(const std::string& visitor, const std::string& site,
               const boost::json::object& fields, int line_number, boost::json::object& result);
  void VisitorInfoEvent(const std::string& visitor, const std::string& site,
                        boost::json::object& result);
  void Route(const std::string& visitor, const std::string& site, boost::json::object& result);
  void ChatEnd(const std::string& visitor, const std::string& site, const std::string& chat_id,
               boost::json::object& result);
  void History(const boost::json::object& event, const std::string& site, int line_number,
               boost::json::object& result);
  void AdminOverview(const boost::json::object& event, const std::string& site, int line_number,
                     boost::json::object& result);

  const visitor_sso::sdk::LoadedPlugin& loaded_;
  visitor_sso::sdk::Plugin& plugin_;
  std::filesystem::path base_dir_;
  std::map<std::string, VisitorState> visitors_;
};

}  // namespace sample_host
