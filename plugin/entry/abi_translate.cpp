#include "abi_translate.hpp"

#include <limits>

namespace vsso::entry {

namespace abi = visitor_sso::sdk::abi;

// ---- Inputs ------------------------------------------------------------------

std::string Text(const vsso_bytes_host_owned& bytes, const char* field) {
  if (bytes.len == 0) return {};
  if (bytes.ptr == nullptr) {
    throw InvalidArgument{"abi.null_buffer",
                          std::string(field) + " is {NULL, " + std::to_string(bytes.len) + "}"};
  }
  return std::string(reinterpret_cast<const char*>(bytes.ptr), bytes.len);
}

namespace {

template <class T>
const T* ArrayOf(const T* items, std::size_t count, const char* field) {
  if (count != 0 && items == nullptr) {
    throw InvalidArgument{"abi.null_array",
                          std::string(field) + " is {NULL, " + std::to_string(count) + "}"};
  }
  return items;
}

sdk::FieldValue ReadField(const vsso_field_host_owned* f) {
  using F = vsso_field_host_owned;
  const F& field = Struct(f, "prechat_answers[i]");
  sdk::FieldValue out;
  out.key = TextOf(field, &F::key, "prechat_answers[i].key");
  out.label = TextOf(field, &F::label, "prechat_answers[i].label");
  out.value = TextOf(field, &F::value, "prechat_answers[i].value");
  if (abi::Has(field, &F::values_count)) {
    const vsso_bytes_host_owned* values =
        ArrayOf(field.values, field.values_count, "prechat_answers[i].values");
    for (std::size_t i = 0; i < field.values_count; ++i) {
      out.values.push_back(Text(values[i], "prechat_answers[i].values[j]"));
    }
  }
  return out;
}

}  // namespace

sdk::ConfigureRequest ReadConfigureRequest(const vsso_configure_request_host_owned* request) {
  using R = vsso_configure_request_host_owned;
  const R& r = Struct(request, "request");
  sdk::ConfigureRequest out;
  out.config_path = TextOf(r, &R::config_path, "request.config_path");
  out.fixed_now = abi::Get(r, &R::fixed_now);
  return out;
}

sdk::Chat ReadChat(const vsso_chat_host_owned* chat) {
  using C = vsso_chat_host_owned;
  const C& c = Struct(chat, "chat");
  sdk::Chat out;
  out.id = TextOf(c, &C::chat_id, "chat.chat_id");
  out.visitor.id = TextOf(c, &C::visitor_id, "chat.visitor_id");
  out.visitor.ip_address = TextOf(c, &C::visitor_ip_address, "chat.visitor_ip_address");
  out.visitor.user_agent = TextOf(c, &C::visitor_user_agent, "chat.visitor_user_agent");
  out.visitor.page_url = TextOf(c, &C::visitor_page_url, "chat.visitor_page_url");
  out.return_url = TextOf(c, &C::return_url, "chat.return_url");
  if (abi::Has(c, &C::prechat_answers_count)) {
    const vsso_field_host_owned* const* answers =
        ArrayOf(c.prechat_answers, c.prechat_answers_count, "chat.prechat_answers");
    for (std::size_t i = 0; i < c.prechat_answers_count; ++i) {
      out.prechat_answers.push_back(ReadField(answers[i]));
    }
  }
  out.site_id = TextOf(c, &C::site_id, "chat.site_id");
  return out;
}

sdk::HistoryQuery ReadHistoryQuery(const vsso_history_query_host_owned* query) {
  using Q = vsso_history_query_host_owned;
  const Q& q = Struct(query, "query");
  sdk::HistoryQuery out;
  out.customer_id = TextOf(q, &Q::customer_id, "query.customer_id");
  out.team = TextOf(q, &Q::team, "query.team");
  out.from = abi::Get(q, &Q::from);
  out.until = abi::Get(q, &Q::until);
  const std::uint32_t limit = abi::Get(q, &Q::limit);
  // 0 is abi.h's "default"; a limit too large for int still reaches the
  // store's range check (1..1000) as a large number, not as a negative one.
  out.limit = limit == 0 ? 20
                         : static_cast<int>(std::min<std::uint32_t>(
                               limit, static_cast<std::uint32_t>(std::numeric_limits<int>::max())));
  out.cursor = TextOf(q, &Q::cursor, "query.cursor");
  out.site_id = TextOf(q, &Q::site_id, "query.site_id");
  return out;
}

sdk::HttpRequest ReadHttpRequest(const vsso_http_request_host_owned* request) {
  using R = vsso_http_request_host_owned;
  const R& r = Struct(request, "request");
  sdk::HttpRequest out;
  out.method = TextOf(r, &R::method, "request.method");
  out.path = TextOf(r, &R::path, "request.path");
  out.query = TextOf(r, &R::query, "request.query");
  if (abi::Has(r, &R::headers_count)) {
    const vsso_pair_host_owned* headers = ArrayOf(r.headers, r.headers_count, "request.headers");
    for (std::size_t i = 0; i < r.headers_count; ++i) {
      out.headers.emplace_back(Text(headers[i].name, "request.headers[i].name"),
                               Text(headers[i].value, "request.headers[i].value"));
    }
  }
  out.body = TextOf(r, &R::body, "request.body");
  out.visitor_id = TextOf(r, &R::visitor_id, "request.visitor_id");
  out.remote_address = TextOf(r, &R::remote_address, "request.remote_address");
  return out;
}

sdk::AdminOverviewQuery ReadAdminOverviewQuery(const vsso_admin_overview_query_host_owned* query) {
  using Q = vsso_admin_overview_query_host_owned;
  const Q& q = Struct(query, "query");
  sdk::AdminOverviewQuery out;
  const std::uint32_t limit = abi::Get(q, &Q::failure_limit);
  out.failure_limit = limit == 0 ? 20 : limit;
  out.site_id = TextOf(q, &Q::site_id, "query.site_id");
  return out;
}

// ---- Results -----------------------------------------------------------------

vsso_bytes_plugin_owned Arena::Bytes(std::string text) {
  const std::string& kept = strings_.emplace_back(std::move(text));
  return {reinterpret_cast<const std::uint8_t*>(kept.c_str()), kept.size()};
}

namespace {

const vsso_bytes_plugin_owned* Texts(Arena& arena, const std::vector<std::string>& texts) {
  vsso_bytes_plugin_owned* out = arena.Array<vsso_bytes_plugin_owned>(texts.size());
  for (std::size_t i = 0; i < texts.size(); ++i) out[i] = arena.Bytes(texts[i]);
  return out;
}

const vsso_pair_plugin_owned* Pairs(Arena& arena,
                                    const std::vector<std::pair<std::string, std::string>>& pairs) {
  vsso_pair_plugin_owned* out = arena.Array<vsso_pair_plugin_owned>(pairs.size());
  for (std::size_t i = 0; i < pairs.size(); ++i) {
    out[i] = {arena.Bytes(pairs[i].first), arena.Bytes(pairs[i].second)};
  }
  return out;
}

/// A pointer array of growable C structs, each filled by `fill`.
template <class C, class T, class F>
const C* const* Items(Arena& arena, const std::vector<T>& items, F fill) {
  const C** out = arena.Array<const C*>(items.size());
  for (std::size_t i = 0; i < items.size(); ++i) {
    C* c = arena.New<C>();
    fill(*c, items[i]);
    out[i] = c;
  }
  return out;
}

void FillField(vsso_field_plugin_owned& c, Arena& arena, const sdk::FieldValue& f) {
  c.key = arena.Bytes(f.key);
  c.label = arena.Bytes(f.label);
  c.value = arena.Bytes(f.value);
  c.values = Texts(arena, f.values);
  c.values_count = f.values.size();
}

const vsso_field_plugin_owned* const* Fields(Arena& arena,
                                             const std::vector<sdk::FieldValue>& fields) {
  return Items<vsso_field_plugin_owned>(
      arena, fields,
      [&](vsso_field_plugin_owned& c, const sdk::FieldValue& f) { FillField(c, arena, f); });
}

}  // namespace

void FillDescription(vsso_description_plugin_owned& c, Arena& arena,
                     const sdk::PluginDescription& d) {
  c.name = arena.Bytes(d.name);
  c.version = arena.Bytes(d.version);
  c.sdk_major = d.sdk_major;
  c.sdk_minor = d.sdk_minor;
  c.enabled = d.enabled ? 1 : 0;
  c.sign_in_policy = arena.Bytes(d.sign_in_policy);
  c.certificate_count = d.certificate_count;
  c.mapping_count = d.mapping_count;
  c.sp_entity_id = arena.Bytes(d.sp_entity_id);
  c.idp_entity_id = arena.Bytes(d.idp_entity_id);
  c.site_count = d.site_count;
  c.site_ids = Texts(arena, d.site_ids);
  c.site_ids_count = d.site_ids.size();
}

void FillChatStart(vsso_chat_start_plugin_owned& c, Arena& arena, const sdk::ChatStartResult& r) {
  switch (r.decision) {
    case sdk::ChatStartDecision::kProceed:
      c.decision = VSSO_CHAT_START_PROCEED;
      break;
    case sdk::ChatStartDecision::kOfferSignIn:
      c.decision = VSSO_CHAT_START_OFFER_SIGN_IN;
      break;
    case sdk::ChatStartDecision::kRequireSignIn:
      c.decision = VSSO_CHAT_START_REQUIRE_SIGN_IN;
      break;
    case sdk::ChatStartDecision::kRefuse:
      c.decision = VSSO_CHAT_START_REFUSE;
      break;
  }
  c.signed_in = r.signed_in ? 1 : 0;
  c.customer_id = arena.Bytes(r.customer_id);
  c.sign_in_url = arena.Bytes(r.sign_in_url);
  c.reason_code = arena.Bytes(r.reason_code);
  c.reason = arena.Bytes(r.reason);
}

void FillPrechat(vsso_prechat_plugin_owned& c, Arena& arena, const sdk::PrechatResult& r) {
  c.decision = r.decision == sdk::PrechatDecision::kSkip ? VSSO_PRECHAT_SKIP : VSSO_PRECHAT_SHOW;
  c.prefill = Fields(arena, r.prefill);
  c.prefill_count = r.prefill.size();
}

void FillVisitorInfo(vsso_visitor_info_plugin_owned& c, Arena& arena, const sdk::VisitorInfo& r) {
  c.prechat_section = Fields(arena, r.prechat_section);
  c.prechat_section_count = r.prechat_section.size();
  c.custom_variables = Fields(arena, r.custom_variables);
  c.custom_variables_count = r.custom_variables.size();
  c.info_name = arena.Bytes(r.info.name);
  c.info_customer_id = arena.Bytes(r.info.customer_id);
  c.info_verified = r.info.verified ? 1 : 0;
  c.info_idp_entity_id = arena.Bytes(r.info.idp_entity_id);
  c.info_signed_in_at = r.info.signed_in_at;
}

void FillRouting(vsso_routing_plugin_owned& c, Arena& arena, const sdk::RoutingResult& r) {
  c.decision =
      r.decision == sdk::RoutingDecision::kRoute ? VSSO_ROUTING_ROUTE : VSSO_ROUTING_NO_OPINION;
  c.team = arena.Bytes(r.team);
  c.rule = arena.Bytes(r.rule);
  c.rule_text = arena.Bytes(r.rule_text);
}

void FillTranscriptTags(vsso_transcript_tags_plugin_owned& c, Arena& arena,
                        const sdk::TranscriptTags& r) {
  c.tags = Pairs(arena, r.tags);
  c.tags_count = r.tags.size();
  c.customer_id = arena.Bytes(r.customer_id);
}

void FillHistoryPage(vsso_history_page_plugin_owned& c, Arena& arena, const sdk::HistoryPage& r) {
  using E = vsso_transcript_record_plugin_owned;
  c.rows = Items<E>(arena, r.rows, [&](E& e, const sdk::TranscriptRecord& t) {
    e.transcript_id = arena.Bytes(t.transcript_id);
    e.chat_id = arena.Bytes(t.chat_id);
    e.visitor_id = arena.Bytes(t.visitor_id);
    e.customer_id = arena.Bytes(t.customer_id);
    e.idp_entity_id = arena.Bytes(t.idp_entity_id);
    e.signed_in = t.signed_in ? 1 : 0;
    e.team = arena.Bytes(t.team);
    e.saved_at = t.saved_at;
  });
  c.rows_count = r.rows.size();
  c.next_cursor = arena.Bytes(r.next_cursor);
}

void FillHttpResponse(vsso_http_response_plugin_owned& c, Arena& arena,
                      const sdk::HttpResponse& r) {
  c.http_status = r.status;
  c.headers = Pairs(arena, r.headers);
  c.headers_count = r.headers.size();
  c.body = arena.Bytes(r.body);
  c.signed_in_visitor_id = arena.Bytes(r.signed_in_visitor_id);
  c.signed_out_visitor_ids = Texts(arena, r.signed_out_visitor_ids);
  c.signed_out_visitor_ids_count = r.signed_out_visitor_ids.size();
}

void FillAdminOverview(vsso_admin_overview_plugin_owned& c, Arena& arena,
                       const sdk::AdminOverview& r) {
  vsso_description_plugin_owned* description = arena.New<vsso_description_plugin_owned>();
  description->error_code = arena.Bytes({});
  description->error_message = arena.Bytes({});
  FillDescription(*description, arena, r.description);
  c.description = description;
  c.now = r.now;
  using Cert = vsso_certificate_plugin_owned;
  c.certificates =
      Items<Cert>(arena, r.certificates, [&](Cert& e, const sdk::CertificateSummary& s) {
        e.subject = arena.Bytes(s.subject);
        e.issuer = arena.Bytes(s.issuer);
        e.fingerprint_sha256 = arena.Bytes(s.fingerprint_sha256);
        e.not_before = s.not_before;
        e.not_after = s.not_after;
        e.source = arena.Bytes(s.source);
      });
  c.certificates_count = r.certificates.size();
  using Map = vsso_mapping_plugin_owned;
  c.mappings = Items<Map>(arena, r.mappings, [&](Map& e, const sdk::MappingSummary& s) {
    e.field = arena.Bytes(s.field);
    e.label = arena.Bytes(s.label);
    e.attributes = Texts(arena, s.attributes);
    e.attributes_count = s.attributes.size();
    e.configured = arena.Bytes(s.configured);
  });
  c.mappings_count = r.mappings.size();
  using Rule = vsso_routing_rule_plugin_owned;
  c.routing_rules =
      Items<Rule>(arena, r.routing_rules, [&](Rule& e, const sdk::RoutingRuleSummary& s) {
        e.name = arena.Bytes(s.name);
        e.text = arena.Bytes(s.text);
        e.team = arena.Bytes(s.team);
      });
  c.routing_rules_count = r.routing_rules.size();
  c.routing_default_team = arena.Bytes(r.routing_default_team);
  c.sp_metadata_path = arena.Bytes(r.sp_metadata_path);
  using Fail = vsso_sign_in_failure_plugin_owned;
  c.recent_failures =
      Items<Fail>(arena, r.recent_failures, [&](Fail& e, const sdk::SignInFailure& s) {
        e.at = s.at;
        e.code = arena.Bytes(s.code);
        e.message = arena.Bytes(s.message);
        e.issuer = arena.Bytes(s.issuer);
        e.visitor_id = arena.Bytes(s.visitor_id);
        e.count = s.count;
        e.last_at = s.last_at;
        e.remote_address = arena.Bytes(s.remote_address);
      });
  c.recent_failures_count = r.recent_failures.size();
  c.warnings = Texts(arena, r.warnings);
  c.warnings_count = r.warnings.size();
  const sdk::IdpMetadataStatus& m = r.idp_metadata;
  if (!m.source_url.empty()) {
    auto* status = arena.New<vsso_idp_metadata_status_plugin_owned>();
    status->source_url = arena.Bytes(m.source_url);
    status->last_fetch_at = m.last_fetch_at;
    status->last_success_at = m.last_success_at;
    status->next_refresh_at = m.next_refresh_at;
    status->valid_until = m.valid_until;
    status->last_error_code = arena.Bytes(m.last_error_code);
    status->last_error_message = arena.Bytes(m.last_error_message);
    c.idp_metadata = status;
  }
}

}  // namespace vsso::entry
