// The test IdP (tests/support/test_idp.hpp) as a co-process for the hosts in
// other languages: they cannot link C++, so they start this program once and
// talk to it one line at a time on stdin/stdout.
//
//   deploy                 -> "<config path> <now>": a fresh deployment
//                             (support/deployment.hpp: sign_in = required,
//                             gold members routed to Gold Team) in a temp
//                             directory, and the instant the responses are
//                             valid at (pass it as fixed_now to configure)
//   respond <request-id> <name-id>
//                          -> base64 of a SAML Response answering that
//                             AuthnRequest for a gold member, assertion signed
//                             by the deployment's IdP key (real xmlsec)
//   anything else          -> "error <why>"
// The keys live in this process only, so every response of one run is
// signed by the key the deployment trusts. The deployment's directory is
// removed when stdin ends.
#include <iostream>
#include <memory>
#include <sstream>
#include <string>

#include "common/encoding.hpp"
#include "support/deployment.hpp"
#include "support/test_idp.hpp"

namespace {

using namespace vsso::testing;

std::string Respond(const std::string& request_id, const std::string& name_id) {
  const std::string xml =
      ResponseBuilder()
          .InResponseTo(request_id)
          .NameId(name_id, "urn:oasis:names:tc:SAML:2.0:nameid-format:persistent")
          .Attribute({"displayName", {"Zoë Gold"}})
          .Attribute({"mail", {"zoe@acme.example"}})
          .Attribute({"company", {"Acme"}})
          .Attribute({"membership_level", {"gold"}})
          .Attribute({"accountNumber", {"A-1001"}})
          .Build();
  return vsso::encoding::Base64Encode(xml);
}

}  // namespace

int main() {
  std::unique_ptr<Deployment> deployment;
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream words(line);
    std::string command;
    words >> command;
    try {
      if (command == "deploy") {
        deployment = std::make_unique<Deployment>();
        std::cout << deployment->config().string() << ' ' << kTestNow << std::endl;
      } else if (command == "respond") {
        std::string request_id, name_id;
        if (!(words >> request_id >> name_id)) {
          std::cout << "error usage: respond <request-id> <name-id>" << std::endl;
          continue;
        }
        std::cout << Respond(request_id, name_id) << std::endl;
      } else {
        std::cout << "error unknown command \"" << command << "\"" << std::endl;
      }
    } catch (const std::exception& e) {
      std::cout << "error " << e.what() << std::endl;
    }
  }
  return 0;
}
