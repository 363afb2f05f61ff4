// Keeps libxml2's and xmlsec's own error output away from the host process.
//
// Both libraries report problems through handlers that, by default, print to
// stderr ("encoding error : input conversion failed ..."), once per
// malformed unauthenticated post: anyone could fill the host's logs. The
// plugin reports every failure through its own error codes instead.
//
// In libxml2 2.9 (built with threads, as on Debian) the generic and the
// structured error handler and their contexts are per thread. A host such as
// PHP installs its own, so the plugin must not replace them for good:
// XmlErrorScope saves the calling thread's handlers, installs silent ones
// that only keep the first message, and restores the saved ones when it
// ends. Put one around every use of libxml2 or xmlsec (parsing, signature
// verification, decryption, metadata, building XML); scopes may nest.
//
// xmlsec's errors go through InstallXmlsecErrorCallback's callback (set once
// per process by InitializeXmlLibraries): inside a scope it records like the
// libxml2 handlers; outside any scope of this thread it hands the report to
// xmlsec's default callback, which writes through the thread's libxml2
// generic handler, so a host that uses xmlsec itself sees what it did before.
//
// Threading: a scope belongs to the thread that created it and must end on
// that thread (it is a stack object; never move it across threads).
#pragma once

#include <libxml/xmlerror.h>

#include <string>

namespace vsso::saml {

class XmlErrorScope {
 public:
  XmlErrorScope();
  ~XmlErrorScope();
  XmlErrorScope(const XmlErrorScope&) = delete;
  XmlErrorScope& operator=(const XmlErrorScope&) = delete;

  /// The first message libxml2 or xmlsec reported in this scope (trimmed,
  /// at most 200 bytes, control characters removed); empty if none.
  const std::string& first_message() const { return first_message_; }

  /// Internal: records a report for the innermost scope of this thread.
  static void Record(const char* message);

  /// How many reports libxml2 and xmlsec made on this thread inside any
  /// scope, kept or not. A valid response must add none: each report costs
  /// the libraries a formatted message nobody prints (issue 15, quiet hot
  /// path), so tests hold the count still across the success path.
  static unsigned long ReportsOnThisThread();

 private:
  xmlGenericErrorFunc saved_generic_;
  void* saved_generic_context_;
  xmlStructuredErrorFunc saved_structured_;
  void* saved_structured_context_;
  XmlErrorScope* outer_;
  std::string first_message_;
};

/// Sets xmlsec's process-wide errors callback (see above). Idempotent; called
/// by InitializeXmlLibraries.
void InstallXmlsecErrorCallback();

}  // namespace vsso::saml
