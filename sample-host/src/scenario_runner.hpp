// Runs scenario events (docs/sample-host.md, "run") against a configured
// plugin, keeping per-visitor state the way a chat platform does: the chat
// window's return URL, the RelayState of a sign-in in progress, what a guest
// typed into the pre-chat survey, and the team the chat was routed to.
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
  struct VisitorState {
    /// RelayState of the sign-in started by the last chat_start, if any.
    std::string pending_relay_state;
    std::vector<visitor_sso::sdk::FieldValue> prechat_answers;
    std::string team;
  };

  visitor_sso::sdk::Chat ChatFor(const std::string& visitor, const std::string& chat_id) const;

  void ChatStart(const std::string& visitor, boost::json::object& result);
  void FollowSignIn(const std::string& visitor, const std::string& sign_in_url,
                    boost::json::object& result);
  void SamlPost(const std::string& visitor, const std::string& file, int line_number,
                boost::json::object& result);
  void Prechat(const std::string& visitor, const boost::json::object& fields, int line_number,
               boost::json::object& result);
  void VisitorInfoEvent(const std::string& visitor, boost::json::object& result);
  void Route(const std::string& visitor, boost::json::object& result);
  void ChatEnd(const std::string& visitor, const std::string& chat_id, boost::json::object& result);
  void History(const boost::json::object& event, int line_number, boost::json::object& result);
  void AdminOverview(const boost::json::object& event, int line_number,
                     boost::json::object& result);

  const visitor_sso::sdk::LoadedPlugin& loaded_;
  visitor_sso::sdk::Plugin& plugin_;
  std::filesystem::path base_dir_;
  std::map<std::string, VisitorState> visitors_;
};

}  // namespace sample_host
