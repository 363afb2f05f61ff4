// Raw DEFLATE (RFC 1951, no zlib or gzip wrapper) through zlib, as the SAML
// HTTP-Redirect binding requires (Bindings 3.4.4.1). Stateless and re-entrant.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "common/result.hpp"

namespace vsso::deflate {

/// Compresses `data` at the default level. Error "common.deflate_failed"
/// only if zlib itself fails (out of memory).
Result<std::string> Compress(std::string_view data);

/// Inflates one complete raw DEFLATE stream. The output is bounded by
/// `max_output_bytes` so a small message cannot expand without limit.
/// Errors: "common.inflate_too_large" (output would exceed the limit),
/// "common.inflate_bad_data" (not a valid stream), "common.inflate_truncated"
/// (input ends before the final block), "common.inflate_trailing_data"
/// (bytes after the end of the stream), "common.inflate_failed" (zlib failure).
Result<std::string> Inflate(std::string_view data, std::size_t max_output_bytes);

}  // namespace vsso::deflate
