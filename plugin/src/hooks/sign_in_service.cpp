#include "hooks/sign_in_service.hpp"

#include <boost/json.hpp>

#include "saml/rules/replay.hpp"
#include "store/audit_log.hpp"

namespace vsso::hooks {
namespace {

namespace json = boost::json;

class StoreReplayGuard final : public saml::ReplayGuard {
 public:
  explicit StoreReplayGuard(store::ReplayCache& cache) : cache_(cache) {}
  Result<bool> FirstUse(const std::string& assertion_id, const std::string& issuer,
                        UnixSeconds keep_until, UnixSeconds now) override {
    return cache_.FirstUse(assertion_id, issuer, keep_until, now);
  }

 private:
  store::ReplayCache& cache_;
};

store::AuditEvent Event(const Runtime& rt, std::string_view kind, std::string_view code,
                        std::string message, const std::string& issuer,
                        const std::string& assertion_id, const std::string& visitor_id,
                        const std::string& remote_address) {
  store::AuditEvent event;
  event.at = rt.Now();
  event.kind = kind;
  event.code = code;
  event.message = std::move(message);
  event.issuer = issuer;
  event.assertion_id = assertion_id;
  event.visitor_id = visitor_id;
  event.remote_address = remote_address;
  return event;
}

// The verdict stands even if auditing fails; the store error is not the
// visitor's problem and the next write will report it again.
void Record(const Runtime& rt, const store::AuditEvent& event) {
  (void)store::AuditLog(rt.db, rt.settings.site_id).Record(event);
}

void Audit(const Runtime& rt, const std::string& kind, const std::string& code,
           const std::string& message, const std::string& issuer, const std::string& assertion_id,
           const std::string& visitor_id, const std::string& remote_address) {
  Record(rt, Event(rt, kind, code, message, issuer, assertion_id, visitor_id, remote_address));
}

}  // namespace

void RecordRejectedSignIn(const Runtime& rt, const Error& error, const std::string& visitor_id,
                          const std::string& remote_address) {
  Audit(rt, "sign_in_rejected", error.code, error.message, {}, {}, visitor_id, remote_address);
}

void RecordSignInEvent(const Runtime& rt, const std::string& kind, const std::string& message,
                       const std::string& issuer, const std::string& visitor_id,
                       const std::string& remote_address) {
  Audit(rt, kind, "ok", message, issuer, {}, visitor_id, remote_address);
}

Result<std::string_view> DecodeResponseInput(std::string_view input, std::string& decoded) {
  const auto first = input.find_first_not_of(" \t\r\n");
  if (first != std::string_view::npos && input[first] == '<') return input;
  auto xml = saml::DecodePostedResponse(input);
  if (!xml) return std::move(xml).error();
  decoded = std::move(*xml);
  return std::string_view(decoded);
}

saml::ValidationContext MakeValidationContext(const Runtime& rt, const SignInAttempt& attempt,
                                              saml::ReplayGuard* replay) {
  saml::ValidationContext ctx;
  ctx.now = rt.Now();
  ctx.clock_skew_seconds = rt.settings.clock_skew_seconds;
  ctx.idp_entity_id = rt.settings.idp_entity_id;
  ctx.sp_entity_id = rt.settings.sp_entity_id;
  ctx.acs_url = rt.settings.acs_url;
  ctx.expected_request_id = attempt.expected_request_id;
  ctx.allow_unsolicited = rt.settings.allow_idp_initiated;
  ctx.allow_sha1 = rt.settings.allow_sha1;
  ctx.max_response_bytes = static_cast<std::size_t>(rt.settings.max_response_bytes);
  ctx.idp_certificates = rt.idp_certificates;
  ctx.sp_private_key = rt.sp_private_key;
  ctx.replay = replay;
  return ctx;
}

namespace {

// A response that passed every rule, replay included: its customer ID and
// mapped fields, or the refusal of a missing customer ID (audited).
Result<SignIn> Accept(const Runtime& rt, const SignInAttempt& attempt, saml::Identity identity) {
  auto customer_id = identity::CustomerId(identity, rt.settings.customer_id_attribute);
  if (!customer_id) {
    Audit(rt, "sign_in_rejected", customer_id.error().code, customer_id.error().message,
          identity.issuer, identity.assertion_id, attempt.visitor_id, attempt.remote_address);
    return std::move(customer_id).error();
  }
  SignIn out{std::move(identity), std::move(*customer_id), {}};
  out.mapping = identity::MapAttributes(rt.settings.mappings, out.identity.attributes);
  // The replay row is committed (the rule above); the record of a success
  // may follow in the next batch (store::AuditLog::RecordBatched: at most
  // Database::kDeferredMilliseconds later), which spares every sign-in the
  // four index pages of an audit row.
  // Each event is built once and moved into the batch.
  store::AuditLog log(rt.db, rt.settings.site_id);
  for (const auto& key : out.mapping.missing) {
    log.RecordBatched(Event(rt, "mapping_missing", "mapping.attribute_missing",
                            "no attribute for chat field \"" + key + "\" in the assertion",
                            out.identity.issuer, out.identity.assertion_id, attempt.visitor_id,
                            attempt.remote_address));
  }
  log.RecordBatched(Event(rt, "sign_in_accepted", "ok",
                          "customer " + out.customer_id + " signed in", out.identity.issuer,
                          out.identity.assertion_id, attempt.visitor_id, attempt.remote_address));
  return out;
}

// Every rule on `attempt` with `guard` as the replay guard; a refusal is
// audited.
Result<saml::Identity> Validate(const Runtime& rt, const SignInAttempt& attempt,
                                saml::ReplayGuard& guard) {
  const saml::ValidationContext ctx = MakeValidationContext(rt, attempt, &guard);
  saml::ResponseSummary summary;
  auto identity = saml::ValidateResponse(attempt.xml, ctx, &summary);
  if (!identity) {
    Audit(rt, "sign_in_rejected", identity.error().code, identity.error().message, summary.issuer,
          summary.assertion_id, attempt.visitor_id, attempt.remote_address);
  }
  return identity;
}

// The replay guard of a batch: remembers what the replay rule asks to
// record and lets it pass for now; SignInBatch::Finish asks the store and
// judges the answer with the rule's own verdict (rules::ReplayVerdict).
class ClaimRecorder final : public saml::ReplayGuard {
 public:
  Result<bool> FirstUse(const std::string& assertion_id, const std::string& issuer,
                        UnixSeconds keep_until, UnixSeconds now) override {
    claim = store::ReplayClaim{assertion_id, issuer, keep_until, now};
    return true;
  }
  std::optional<store::ReplayClaim> claim;
};

}  // namespace

Result<SignIn> ConsumeResponse(const Runtime& rt, const SignInAttempt& attempt) {
  store::ReplayCache cache(rt.db, rt.settings.site_id);
  StoreReplayGuard guard(cache);
  auto identity = Validate(rt, attempt, guard);
  if (!identity) return std::move(identity).error();
  return Accept(rt, attempt, std::move(*identity));
}

void SignInBatch::Add(const SignInAttempt& attempt) {
  ClaimRecorder recorder;
  Pending pending{Validate(*rt_, attempt, recorder), attempt.visitor_id, attempt.remote_address,
                  std::nullopt};
  // The replay rule is the last one: a claim counts only if every rule
  // passed, so a refused response records nothing, as one by one.
  if (pending.identity && recorder.claim) {
    pending.claim = claims_.size();
    claims_.push_back(std::move(*recorder.claim));
  } else if (pending.identity) {
    // A rule list without the replay rule would accept a replay: refused.
    pending.identity = MakeError("saml.replay.unavailable",
                                 "the replay rule did not run, so the assertion is refused");
  }
  pending_.push_back(std::move(pending));
}

std::vector<Result<SignIn>> SignInBatch::Finish() {
  const std::vector<Result<bool>> first_use =
      store::ReplayCache(rt_->db, rt_->settings.site_id).FirstUseMany(claims_);
  std::vector<Result<SignIn>> out;
  out.reserve(pending_.size());
  for (auto& pending : pending_) {
    if (!pending.identity) {
      out.emplace_back(std::move(pending.identity).error());
      continue;
    }
    const SignInAttempt attempt{
        {}, {}, std::move(pending.visitor_id), std::move(pending.remote_address)};
    saml::Identity& identity = *pending.identity;
    if (auto verdict = saml::rules::ReplayVerdict(first_use[*pending.claim], identity); !verdict) {
      Audit(*rt_, "sign_in_rejected", verdict.error().code, verdict.error().message,
            identity.issuer, identity.assertion_id, attempt.visitor_id, attempt.remote_address);
      out.emplace_back(std::move(verdict).error());
      continue;
    }
    out.push_back(Accept(*rt_, attempt, std::move(identity)));
  }
  pending_.clear();
  claims_.clear();
  return out;
}

store::SsoSession SessionOf(const Runtime& rt, const SignIn& sign_in) {
  store::SsoSession session;
  session.customer_id = sign_in.customer_id;
  session.name_id = sign_in.identity.name_id;
  session.name_id_format = sign_in.identity.name_id_format;
  session.name_qualifier = sign_in.identity.name_qualifier;
  session.sp_name_qualifier = sign_in.identity.sp_name_qualifier;
  session.session_index = sign_in.identity.session_index;
  session.idp_entity_id = sign_in.identity.issuer;
  session.signed_in_at = rt.Now();
  session.expires_at = rt.Now() + rt.settings.session_lifetime_seconds;
  // The chat session ends no later than the IdP's session (Core 2.7.2).
  if (sign_in.identity.session_not_on_or_after != 0 &&
      sign_in.identity.session_not_on_or_after < session.expires_at) {
    session.expires_at = sign_in.identity.session_not_on_or_after;
  }
  json::array fields;
  for (const auto& f : sign_in.mapping.fields) {
    json::array values;
    for (const auto& v : f.values) values.emplace_back(v);
    fields.emplace_back(json::object{{"key", f.key}, {"values", std::move(values)}});
  }
  session.fields_json = json::serialize(fields);
  json::object attributes;
  for (const auto& a : sign_in.identity.attributes) {
    json::array values;
    for (const auto& v : a.values) values.emplace_back(v);
    attributes[a.name] = std::move(values);
  }
  session.attributes_json = json::serialize(attributes);
  return session;
}

}  // namespace vsso::hooks
