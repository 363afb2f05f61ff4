// Shared fixture for the rule unit tests: builds responses with the test IdP,
// runs the rules a rule depends on (parse, structure, IDs, and decryption when
// asked), then lets the test call the rule under test directly.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "saml/message.hpp"
#include "saml/rules/decryption.hpp"
#include "saml/rules/id_registration.hpp"
#include "saml/rules/structure.hpp"
#include "saml/rules/xml_hardening.hpp"
#include "support/test_idp.hpp"

namespace vsso::saml::rules {

inline ::testing::AssertionResult Passes(const Status& status) {
  if (status) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure()
         << "failed: " << status.error().code << ": " << status.error().message;
}

inline ::testing::AssertionResult FailsWith(const Status& status, std::string_view code) {
  if (status) return ::testing::AssertionFailure() << "passed, expected " << code;
  if (status.error().code == code) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "failed with " << status.error().code << ": "
                                       << status.error().message << "; expected " << code;
}

class RuleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { InitializeXmlLibraries(); }

  /// Parses `xml` and runs ParseHardened, CheckStructure and RegisterIds
  /// (plus DecryptAssertion when `decrypt`), expecting them to pass.
  Message& Load(std::string xml, bool decrypt = false) {
    xml_ = std::move(xml);
    message_ = std::make_unique<Message>(xml_);
    EXPECT_TRUE(Passes(ParseHardened(*message_, context_)));
    EXPECT_TRUE(Passes(CheckStructure(*message_, context_)));
    EXPECT_TRUE(Passes(RegisterIds(*message_, context_)));
    if (decrypt) {
      EXPECT_TRUE(Passes(DecryptAssertion(*message_, context_)));
    }
    return *message_;
  }

  /// The default response from the test IdP, unsigned (for rules that do not
  /// look at signatures), optionally edited first.
  static testing::ResponseBuilder Unsigned() {
    testing::ResponseBuilder builder;
    builder.SignAssertion(std::nullopt);
    return builder;
  }

  testing::MemoryReplayGuard replay_;
  ValidationContext context_ = testing::DefaultContext(&replay_);
  std::string xml_;
  std::unique_ptr<Message> message_;
};

}  // namespace vsso::saml::rules
