#include "common/deflate.hpp"

#include <zlib.h>

#include <climits>
#include <memory>

namespace vsso::deflate {
namespace {

// windowBits -15: raw DEFLATE, 32 KiB window, no header or checksum.
constexpr int kRawWindowBits = -15;
constexpr std::size_t kChunk = 16 * 1024;

struct DeflateEnd {
  void operator()(z_stream* s) const { deflateEnd(s); }
};
struct InflateEnd {
  void operator()(z_stream* s) const { inflateEnd(s); }
};

std::string ZlibMessage(const z_stream& s, int rc) {
  if (s.msg != nullptr) return s.msg;
  return "zlib error " + std::to_string(rc);
}

}  // namespace

Result<std::string> Compress(std::string_view data) {
  if (data.size() > UINT_MAX) {
    return MakeError("common.deflate_failed",
                     "cannot compress " + std::to_string(data.size()) + " bytes in one call");
  }
  z_stream s{};
  int rc =
      deflateInit2(&s, Z_DEFAULT_COMPRESSION, Z_DEFLATED, kRawWindowBits, 8, Z_DEFAULT_STRATEGY);
  if (rc != Z_OK) return MakeError("common.deflate_failed", "deflateInit2: " + ZlibMessage(s, rc));
  std::unique_ptr<z_stream, DeflateEnd> guard(&s);

  std::string out(deflateBound(&s, static_cast<uLong>(data.size())), '\0');
  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  s.next_out = reinterpret_cast<Bytef*>(out.data());
  s.avail_out = static_cast<uInt>(out.size());
  // deflateBound guarantees a single Z_FINISH call completes the stream.
  rc = ::deflate(&s, Z_FINISH);
  if (rc != Z_STREAM_END)
    return MakeError("common.deflate_failed", "deflate: " + ZlibMessage(s, rc));
  out.resize(s.total_out);
  return out;
}

Result<std::string> Inflate(std::string_view data, std::size_t max_output_bytes) {
  if (data.size() > UINT_MAX) {
    return MakeError("common.inflate_too_large",
                     "compressed input of " + std::to_string(data.size()) + " bytes is too large");
  }
  z_stream s{};
  int rc = inflateInit2(&s, kRawWindowBits);
  if (rc != Z_OK) return MakeError("common.inflate_failed", "inflateInit2: " + ZlibMessage(s, rc));
  std::unique_ptr<z_stream, InflateEnd> guard(&s);

  s.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  s.avail_in = static_cast<uInt>(data.size());
  std::string out;
  unsigned char chunk[kChunk];
  for (;;) {
    s.next_out = chunk;
    s.avail_out = sizeof chunk;
    rc = ::inflate(&s, Z_NO_FLUSH);
    const std::size_t produced = sizeof chunk - s.avail_out;
    if (out.size() + produced > max_output_bytes) {
      return MakeError("common.inflate_too_large", "inflated data exceeds the limit of " +
                                                       std::to_string(max_output_bytes) + " bytes");
    }
    out.append(reinterpret_cast<const char*>(chunk), produced);
    if (rc == Z_STREAM_END) break;
    if (rc == Z_DATA_ERROR) {
      return MakeError("common.inflate_bad_data",
                       "not a raw DEFLATE stream: " + ZlibMessage(s, rc) + " at input byte " +
                           std::to_string(s.total_in));
    }
    if (rc == Z_BUF_ERROR && s.avail_in == 0) {
      return MakeError("common.inflate_truncated", "DEFLATE stream ends after " +
                                                       std::to_string(data.size()) +
                                                       " bytes without its final block");
    }
    if (rc != Z_OK && rc != Z_BUF_ERROR) {
      return MakeError("common.inflate_failed", "inflate: " + ZlibMessage(s, rc));
    }
  }
  if (s.avail_in != 0) {
    return MakeError("common.inflate_trailing_data",
                     std::to_string(s.avail_in) + " bytes follow the end of the DEFLATE stream");
  }
  return out;
}

}  // namespace vsso::deflate
