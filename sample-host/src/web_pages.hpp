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

/// The website with the chat button (data-testid chat-button) for `visitor`:
/// it opens the chat window (/chat) in a window of its own, or, `embedded`,
/// in an iframe (title "Chat") inside the page; sign-in then runs in a popup.
std::string WebsitePage(const std::string& visitor, bool embedded);
/// The chat window (data-testid chat-window) of `visitor`.
std::string ChatWindowPage(const std::string& visitor);
/// The agent console: visitor list, visitor details, messaging, end chat.
std::string AgentPage();
/// The History view over SearchHistory.
std::string HistoryPage();
/// The read-only admin page: metadata link, the plugin's description, and
/// from /api/admin its certificates, mappings, routing rules and last sign-in
/// failures (each empty when absent).
std::string AdminPage();

}  // namespace sample_host
