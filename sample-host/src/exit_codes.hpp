// Exit codes of sample-host. They are part of its command-line contract
// (docs/sample-host.md); scripts and tests rely on them, so never renumber.
#pragma once

namespace sample_host {

inline constexpr int kExitOk = 0;
/// An unexpected failure inside sample-host itself (e.g. stdout unwritable).
inline constexpr int kExitInternal = 1;
/// The command line was wrong; nothing was loaded.
inline constexpr int kExitUsage = 2;
/// The loader could not load the plugin or the ABI handshake refused it.
inline constexpr int kExitPluginRefused = 3;
/// The plugin loaded but rejected its configuration.
inline constexpr int kExitConfigRejected = 4;

}  // namespace sample_host
