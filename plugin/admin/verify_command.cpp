// visitor-sso-admin verify: validates saved SAML responses as the site's ACS
// would (every rule, the replay cache, the audit log: hooks::SignInBatch,
// which judges as hooks::ConsumeResponse does and commits the replay rows of
// a batch of files together), one JSON line per file (docs/admin.md).
//
// It is also issue 15's independent measurement of the consume path
// (scripts/bench --verify: thousands of files in one process beside the bare
// xmlsec loop), so the work around the judging is done once per run or
// without allocations: the site is built once, each file is read into one
// reused buffer, and each line is built in a reused arena and serialized in
// pieces straight to stdout.
#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json.hpp>

#include "cli.hpp"
#include "common/time.hpp"
#include "hooks/runtime.hpp"
#include "hooks/sign_in_service.hpp"

namespace vsso::admin {
namespace {

// The whole of `path`, read into `buffer` (kept at its size from file to
// file, so neither allocated nor cleared again): a view of the bytes read.
// Reads to the end rather than trusting a size, so /dev/stdin and pipes
// work too. nullopt: it cannot be opened or read (missing, a directory, no
// permission).
std::optional<std::string_view> ReadWholeFile(const std::string& path, std::string& buffer) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return std::nullopt;
  bool ok = true;
  std::size_t used = 0;
  for (;;) {
    if (buffer.size() - used < 4096) buffer.resize(std::max<std::size_t>(2 * buffer.size(), 65536));
    const ssize_t n = ::read(fd, buffer.data() + used, buffer.size() - used);
    if (n == 0) break;
    if (n < 0) {
      if (errno == EINTR) continue;
      ok = false;
      break;
    }
    used += static_cast<std::size_t>(n);
  }
  ::close(fd);
  if (!ok) return std::nullopt;
  return std::string_view(buffer.data(), used);
}

// Writes `line` and a newline to stdout without building it as one string.
void PrintLine(const boost::json::object& line, boost::json::serializer& sr) {
  char buf[4096];
  sr.reset(&line);
  while (!sr.done()) {
    const auto piece = sr.read(buf, sizeof buf);
    std::fwrite(piece.data(), 1, piece.size(), stdout);
  }
  std::fputc('\n', stdout);
}

// Files whose replay rows go in one transaction: the largest group the
// store commits at once for concurrent sign-ins (store::Database's
// kMaxGroup). Each batch's lines are written out after its commit, so a
// kill loses at most the lines of one batch, whose rows may be committed
// (those responses then count as used).
constexpr std::size_t kBatchFiles = 64;

}  // namespace

int Verify(const Args& a) {
  if (a.positional.size() < 2) return Usage("verify needs at least one FILE");
  UnixSeconds fixed_now = 0;
  if (!a.now.empty()) {
    auto t = vsso::time::ParseRfc3339(a.now);
    if (!t) return Usage("--now: " + t.error().message);
    fixed_now = *t;
  }
  int rc = kOk;
  auto rt = Open(a, rc, fixed_now);
  if (!rt) return rc;
  int result = kOk;
  std::optional<std::string> request_id;
  if (!a.request_id.empty()) request_id = a.request_id;
  std::string input;
  std::string decoded;  // a base64 file's XML (raw XML is used where it was read)
  // One line's JSON is a few hundred bytes to a few KB: the arena covers
  // the usual line and grows from the heap for a larger one.
  alignas(std::max_align_t) unsigned char arena[16384];
  boost::json::serializer sr;
  const auto print = [&](const std::string& file, const Result<hooks::SignIn>& sign_in) {
    boost::json::monotonic_resource mr(arena, sizeof arena);
    boost::json::object out(&mr);
    out["file"] = file;
    if (sign_in) {
      const auto& id = sign_in->identity;
      out["accepted"] = true;
      out["name_id"] = id.name_id;
      out["name_id_format"] = id.name_id_format;
      out["customer_id"] = sign_in->customer_id;
      out["session_index"] = id.session_index;
      // Empty: judged unsolicited (IdP-initiated); else the request answered.
      out["in_response_to"] = id.in_response_to;
      out["name_id_was_encrypted"] = id.name_id_was_encrypted;
      // Built in place, in the line's arena (a value assigned from another
      // arena would be copied).
      auto& attributes = out["attributes"].emplace_object();
      for (const auto& attr : id.attributes) {
        auto& values = attributes[attr.name];
        if (!values.is_array()) values.emplace_array();
        for (const auto& v : attr.values) values.as_array().emplace_back(v);
      }
      auto& fields = out["fields"].emplace_object();
      for (const auto& f : sign_in->mapping.fields) {
        if (!f.values.empty()) fields[f.key] = f.Display();
      }
    } else {
      out["accepted"] = false;
      out["code"] = sign_in.error().code;
      out["message"] = sign_in.error().message;
      result = kCheckFailed;
    }
    PrintLine(out, sr);
  };
  // The files go in batches whose replay rows are committed together
  // (hooks::SignInBatch): a batch's lines are printed once its transaction
  // has committed, so a printed "accepted" is durable. A file that cannot
  // be read or decoded is judged at once and printed in its place.
  hooks::SignInBatch batch(**rt);
  std::vector<std::optional<Error>> early;  // per file of the batch, in order
  const auto finish = [&](std::size_t first_file) {
    std::vector<Result<hooks::SignIn>> judged = batch.Finish();
    std::size_t next = 0;
    for (std::size_t k = 0; k < early.size(); ++k) {
      const std::string& file = a.positional[first_file + k];
      if (early[k]) {
        print(file, *early[k]);
      } else {
        print(file, judged[next++]);
      }
    }
    early.clear();
    std::fflush(stdout);  // a write error shows in ferror, checked at the end
  };
  std::size_t first_file = 1;
  for (std::size_t i = 1; i < a.positional.size(); ++i) {
    const std::string& file = a.positional[i];
    auto content = ReadWholeFile(file, input);
    if (!content) {
      early.emplace_back(MakeError("admin.file_unreadable", "cannot read " + file));
    } else if (auto xml = hooks::DecodeResponseInput(*content, decoded); !xml) {
      early.emplace_back(std::move(xml).error());
    } else {
      batch.Add({*xml, request_id, {}, {}});
      early.emplace_back(std::nullopt);
    }
    if (early.size() == kBatchFiles || i + 1 == a.positional.size()) {
      finish(first_file);
      first_file = i + 1;
    }
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::cerr << "visitor-sso-admin: cannot write the results: " << std::strerror(errno) << "\n";
    return kCheckFailed;
  }
  return result;
}

}  // namespace vsso::admin
