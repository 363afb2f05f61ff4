// Inside the plugin the same Expected/Error style as at the boundary is used,
// so a precise failure travels unchanged from the rule that found it to the
// host or the admin CLI.
#pragma once

#include "visitor_sso/sdk/expected.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso {

using Error = visitor_sso::sdk::Error;
template <class T>
using Result = visitor_sso::sdk::Expected<T>;
using Status = visitor_sso::sdk::Status;
using visitor_sso::sdk::MakeError;
using visitor_sso::sdk::Ok;
using UnixSeconds = visitor_sso::sdk::UnixSeconds;

}  // namespace vsso
