// Cost of the full response validation against the floor set by xmlsec
// itself: parse + pinned-key verification of the same signed response with
// nothing else checked. The ratio is reported as the counter "x_bare" on
// BM_ValidateResponse (BM_BareXmlsecVerify runs first and records its CPU time).
#include <time.h>

#include <string>

#include <benchmark/benchmark.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include "saml/response_validator.hpp"
#include "support/test_idp.hpp"

namespace {

using vsso::testing::AttributeSpec;
using vsso::testing::ResponseBuilder;

// A typical response: assertion signed (RSA-SHA256, exclusive c14n), a
// handful of attributes, about 5 KB.
const std::string& SignedResponse() {
  static const std::string xml = [] {
    vsso::saml::InitializeXmlLibraries();
    return ResponseBuilder()
        .Attribute(
            AttributeSpec("urn:oid:0.9.2342.19200300.100.1.3", {"alice@example.org"}, "mail"))
        .Attribute(AttributeSpec("urn:oid:2.5.4.42", {"Alice"}, "givenName"))
        .Attribute(AttributeSpec("urn:oid:2.5.4.4", {"Liddell"}, "sn"))
        .Attribute(
            AttributeSpec("urn:oid:2.16.840.1.113730.3.1.241", {"Alice Liddell"}, "displayName"))
        .Attribute(
            AttributeSpec("urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
                          {"urn:example:entitlement:chat", "urn:example:entitlement:priority"},
                          "eduPersonEntitlement"))
        .Attribute(AttributeSpec("membership", {"gold"}))
        .Build();
  }();
  return xml;
}

double g_bare_ns_per_message = 0;

// Thread CPU time per iteration: the machine is shared, so wall time would
// mostly measure the neighbours.
double CpuSeconds() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

template <class F>
double NanosecondsPerIteration(benchmark::State& state, F&& body) {
  double start = CpuSeconds();
  for (auto _ : state) body();
  double elapsed = CpuSeconds() - start;
  return state.iterations() == 0 ? 0 : elapsed * 1e9 / static_cast<double>(state.iterations());
}

// Minimal correct use of xmlsec: parse, register the Assertion's ID, verify
// the one signature with the configured key adopted into a fresh xmlsec key.
void BM_BareXmlsecVerify(benchmark::State& state) {
  const std::string& xml = SignedResponse();
  EVP_PKEY* pkey = vsso::testing::IdpRsaKey().pkey();
  double ns = NanosecondsPerIteration(state, [&] {
    xmlDoc* doc =
        xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET);
    xmlNode* assertion = xmlSecFindNode(xmlDocGetRootElement(doc), BAD_CAST "Assertion",
                                        BAD_CAST vsso::testing::kAssertionNs);
    xmlAttr* id = xmlHasProp(assertion, BAD_CAST "ID");
    xmlChar* value = xmlNodeListGetString(doc, id->children, 1);
    xmlAddID(nullptr, doc, value, id);
    xmlFree(value);
    xmlNode* signature = xmlSecFindNode(assertion, xmlSecNodeSignature, xmlSecDSigNs);
    xmlSecDSigCtx* ctx = xmlSecDSigCtxCreate(nullptr);
    EVP_PKEY_up_ref(pkey);
    ctx->signKey = xmlSecKeyCreate();
    xmlSecKeySetValue(ctx->signKey, xmlSecOpenSSLEvpKeyAdopt(pkey));
    bool ok = xmlSecDSigCtxVerify(ctx, signature) == 0 && ctx->status == xmlSecDSigStatusSucceeded;
    xmlSecDSigCtxDestroy(ctx);
    xmlFreeDoc(doc);
    if (!ok) state.SkipWithError("bare verification failed");
    benchmark::DoNotOptimize(ok);
  });
  g_bare_ns_per_message = ns;
  state.counters["cpu_us"] = ns / 1000;
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * xml.size()));
  state.counters["bytes"] = static_cast<double>(xml.size());
}
BENCHMARK(BM_BareXmlsecVerify);

// Replay is not what is measured here: every assertion counts as first use.
class AlwaysFirstUse : public vsso::saml::ReplayGuard {
 public:
  vsso::Result<bool> FirstUse(const std::string&, const std::string&, vsso::UnixSeconds,
                              vsso::UnixSeconds) override {
    return true;
  }
};

void BM_ValidateResponse(benchmark::State& state) {
  const std::string& xml = SignedResponse();
  AlwaysFirstUse replay;
  vsso::saml::ValidationContext context = vsso::testing::DefaultContext(&replay);
  double ns = NanosecondsPerIteration(state, [&] {
    auto result = vsso::saml::ValidateResponse(xml, context);
    if (!result) state.SkipWithError(result.error().code.c_str());
    benchmark::DoNotOptimize(result);
  });
  state.SetBytesProcessed(static_cast<std::int64_t>(state.iterations() * xml.size()));
  state.counters["cpu_us"] = ns / 1000;
  if (g_bare_ns_per_message > 0) state.counters["x_bare"] = ns / g_bare_ns_per_message;
}
BENCHMARK(BM_ValidateResponse);

}  // namespace
