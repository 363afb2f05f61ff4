// Feeds arbitrary bytes through the single logout receive path of /sso/slo:
// the Redirect-binding query (split, decode, base64, capped inflate), the
// query signature check against a pinned certificate, and the hardened parse
// and checks of LogoutRequest and LogoutResponse. The same bytes are also
// parsed as the inflated XML directly, so the XML checks are reached without
// the fuzzer having to find a DEFLATE stream.
//
// Checks: no crash, no sanitizer error; every refusal carries a code of the
// logout or XML hardening families; an accepted message has the ID, Issuer
// and NameID (request) the checks promise.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "saml/logout.hpp"
#include "saml/redirect_binding.hpp"

namespace {

constexpr vsso::UnixSeconds kNow = 1'800'000'000;  // 2027-01-15T08:00:00Z

[[noreturn]] void Fail(const std::string& what) {
  std::fprintf(stderr, "INVARIANT VIOLATED: %s\n", what.c_str());
  std::abort();
}

void CheckCode(const vsso::Error& e) {
  if (!e.code.starts_with("saml.logout.") && !e.code.starts_with("saml.xml.") &&
      e.code != "saml.internal") {
    Fail("unexpected code " + e.code + ": " + e.message);
  }
}

vsso::saml::LogoutExpectations Expect() {
  vsso::saml::LogoutExpectations e;
  e.now = kNow;
  e.clock_skew_seconds = 120;
  e.idp_entity_id = "https://idp.example.org/saml2/idp/metadata.php";
  e.slo_url = "https://chat.example.com/sso/slo";
  return e;
}

void ParseXml(std::string_view xml) {
  const auto e = Expect();
  if (auto r = vsso::saml::ParseLogoutRequest(xml, e); r) {
    if (r->id.empty() || r->issuer != e.idp_entity_id || r->name_id.value.empty()) {
      Fail("accepted a LogoutRequest without ID, with another Issuer or no NameID");
    }
  } else {
    CheckCode(r.error());
  }
  if (auto r = vsso::saml::ParseLogoutResponse(xml, e, "_expected"); r) {
    if (r->id.empty() || r->in_response_to != "_expected" || r->status_code.empty()) {
      Fail("accepted a LogoutResponse without ID, InResponseTo or status");
    }
  } else {
    CheckCode(r.error());
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  auto message = vsso::saml::ParseRedirectQuery(input);
  if (message) {
    // No certificate is trusted: nothing may verify.
    if (vsso::saml::VerifyRedirectMessage(*message, {}, true)) {
      Fail("a message verified without any certificate");
    }
    if (message->xml.size() > vsso::saml::kMaxInflatedLogoutMessage) Fail("inflate cap");
    ParseXml(message->xml);
  } else {
    CheckCode(message.error());
  }
  ParseXml(input);
  return 0;
}
