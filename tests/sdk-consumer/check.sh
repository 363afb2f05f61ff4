#!/usr/bin/env bash
# Installs the SDK into a temp prefix, builds a host project against it with
# find_package(VisitorSsoHostSdk), and loads the real plugin with it.
set -euo pipefail
build_dir="$1" source_dir="$2" plugin="$3"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cmake --install "$build_dir" --prefix "$work/prefix" --component Unspecified >/dev/null
cmake -S "$source_dir/tests/sdk-consumer" -B "$work/build" -DCMAKE_PREFIX_PATH="$work/prefix" >/dev/null
cmake --build "$work/build" >/dev/null
out="$("$work/build/sdk_consumer" "$plugin")"
echo "$out"
abi="$source_dir/host-sdk/include/visitor_sso/sdk/abi.hpp"
major="$(sed -n 's/^#define VISITOR_SSO_SDK_VERSION_MAJOR //p' "$abi")"
minor="$(sed -n 's/^#define VISITOR_SSO_SDK_VERSION_MINOR //p' "$abi")"
[ "$out" = "visitor-sso $major.$minor" ]
