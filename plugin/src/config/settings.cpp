#include "config/settings.hpp"

#include <string>

namespace vsso::config {

const char* ToString(SignInPolicy policy) {
  switch (policy) {
    case SignInPolicy::kNone:
      return "none";
    case SignInPolicy::kOptional:
      return "optional";
    case SignInPolicy::kRequired:
      return "required";
  }
  return "unknown";
}

Result<SignInPolicy> ParseSignInPolicy(std::string_view text) {
  for (SignInPolicy policy :
       {SignInPolicy::kNone, SignInPolicy::kOptional, SignInPolicy::kRequired}) {
    if (text == ToString(policy)) return policy;
  }
  return MakeError("config.invalid_value",
                   "expected none, optional or required, got '" + std::string(text) + "'");
}

}  // namespace vsso::config
