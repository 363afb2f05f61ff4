// The plugin side of the C ABI: host-owned C inputs read into the SDK's C++
// types, and the C++ results of hooks::PluginImpl turned into plugin-owned C
// results that the host gives back through the vsso_*_free functions.
//
// Inputs follow abi.h's struct_size rule (sdk::abi::Has): a field the host's
// (older) copy of abi.h lacks is read as its zero value; nothing beyond
// struct_size is touched. A broken input throws InvalidArgument, which the
// exported function turns into VSSO_STATUS_INVALID_ARGUMENT with its "abi.*"
// code; nothing is thrown across the boundary.
//
// Results: each result is a Box, the C struct first and a pointer to the Arena
// that owns every buffer, array and nested struct reachable from it. The
// struct pointer handed to the host is the Box's address (standard layout,
// first member), so vsso_*_free finds the Box again without a lookup.
// Threading: nothing here is shared between calls.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "visitor_sso/sdk/abi.hpp"
#include "visitor_sso/sdk/expected.hpp"
#include "visitor_sso/sdk/types.hpp"

namespace vsso::entry {

namespace sdk = visitor_sso::sdk;

/// The host broke the contract (abi.h, VSSO_STATUS_INVALID_ARGUMENT).
struct InvalidArgument {
  std::string code;
  std::string message;
};

// ---- Inputs ------------------------------------------------------------------

/// `s` itself, after checking that it is there and declares a size.
template <class S>
const S& Struct(const S* s, const char* name) {
  if (s == nullptr) throw InvalidArgument{"abi.null_argument", std::string(name) + " is NULL"};
  if (s->struct_size < sizeof(std::uint32_t)) {
    throw InvalidArgument{"abi.struct_size",
                          std::string(name) + ".struct_size is " + std::to_string(s->struct_size) +
                              "; set it to the sizeof of the struct as the host was built"};
  }
  return *s;
}

std::string Text(const vsso_bytes_host_owned& bytes, const char* field);

template <class S>
std::string TextOf(const S& s, vsso_bytes_host_owned S::*member, const char* field) {
  return sdk::abi::Has(s, member) ? Text(s.*member, field) : std::string();
}

sdk::ConfigureRequest ReadConfigureRequest(const vsso_configure_request_host_owned* request);
sdk::Chat ReadChat(const vsso_chat_host_owned* chat);
sdk::HistoryQuery ReadHistoryQuery(const vsso_history_query_host_owned* query);
sdk::HttpRequest ReadHttpRequest(const vsso_http_request_host_owned* request);
sdk::AdminOverviewQuery ReadAdminOverviewQuery(const vsso_admin_overview_query_host_owned* query);

// ---- Results -----------------------------------------------------------------

/// Owns everything a result points to.
class Arena {
 public:
  /// The text's bytes, kept here: never NULL, followed by a 0 byte.
  vsso_bytes_plugin_owned Bytes(std::string text);
  /// A zeroed C struct with struct_size set, kept here.
  template <class C>
  C* New() {
    auto object = std::make_shared<C>();
    object->struct_size = sizeof(C);
    keep_.push_back(object);
    return object.get();
  }
  /// `n` zeroed elements, kept here; NULL when n is 0 (count 0 needs none).
  template <class T>
  T* Array(std::size_t n) {
    if (n == 0) return nullptr;
    auto array = std::make_shared<std::vector<T>>(n);
    keep_.push_back(array);
    return array->data();
  }

 private:
  std::deque<std::string> strings_;
  std::vector<std::shared_ptr<void>> keep_;
};

template <class C>
struct Box {
  C c;  // first: a C* handed out is the Box's address
  Arena* arena;
};

/// Builds one result; Release hands it to the host, otherwise the destructor
/// frees it.
template <class C>
class Result {
 public:
  Result() {
    auto box = std::make_unique<Box<C>>();  // value-initialised: all zero
    auto arena = std::make_unique<Arena>();
    box->c.struct_size = sizeof(C);
    box->c.error_code = arena->Bytes({});
    box->c.error_message = arena->Bytes({});
    box->arena = arena.release();
    box_ = box.release();
  }
  ~Result() { Free(Release()); }
  Result(const Result&) = delete;
  Result& operator=(const Result&) = delete;

  C& c() { return box_->c; }
  Arena& arena() { return *box_->arena; }
  vsso_status Fail(vsso_status status, const std::string& code, const std::string& message) {
    box_->c.error_code = arena().Bytes(code);
    box_->c.error_message = arena().Bytes(message);
    return status;
  }
  vsso_status Fail(const sdk::Error& error) {
    return Fail(VSSO_STATUS_ERROR, error.code, error.message);
  }
  C* Release() {
    Box<C>* box = box_;
    box_ = nullptr;
    return box != nullptr ? &box->c : nullptr;
  }

  /// The matching vsso_*_free.
  static void Free(C* c) {
    if (c == nullptr) return;
    auto* box = reinterpret_cast<Box<C>*>(c);
    delete box->arena;
    delete box;
  }

 private:
  Box<C>* box_ = nullptr;
};

void FillDescription(vsso_description_plugin_owned& c, Arena& arena,
                     const sdk::PluginDescription& d);
void FillChatStart(vsso_chat_start_plugin_owned& c, Arena& arena, const sdk::ChatStartResult& r);
void FillPrechat(vsso_prechat_plugin_owned& c, Arena& arena, const sdk::PrechatResult& r);
void FillVisitorInfo(vsso_visitor_info_plugin_owned& c, Arena& arena, const sdk::VisitorInfo& r);
void FillRouting(vsso_routing_plugin_owned& c, Arena& arena, const sdk::RoutingResult& r);
void FillTranscriptTags(vsso_transcript_tags_plugin_owned& c, Arena& arena,
                        const sdk::TranscriptTags& r);
void FillHistoryPage(vsso_history_page_plugin_owned& c, Arena& arena, const sdk::HistoryPage& r);
void FillHttpResponse(vsso_http_response_plugin_owned& c, Arena& arena, const sdk::HttpResponse& r);
void FillAdminOverview(vsso_admin_overview_plugin_owned& c, Arena& arena,
                       const sdk::AdminOverview& r);

}  // namespace vsso::entry
