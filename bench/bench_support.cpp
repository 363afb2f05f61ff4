#include "bench_support.hpp"

#include <libpq-fe.h>
#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/valid.h>
#include <unistd.h>
#include <xmlsec/openssl/evp.h>
#include <xmlsec/xmldsig.h>
#include <xmlsec/xmltree.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <map>
#include <stdexcept>
#include <string>

#include "common/encoding.hpp"
#include "saml/response_validator.hpp"
#include "support/postgres_uri.hpp"
#include "support/test_idp.hpp"

namespace vsso::bench {
namespace {

using testing::AttributeSpec;
using testing::ResponseBuilder;

Flags g_flags;

// What every shape carries: the attributes the test deployment maps to chat
// fields (support/deployment.hpp), so no "mapping_missing" row is audited.
void MappedAttributes(ResponseBuilder& b) {
  b.Attribute(AttributeSpec("urn:oid:0.9.2342.19200300.100.1.3", {"alice@example.org"}, "mail"))
      .Attribute(
          AttributeSpec("urn:oid:2.16.840.1.113730.3.1.241", {"Alice Liddell"}, "displayName"))
      .Attribute(AttributeSpec("urn:oid:1.3.6.1.4.1.5923.1.1.1.7",
                               {"urn:example:entitlement:chat", "urn:example:entitlement:priority"},
                               "eduPersonEntitlement"))
      .Attribute(AttributeSpec("company", {"Acme"}))
      .Attribute(AttributeSpec("accountNumber", {"A-1001"}))
      .Attribute(AttributeSpec("membership_level", {"gold"}));
}

}  // namespace

const Flags& GetFlags() { return g_flags; }

void ParseFlags(int* argc, char** argv) {
  int out = 1;
  for (int i = 1; i < *argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](const char* name) -> const char* {
      const std::string prefix = std::string(name) + "=";
      return arg.rfind(prefix, 0) == 0 ? argv[i] + prefix.size() : nullptr;
    };
    if (const char* v = value("--vsso_responses")) {
      g_flags.responses = std::max(1, std::atoi(v));
    } else if (const char* h = value("--vsso_history_rows")) {
      g_flags.history_rows = std::max<std::int64_t>(100, std::atoll(h));
    } else if (arg == "--vsso_smoke") {
      g_flags.smoke = true;
      g_flags.responses = 4;
      g_flags.history_rows = 2000;
    } else {
      argv[out++] = argv[i];
    }
  }
  *argc = out;
  argv[out] = nullptr;
}

const char* ShapeName(Shape shape) {
  switch (shape) {
    case Shape::kTypical:
      return "typical_5k";
    case Shape::kBothSigned:
      return "both_signed";
    case Shape::kLarge:
      return "large_40k_100attrs";
  }
  return "?";
}

SignedResponse MakeResponse(Shape shape, const std::string& request_id) {
  ResponseBuilder b;
  b.InResponseTo(request_id).SubjectInResponseTo(request_id);
  MappedAttributes(b);
  if (shape == Shape::kBothSigned) b.SignResponse(testing::SignOptions{});
  if (shape == Shape::kLarge) {
    // 94 more attributes of about 370 bytes each (100 in all): a directory
    // that sends everything it knows about the user.
    for (int i = 1; i <= 94; ++i) {
      const std::string n = std::to_string(i);
      b.Attribute(AttributeSpec(
          "urn:example:directory:attribute:" + n,
          {"value " + n + " " + std::string(40, 'x'), "second value of attribute " + n},
          "directoryAttribute" + n));
    }
  }
  SignedResponse r;
  r.xml = b.Build();
  r.base64 = encoding::Base64Encode(r.xml);
  r.request_id = request_id;
  r.assertion_id = b.assertion_id();
  return r;
}

const ResponsePool& ResponsePool::Get(Shape shape, std::size_t count) {
  static std::mutex mutex;
  static std::map<Shape, std::unique_ptr<ResponsePool>> pools;
  std::lock_guard lock(mutex);
  auto& pool = pools[shape];
  if (!pool) pool = std::make_unique<ResponsePool>();
  while (pool->responses_.size() < count) {
    pool->responses_.push_back(MakeResponse(shape, testing::kRequestId));
  }
  return *pool;
}

std::vector<SignedResponse> ResponsePool::WithOwnRequestIds(std::size_t count) {
  std::vector<SignedResponse> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    out.push_back(MakeResponse(Shape::kTypical, testing::RandomId()));
  }
  return out;
}

