#include "config/reader.hpp"

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <system_error>
#include <vector>

#include <boost/property_tree/ini_parser.hpp>
#include <boost/property_tree/json_parser.hpp>

namespace vsso::config::detail {
namespace {

namespace fs = std::filesystem;

bool IsSpace(char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }

// Optimal string alignment distance: a swap of two neighbours ("emial")
// counts as one typo, like an insertion or deletion.
std::size_t EditDistance(std::string_view a, std::string_view b) {
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t cost = a[i - 1] == b[j - 1] ? 0 : 1;
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) {
        d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
      }
    }
  }
  return d[a.size()][b.size()];
}

}  // namespace

Result<Format> FormatOf(const std::string& path) {
  const std::string extension = Lower(fs::path(path).extension().string());
  if (extension == ".ini") return Format::kIni;
  if (extension == ".json") return Format::kJson;
  return MakeError("config.unsupported_format", path + ": unsupported file extension " +
                                                    Quote(extension) + "; expected .ini or .json");
}

Result<std::string> ReadWholeFile(const std::string& path) {
  std::error_code ec;
  const fs::file_status status = fs::status(path, ec);
  if (!fs::exists(status)) {
    return MakeError("config.file_missing", path + ": configuration file not found");
  }
  if (!fs::is_regular_file(status)) {
    return MakeError("config.file_unreadable", path + ": not a regular file");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return MakeError("config.file_unreadable",
                     path + ": cannot be opened for reading (" + std::strerror(errno) + ")");
  }
  std::string text{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
  if (in.bad()) return MakeError("config.file_unreadable", path + ": read error");
  // Editors on Windows like to start files with a UTF-8 byte order mark.
  if (text.starts_with("\xEF\xBB\xBF")) text.erase(0, 3);
  return text;
}

Result<boost::property_tree::ptree> ParseTree(const std::string& path, const std::string& text,
                                              Format format) {
  boost::property_tree::ptree root;
  try {
    std::istringstream in(text);
    if (format == Format::kIni) {
      boost::property_tree::read_ini(in, root);
    } else {
      boost::property_tree::read_json(in, root);
    }
  } catch (const boost::property_tree::file_parser_error& e) {
    return MakeError("config.parse_error",
                     path + ":" + std::to_string(e.line()) + ": syntax error: " + e.message());
  }
  return root;
}

bool IsList(const boost::property_tree::ptree& node) {
  return !node.empty() && node.front().first.empty();
}

std::string Trim(std::string_view s) {
  while (!s.empty() && IsSpace(s.front())) s.remove_prefix(1);
  while (!s.empty() && IsSpace(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string Quote(std::string_view value) {
  constexpr std::size_t kMax = 120;
  if (value.size() > kMax) return "'" + std::string(value.substr(0, kMax)) + "...'";
  return "'" + std::string(value) + "'";
}

std::string ClosestName(std::string_view name, std::span<const std::string_view> known) {
  const std::string lowered = Lower(name);
  std::string best;
  std::size_t best_distance = std::string::npos;
  for (std::string_view candidate : known) {
    const std::size_t d = EditDistance(lowered, candidate);
    const std::size_t limit = std::max<std::size_t>(1, std::min(name.size(), candidate.size()) / 3);
    if (d <= limit && d < best_distance) {
      best = std::string(candidate);
      best_distance = d;
    }
  }
  return best;
}

std::optional<std::string> TrailingComment(std::string_view value) {
  for (std::size_t i = 1; i < value.size(); ++i) {
    if ((value[i] == ';' || value[i] == '#') && IsSpace(value[i - 1])) {
      return Trim(value.substr(i));
    }
  }
  return std::nullopt;
}

}  // namespace vsso::config::detail
