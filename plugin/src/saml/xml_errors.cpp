#include "saml/xml_errors.hpp"

#include <libxml/globals.h>
#include <xmlsec/xmlsec.h>  // before errors.h, which needs its types

#include <xmlsec/errors.h>

#include <cstdarg>
#include <cstdio>

namespace vsso::saml {
namespace {

constexpr std::size_t kMaxRecorded = 200;

// The innermost scope of this thread; scopes nest like the stack frames
// that hold them.
thread_local XmlErrorScope* current_scope = nullptr;
thread_local unsigned long reports = 0;

// libxml2 calls the generic handler with printf-style pieces of one message
// (sometimes a single character at a time); only the first piece matters.
void GenericHandler(void*, const char* format, ...) {
  // Only the first message of a scope is kept: the later pieces are not
  // formatted at all.
  if (current_scope != nullptr && !current_scope->first_message().empty()) {
    ++reports;
    return;
  }
  char text[kMaxRecorded + 1];
  va_list args;
  va_start(args, format);
  std::vsnprintf(text, sizeof text, format, args);
  va_end(args);
  XmlErrorScope::Record(text);
}

void StructuredHandler(void*, xmlErrorPtr error) {
  if (error != nullptr) XmlErrorScope::Record(error->message);
}

void XmlsecCallback(const char* file, int line, const char* func, const char* error_object,
                    const char* error_subject, int reason, const char* message) {
  if (current_scope == nullptr) {
    xmlSecErrorsDefaultCallback(file, line, func, error_object, error_subject, reason, message);
    return;
  }
  XmlErrorScope::Record(message != nullptr && *message != '\0' ? message : func);
}

}  // namespace

XmlErrorScope::XmlErrorScope()
    : saved_generic_(xmlGenericError),
      saved_generic_context_(xmlGenericErrorContext),
      saved_structured_(xmlStructuredError),
      saved_structured_context_(xmlStructuredErrorContext),
      outer_(current_scope) {
  xmlSetGenericErrorFunc(nullptr, GenericHandler);
  xmlSetStructuredErrorFunc(nullptr, StructuredHandler);
  current_scope = this;
}

XmlErrorScope::~XmlErrorScope() {
  current_scope = outer_;
  // Assigned directly: xmlSetGenericErrorFunc(ctx, nullptr) would install
  // libxml2's stderr default where the thread had none.
  xmlGenericError = saved_generic_;
  xmlGenericErrorContext = saved_generic_context_;
  xmlStructuredError = saved_structured_;
  xmlStructuredErrorContext = saved_structured_context_;
}

void XmlErrorScope::Record(const char* message) {
  XmlErrorScope* scope = current_scope;
  if (scope != nullptr) ++reports;
  if (scope == nullptr || message == nullptr || !scope->first_message_.empty()) return;
  std::string text;
  for (const char* p = message; *p != '\0' && text.size() < kMaxRecorded; ++p) {
    const auto c = static_cast<unsigned char>(*p);
    if (c >= 0x20 && c != 0x7F)
      text += static_cast<char>(c);
    else if (c == '\n' || c == '\t')
      text += ' ';
  }
  const auto begin = text.find_first_not_of(' ');
  const auto end = text.find_last_not_of(' ');
  if (begin == std::string::npos) return;
  scope->first_message_ = text.substr(begin, end - begin + 1);
}

unsigned long XmlErrorScope::ReportsOnThisThread() { return reports; }

void InstallXmlsecErrorCallback() { xmlSecErrorsSetCallback(XmlsecCallback); }

}  // namespace vsso::saml