namespace {

// Registers the ID of the first element `name` under `parent` (inclusive)
// and returns it, or nullptr.
xmlNode* RegisterId(xmlDoc* doc, xmlNode* from, const char* name, const char* ns) {
  xmlNode* node = xmlSecFindNode(from, BAD_CAST name, BAD_CAST ns);
  if (node == nullptr) return nullptr;
  xmlAttr* id = xmlHasProp(node, BAD_CAST "ID");
  if (id == nullptr) return nullptr;
  xmlChar* value = xmlNodeListGetString(doc, id->children, 1);
  xmlAddID(nullptr, doc, value, id);
  xmlFree(value);
  return node;
}

bool VerifyOne(xmlNode* signature, EVP_PKEY* pkey) {
  xmlSecDSigCtx* ctx = xmlSecDSigCtxCreate(nullptr);
  EVP_PKEY_up_ref(pkey);
  ctx->signKey = xmlSecKeyCreate();
  xmlSecKeySetValue(ctx->signKey, xmlSecOpenSSLEvpKeyAdopt(pkey));
  const bool ok =
      xmlSecDSigCtxVerify(ctx, signature) == 0 && ctx->status == xmlSecDSigStatusSucceeded;
  xmlSecDSigCtxDestroy(ctx);
  return ok;
}

}  // namespace

bool BareVerify(const std::string& xml, bool both_signed) {
  return BareVerify(xml, both_signed, testing::IdpRsaKey().pkey());
}

bool BareVerify(const std::string& xml, bool both_signed, EVP_PKEY* pkey) {
  xmlDoc* doc =
      xmlReadMemory(xml.data(), static_cast<int>(xml.size()), nullptr, nullptr, XML_PARSE_NONET);
  if (doc == nullptr) return false;
  xmlNode* root = xmlDocGetRootElement(doc);
  bool ok = true;
  if (both_signed) {
    RegisterId(doc, root, "Response", testing::kProtocolNs);
    // The Response's own Signature is its direct child (after Issuer).
    xmlNode* signature = nullptr;
    for (xmlNode* c = root->children; c != nullptr; c = c->next) {
      if (c->type == XML_ELEMENT_NODE &&
          xmlSecCheckNodeName(c, xmlSecNodeSignature, xmlSecDSigNs)) {
        signature = c;
      }
    }
    ok = signature != nullptr && VerifyOne(signature, pkey);
  }
  xmlNode* assertion = RegisterId(doc, root, "Assertion", testing::kAssertionNs);
  xmlNode* signature =
      assertion != nullptr ? xmlSecFindNode(assertion, xmlSecNodeSignature, xmlSecDSigNs) : nullptr;
  ok = ok && signature != nullptr && VerifyOne(signature, pkey);
  xmlFreeDoc(doc);
  return ok;
}

std::int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::string RoutingRulesText() {
  std::string text;
  for (int i = 1; i <= kRoutingRules; ++i) {
    const std::string n = std::to_string(i);
    text += "rule." + n + " = company == Company " + n +
            " and variable:membership_level != bronze -> Team " + n + "\n";
  }
  return text + "default = General\n";
}

std::string SessionFieldsJson(const std::string& company) {
  return R"([{"key":"name","values":["Alice Liddell"]},{"key":"email","values":["alice@example.org"]},)"
         R"({"key":"company","values":[")" +
         company +
         R"("]},{"key":"prechat:Account Number","values":["A-1001"]},)"
         R"({"key":"variable:membership_level","values":["gold"]}])";
}

void Latencies::Report(benchmark::State& state) {
  if (ns_.empty()) return;
  auto at = [&](double q) {
    const auto k = static_cast<std::size_t>(q * static_cast<double>(ns_.size() - 1));
    std::nth_element(ns_.begin(), ns_.begin() + static_cast<std::ptrdiff_t>(k), ns_.end());
    return static_cast<double>(ns_[k]) / 1000.0;
  };
  state.counters["p50_us"] = at(0.50);
  state.counters["p99_us"] = at(0.99);
}

std::string BenchPostgresUri() {
  for (const char* name : {"VSSO_BENCH_POSTGRES_URI", "VSSO_TEST_POSTGRES_URI"}) {
    const char* uri = std::getenv(name);
    if (uri != nullptr && *uri != '\0') return uri;
  }
  return {};
}

namespace {

void PgExec(const std::string& uri, const std::string& sql) {
  PGconn* c = PQconnectdb(uri.c_str());
  std::string error;
  if (PQstatus(c) != CONNECTION_OK) {
    error = std::string("cannot connect: ") + PQerrorMessage(c);
  } else {
    PGresult* r = PQexec(c, sql.c_str());
    if (PQresultStatus(r) != PGRES_COMMAND_OK) error = PQresultErrorMessage(r);
    PQclear(r);
  }
  PQfinish(c);
  if (!error.empty()) throw std::runtime_error(sql + ": " + error);
}

}  // namespace

PgDatabase::PgDatabase() : server_(BenchPostgresUri()) {
  static std::atomic<int> counter{0};
  name_ = "vsso_bench_" + std::to_string(::getpid()) + "_" + std::to_string(++counter);
  PgExec(server_, "CREATE DATABASE " + name_);
  uri_ = testing::WithDatabase(server_, name_);
}

PgDatabase::~PgDatabase() {
  try {
    PgExec(server_, "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
  } catch (const std::exception&) {
    // A database left behind costs disk, not correctness.
  }
}

}  // namespace vsso::bench
