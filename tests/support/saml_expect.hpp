// GoogleTest helpers for ValidateResponse results: a fixture with a context
// that accepts what ResponseBuilder produces by default, and predicates that
// print the error code and message when they fail.
#pragma once

#include <initializer_list>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "support/test_idp.hpp"

namespace vsso::testing {

inline ::testing::AssertionResult Accepted(const Result<saml::Identity>& result) {
  if (result) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "rejected: " << result.error().code << ": " << result.error().message;
}

/// The result is an error whose code starts with one of `prefixes` (a reason
/// family such as "saml.signature" or an exact code).
inline ::testing::AssertionResult RejectedWith(const Result<saml::Identity>& result,
                                               std::initializer_list<std::string_view> prefixes) {
  std::string wanted;
  for (std::string_view p : prefixes) wanted += (wanted.empty() ? "" : " | ") + std::string(p);
  if (result) {
    return ::testing::AssertionFailure()
           << "accepted (name_id " << result->name_id << "), expected rejection " << wanted;
  }
  for (std::string_view p : prefixes) {
    if (std::string_view(result.error().code).substr(0, p.size()) == p) {
      return ::testing::AssertionSuccess();
    }
  }
  return ::testing::AssertionFailure() << "rejected with " << result.error().code << ": "
                                       << result.error().message << "; expected " << wanted;
}

class SamlValidationTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { saml::InitializeXmlLibraries(); }

  Result<saml::Identity> Validate(const std::string& xml) {
    return saml::ValidateResponse(xml, context_);
  }

  MemoryReplayGuard replay_;
  saml::ValidationContext context_ = DefaultContext(&replay_);
};

}  // namespace vsso::testing
