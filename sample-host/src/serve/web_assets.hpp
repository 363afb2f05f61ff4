// The files of sample-host/web (pages, CSS, JavaScript), embedded in the
// binary at build time by cmake/embed_web.cmake: serve needs no files at run
// time, and the pages stay real files that a linter (ESLint) and a browser
// read as they are.
#pragma once

#include <optional>
#include <span>
#include <string_view>

namespace sample_host::serve {

struct WebAsset {
  std::string_view name;  ///< file name in sample-host/web, e.g. "chat.js"
  std::string_view content;
};

/// Every embedded file (the generated web_assets.cpp).
std::span<const WebAsset> WebAssets();

/// The content of web/<name>, or nullopt.
inline std::optional<std::string_view> FindWebAsset(std::string_view name) {
  for (const WebAsset& asset : WebAssets()) {
    if (asset.name == name) return asset.content;
  }
  return std::nullopt;
}

}  // namespace sample_host::serve
