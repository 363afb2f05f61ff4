// Randomness, MACs and secret files for serve's cookies and passwords.
// OpenSSL only (RAND_bytes is a CSPRNG; std::random engines are not).
// Pure functions; any thread.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace sample_host::serve {

/// `bytes` bytes from RAND_bytes as lowercase hex. Throws std::runtime_error
/// when OpenSSL cannot produce randomness (never silently weaker).
std::string RandomHex(std::size_t bytes);

/// HMAC-SHA256 of `message` under `key`, lowercase hex (64 characters).
std::string HmacSha256Hex(std::string_view key, std::string_view message);

/// Equal in time independent of where they differ (CRYPTO_memcmp); a length
/// difference returns early, which reveals only the length.
bool ConstantTimeEqual(std::string_view a, std::string_view b);

/// The whole file without one trailing "\n" or "\r\n" (editors add one), or
/// nullopt with `error` set when it cannot be read or is empty.
std::optional<std::string> ReadSecretFile(const std::string& path, std::string& error);

}  // namespace sample_host::serve
