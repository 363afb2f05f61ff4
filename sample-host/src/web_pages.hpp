// The HTML pages of `serve`, embedded in the binary so the host needs no files
// at run time. Each page is plain HTML with vanilla inline JavaScript, no
// external resources; every value from the server is inserted with
// textContent (or HtmlEscape here), never as markup. Pure functions, any
// thread.
#pragma once

#include <string>
#include <string_view>

namespace sample_host {

/// Escapes & < > " ' for HTML text and attribute values.
std::string HtmlEscape(std::string_view text);

/// The website with the chat button (data-testid chat-button) for `visitor`.
std::string WebsitePage(const std::string& visitor, bool embedded);
/// The chat window (data-testid chat-window) of `visitor`.
std::string ChatWindowPage(const std::string& visitor);
/// The agent console: visitor list, visitor details, messaging, end chat.
std::string AgentPage();
/// The History view over SearchHistory.
std::string HistoryPage();
/// The read-only admin page: metadata link and the plugin's description.
std::string AdminPage();

}  // namespace sample_host
