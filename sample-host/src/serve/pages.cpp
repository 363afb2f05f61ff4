#include "serve/pages.hpp"

#include <stdexcept>

#include "serve/web_assets.hpp"

namespace sample_host::serve {

std::string HtmlEscape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

std::string RenderPage(std::string_view name,
                       const std::vector<std::pair<std::string, std::string>>& values) {
  const auto page = FindWebAsset(name);
  if (!page) throw std::logic_error("no embedded page " + std::string(name));
  std::string out;
  out.reserve(page->size());
  std::size_t at = 0;
  while (at < page->size()) {
    const std::size_t open = page->find("{{", at);
    if (open == std::string_view::npos) {
      out.append(page->substr(at));
      break;
    }
    const std::size_t close = page->find("}}", open + 2);
    if (close == std::string_view::npos)
      throw std::logic_error("unclosed {{ in " + std::string(name));
    out.append(page->substr(at, open - at));
    const std::string_view key = page->substr(open + 2, close - open - 2);
    bool found = false;
    for (const auto& [k, v] : values) {
      if (k == key) {
        out += HtmlEscape(v);
        found = true;
        break;
      }
    }
    if (!found)
      throw std::logic_error("no value for {{" + std::string(key) + "}} in " + std::string(name));
    at = close + 2;
  }
  return out;
}

Response PageResponse(const Request& request, http::status status, std::string html,
                      Framing framing, std::string_view frame_ancestors, std::string_view frame_src,
                      FormAction form_action) {
  Response response = MakeResponse(request, status, "text/html; charset=utf-8", std::move(html));
  std::string csp =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
      "object-src 'none'; base-uri 'none'; form-action 'self'";
  if (form_action == FormAction::kSelfThenAnywhere) csp += " http: https:";
  csp += "; frame-src ";
  csp += frame_src.empty() ? std::string_view("'none'") : frame_src;
  csp += "; frame-ancestors ";
  if (framing == Framing::kNobody) {
    csp += "'none'";
    response.set("X-Frame-Options", "DENY");
  } else {
    csp += "'self'";
    if (!frame_ancestors.empty()) {
      csp += ' ';
      csp += frame_ancestors;
    }
  }
  response.set("Content-Security-Policy", csp);
  return response;
}

Response AssetResponse(const Request& request, std::string_view file) {
  const std::string_view type = file.ends_with(".css")  ? "text/css; charset=utf-8"
                                : file.ends_with(".js") ? "text/javascript; charset=utf-8"
                                                        : "";
  const auto content = type.empty() ? std::nullopt : FindWebAsset(file);
  if (!content) {
    return MakeResponse(request, http::status::not_found, "text/plain", "Not found\n");
  }
  Response response = MakeResponse(request, http::status::ok, type, std::string(*content));
  // Embedded in the binary: they change only with it.
  response.set(http::field::cache_control, "no-cache");
  return response;
}

}  // namespace sample_host::serve
