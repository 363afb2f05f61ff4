#include "saml/logout.hpp"

#include <libxml/tree.h>
#include <libxml/xmlsave.h>
#include <openssl/rand.h>

#include <memory>

#include "common/encoding.hpp"
#include "common/time.hpp"
#include "saml/message.hpp"
#include "saml/redirect_binding.hpp"
#include "saml/response_validator.hpp"
#include "saml/rules/xml_hardening.hpp"
#include "saml/xml_errors.hpp"
#include "saml/xml_util.hpp"

namespace vsso::saml {
namespace {

constexpr char kEntityFormat[] = "urn:oasis:names:tc:SAML:2.0:nameid-format:entity";

bool IsHttpUrl(const std::string& s) {
  return s.starts_with("https://") || s.starts_with("http://");
}

// xs:ID is an NCName: it must not start with a digit, hence the underscore.
Result<std::string> NewId() {
  unsigned char bytes[16];
  if (RAND_bytes(bytes, sizeof bytes) != 1) {
    return MakeError("saml.logout.random_failed", "RAND_bytes failed");
  }
  return "_" + encoding::HexLower(std::string_view(reinterpret_cast<char*>(bytes), sizeof bytes));
}

Status CheckCommon(const std::string& issuer, const std::string& destination) {
  if (issuer.empty()) return MakeError("saml.logout.missing_issuer", "the SP entity ID is empty");
  if (!IsHttpUrl(destination)) {
    return MakeError(
        "saml.logout.bad_destination",
        "the IdP's logout URL must be an http(s) URL, got \"" + destination.substr(0, 200) + "\"");
  }
  return Ok();
}

// A new document whose root is samlp:<name> with the common attributes of
// RequestAbstractType / StatusResponseType (Core 3.2.1, 3.2.2) and Issuer.
struct Draft {
  XmlDocPtr doc;
  xmlNode* root = nullptr;
  xmlNs* samlp = nullptr;
  xmlNs* saml = nullptr;
};

Draft Start(const char* name, const std::string& id, UnixSeconds now,
            const std::string& destination) {
  Draft d;
  d.doc.reset(xmlNewDoc(X("1.0")));
  if (!d.doc) return d;
  d.root = xmlNewDocNode(d.doc.get(), nullptr, X(name), nullptr);
  xmlDocSetRootElement(d.doc.get(), d.root);
  d.samlp = xmlNewNs(d.root, X(ns::kProtocol), X("samlp"));
  d.saml = xmlNewNs(d.root, X(ns::kAssertion), X("saml"));
  xmlSetNs(d.root, d.samlp);
  xmlNewProp(d.root, X("ID"), X(id));
  xmlNewProp(d.root, X("Version"), X("2.0"));
  xmlNewProp(d.root, X("IssueInstant"), X(time::FormatUtc(now)));
  xmlNewProp(d.root, X("Destination"), X(destination));
  return d;
}

Result<std::string> Serialize(xmlDoc* doc) {
  std::unique_ptr<xmlBuffer, XmlBufferFree> buf(xmlBufferCreate());
  xmlSaveCtxt* save = buf ? xmlSaveToBuffer(buf.get(), "UTF-8", XML_SAVE_NO_DECL) : nullptr;
  if (save == nullptr) return MakeError("saml.logout.xml_failed", "xmlSaveToBuffer failed");
  const long written = xmlSaveDoc(save, doc);
  xmlSaveClose(save);
  if (written < 0) return MakeError("saml.logout.xml_failed", "cannot serialise the message");
  std::string xml(reinterpret_cast<const char*>(xmlBufferContent(buf.get())),
                  static_cast<std::size_t>(xmlBufferLength(buf.get())));
  while (!xml.empty() && xml.back() == '\n') xml.pop_back();
  return xml;
}

// Both messages: a fresh ID, the common root (Start), then `body` adds the
// message's own attributes and children in its schema order; serialised.
template <typename Body>
Result<BuiltLogoutMessage> Build(const char* name, UnixSeconds now, const std::string& destination,
                                 Body body) {
  InitializeXmlLibraries();
  XmlErrorScope quiet;
  BuiltLogoutMessage out;
  auto id = NewId();
  if (!id) return std::move(id).error();
  out.id = std::move(*id);
  Draft d = Start(name, out.id, now, destination);
  if (!d.doc) return MakeError("saml.logout.xml_failed", "xmlNewDoc failed");
  body(d);
  auto xml = Serialize(d.doc.get());
  if (!xml) return std::move(xml).error();
  out.xml = std::move(*xml);
  return out;
}

// ---- received messages ------------------------------------------------------

// The checks a LogoutRequest and a LogoutResponse share, in this order:
// root element, Version, ID, Issuer, Destination, IssueInstant window; they
// fill the fields both Received* types have (id, issuer, issue_instant).
template <typename Received>
Status CheckReceived(Message& m, const char* root_name, const LogoutExpectations& e, Received& c) {
  ValidationContext limits;
  limits.max_response_bytes = kMaxInflatedLogoutMessage;
  if (auto st = rules::ParseHardened(m, limits); !st) return std::move(st).error();
  xmlNodePtr root = xmlDocGetRootElement(m.doc.get());
  if (!IsElement(root, ns::kProtocol, root_name)) {
    return MakeError("saml.logout.wrong_message", "expected samlp:" + std::string(root_name) +
                                                      ", got " + Quote(DisplayName(root)));
  }
  m.response = root;
  const std::string where = DisplayName(root);
  if (GetAttr(root, "Version").value_or("") != "2.0") {
    return MakeError("saml.logout.version", where + " Version is " +
                                                Quote(GetAttr(root, "Version").value_or("")) +
                                                ", expected \"2.0\" (SAML Core 3.2.1)");
  }
  c.id = GetAttr(root, "ID").value_or("");
  if (c.id.empty()) {
    return MakeError("saml.logout.missing_id", where + " has no ID (SAML Core 3.2.1)");
  }
  // Core 3.2.1: Issuer of a request or response, Format omitted or entity.
  xmlNodePtr issuer = FirstChild(root, ns::kAssertion, "Issuer");
  if (issuer == nullptr) {
    return MakeError("saml.logout.missing_issuer",
                     where + " has no saml:Issuer (SAML Profiles 4.4.4.1 requires it)");
  }
  c.issuer = TrimXmlSpace(TextContent(issuer));
  const std::string format = GetAttr(issuer, "Format").value_or(kEntityFormat);
  if (c.issuer != e.idp_entity_id || format != kEntityFormat) {
    return MakeError("saml.logout.issuer_mismatch",
                     where + " Issuer is " + Quote(c.issuer) + " (Format " + Quote(format) +
                         "), expected \"" + e.idp_entity_id + "\" (idp_entity_id)");
  }
  // Bindings 3.4.5.2: a signed Redirect message must name its recipient.
  const auto destination = GetAttr(root, "Destination");
  if (!destination) {
    return MakeError("saml.logout.missing_destination",
                     where + " has no Destination (SAML Bindings 3.4.5.2)");
  }
  if (*destination != e.slo_url) {
    return MakeError("saml.logout.destination_mismatch",
                     where + " Destination is " + Quote(*destination) + ", expected \"" +
                         e.slo_url + "\" (this site's single logout URL)");
  }
  auto instant = InstantAttribute(root, "IssueInstant");
  if (!instant || !*instant) {
    return MakeError("saml.logout.bad_instant",
                     instant ? where + " has no IssueInstant" : instant.error().message);
  }
  c.issue_instant = **instant;
  if (c.issue_instant > e.now + e.clock_skew_seconds) {
    return MakeError("saml.logout.not_yet_valid", where + " IssueInstant " +
                                                      time::FormatUtc(c.issue_instant) + " is " +
                                                      std::to_string(c.issue_instant - e.now) +
                                                      " s in the future (clock_skew_seconds " +
                                                      std::to_string(e.clock_skew_seconds) + ")");
  }
  if (c.issue_instant + kMaxLogoutMessageAge + e.clock_skew_seconds < e.now) {
    return MakeError("saml.logout.stale",
                     where + " IssueInstant " + time::FormatUtc(c.issue_instant) + " is " +
                         std::to_string(e.now - c.issue_instant) + " s old; at most " +
                         std::to_string(kMaxLogoutMessageAge) + " s plus clock_skew_seconds " +
                         "are accepted");
  }
  return Ok();
}

}  // namespace

Result<BuiltLogoutMessage> BuildLogoutRequest(const LogoutRequestParams& p) {
  if (auto st = CheckCommon(p.sp_entity_id, p.destination); !st) return std::move(st).error();
  if (p.name_id.value.empty()) {
    return MakeError("saml.logout.missing_name_id",
                     "the session has no NameID to name in a LogoutRequest");
  }
  return Build("LogoutRequest", p.now, p.destination, [&](const Draft& d) {
    xmlNewProp(d.root, X("NotOnOrAfter"), X(time::FormatUtc(p.now + p.lifetime)));
    // Core 3.7.1 schema order: Issuer, (BaseID | NameID | EncryptedID),
    // SessionIndex*.
    xmlNewTextChild(d.root, d.saml, X("Issuer"), X(p.sp_entity_id));
    xmlNode* name_id = xmlNewTextChild(d.root, d.saml, X("NameID"), X(p.name_id.value));
    if (!p.name_id.name_qualifier.empty()) {
      xmlNewProp(name_id, X("NameQualifier"), X(p.name_id.name_qualifier));
    }
    if (!p.name_id.sp_name_qualifier.empty()) {
      xmlNewProp(name_id, X("SPNameQualifier"), X(p.name_id.sp_name_qualifier));
    }
    if (!p.name_id.format.empty()) xmlNewProp(name_id, X("Format"), X(p.name_id.format));
    if (!p.session_index.empty()) {
      xmlNewTextChild(d.root, d.samlp, X("SessionIndex"), X(p.session_index));
    }
  });
}

Result<BuiltLogoutMessage> BuildLogoutResponse(const LogoutResponseParams& p) {
  if (auto st = CheckCommon(p.sp_entity_id, p.destination); !st) return std::move(st).error();
  return Build("LogoutResponse", p.now, p.destination, [&](const Draft& d) {
    if (!p.in_response_to.empty()) xmlNewProp(d.root, X("InResponseTo"), X(p.in_response_to));
    xmlNewTextChild(d.root, d.saml, X("Issuer"), X(p.sp_entity_id));
    xmlNode* status = xmlNewChild(d.root, d.samlp, X("Status"), nullptr);
    xmlNode* code = xmlNewChild(status, d.samlp, X("StatusCode"), nullptr);
    xmlNewProp(code, X("Value"), X(p.status));
  });
}

Result<ReceivedLogoutRequest> ParseLogoutRequest(std::string_view xml,
                                                 const LogoutExpectations& expect) {
  InitializeXmlLibraries();
  XmlErrorScope quiet;
  Message m(xml);
  ReceivedLogoutRequest r;
  if (auto st = CheckReceived(m, "LogoutRequest", expect, r); !st) return std::move(st).error();
  const std::string where = DisplayName(m.response);
  auto not_after = InstantAttribute(m.response, "NotOnOrAfter");
  if (!not_after) return MakeError("saml.logout.bad_instant", not_after.error().message);
  if (*not_after) {
    r.not_on_or_after = **not_after;
    // Core 3.7.1: the request is void from NotOnOrAfter on.
    if (expect.now >= r.not_on_or_after + expect.clock_skew_seconds) {
      return MakeError("saml.logout.expired",
                       where + " expired at " + time::FormatUtc(r.not_on_or_after) +
                           " (NotOnOrAfter), " + std::to_string(expect.now - r.not_on_or_after) +
                           " s ago");
    }
  }
  xmlNodePtr name_id = FirstChild(m.response, ns::kAssertion, "NameID");
  if (name_id == nullptr) {
    if (FirstChild(m.response, ns::kAssertion, "EncryptedID") != nullptr) {
      return MakeError("saml.logout.encrypted_name_id",
                       where +
                           " names the subject with an EncryptedID, which single logout "
                           "does not support; configure the IdP to send a plain NameID");
    }
    return MakeError("saml.logout.missing_name_id",
                     where + " has no saml:NameID (BaseID is not supported)");
  }
  r.name_id.value = TrimXmlSpace(TextContent(name_id));
  if (r.name_id.value.empty()) {
    return MakeError("saml.logout.missing_name_id", where + " has an empty saml:NameID");
  }
  r.name_id.format = GetAttr(name_id, "Format").value_or("");
  r.name_id.name_qualifier = GetAttr(name_id, "NameQualifier").value_or("");
  r.name_id.sp_name_qualifier = GetAttr(name_id, "SPNameQualifier").value_or("");
  for (xmlNodePtr si : Children(m.response, ns::kProtocol, "SessionIndex")) {
    std::string value = TrimXmlSpace(TextContent(si));
    if (!value.empty()) r.session_indexes.push_back(std::move(value));
  }
  return r;
}

Result<ReceivedLogoutResponse> ParseLogoutResponse(std::string_view xml,
                                                   const LogoutExpectations& expect,
                                                   const std::string& expected_in_response_to) {
  InitializeXmlLibraries();
  XmlErrorScope quiet;
  Message m(xml);
  ReceivedLogoutResponse r;
  if (auto st = CheckReceived(m, "LogoutResponse", expect, r); !st) return std::move(st).error();
  const std::string where = DisplayName(m.response);
  r.in_response_to = GetAttr(m.response, "InResponseTo").value_or("");
  if (r.in_response_to != expected_in_response_to) {
    return MakeError("saml.logout.in_response_to",
                     where + " InResponseTo is " + Quote(r.in_response_to) +
                         ", expected the LogoutRequest this browser sent (\"" +
                         expected_in_response_to + "\")");
  }
  xmlNodePtr status = FirstChild(m.response, ns::kProtocol, "Status");
  xmlNodePtr code = status ? FirstChild(status, ns::kProtocol, "StatusCode") : nullptr;
  if (code == nullptr || !GetAttr(code, "Value")) {
    return MakeError("saml.logout.missing_status",
                     where +
                         " has no samlp:Status/samlp:StatusCode with a Value (SAML Core "
                         "3.2.2)");
  }
  r.status_code = *GetAttr(code, "Value");
  if (xmlNodePtr sub = FirstChild(code, ns::kProtocol, "StatusCode")) {
    r.sub_status = GetAttr(sub, "Value").value_or("");
  }
  return r;
}

}  // namespace vsso::saml
