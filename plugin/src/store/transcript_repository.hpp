// Tags stored with each chat transcript (who the visitor was per the IdP,
// which team), so agents and admins can find a customer's past chats.
// Listing is newest first (saved_at DESC, transcript_id DESC) with keyset
// pagination: a page's next_cursor continues exactly after its last row,
// even when new transcripts are saved in between.
// A repository is the view of one site (issue 12): it saves under its
// site_id and finds only that site's transcripts.
// Stored compactly (migration 7): the site, the IdP entity ID and the team
// are small integers (site_keys, tag_values), created on first use.
//
// Threading: a light handle over a shared Database; safe from any thread.
// Errors: "store.query_failed" (also for a row whose IdP or team key has no
// value: a damaged database), "store.bad_limit", "store.bad_cursor".
#pragma once

#include <limits>
#include <memory>
#include <string>
#include <vector>

#include "common/result.hpp"
#include "store/database.hpp"

namespace vsso::store {

struct TranscriptTag {
  std::string transcript_id;
  std::string chat_id;
  std::string visitor_id;
  std::string customer_id;  ///< empty for guests
  std::string idp_entity_id;
  bool signed_in = false;
  std::string team;
  UnixSeconds saved_at = 0;

  bool operator==(const TranscriptTag&) const = default;
};

struct Page {
  std::vector<TranscriptTag> rows;
  /// Opaque; pass it back to get the next page. Empty when there is none.
  std::string next_cursor;
};

/// saved_at in [from, until).
struct TimeRange {
  UnixSeconds from = std::numeric_limits<UnixSeconds>::min();
  UnixSeconds until = std::numeric_limits<UnixSeconds>::max();
};

class TranscriptRepository {
 public:
  static constexpr int kMaxPageSize = 1000;

  TranscriptRepository(std::shared_ptr<Database> db, std::string site_id)
      : db_(std::move(db)), site_id_(std::move(site_id)) {}

  /// Committed before it returns; the same transcript_id again replaces
  /// the earlier tags.
  Status Save(const TranscriptTag& tag);
  /// Save for many, in one transaction (all or none): imports and the
  /// benchmark's generated data.
  Status SaveAll(const std::vector<TranscriptTag>& tags);

  /// `limit` 1..kMaxPageSize; `cursor` empty for the first page, otherwise
  /// a next_cursor from the same kind of query.
  Result<Page> FindByCustomerId(const std::string& customer_id, int limit,
                                const std::string& cursor);
  Result<Page> FindByTeam(const std::string& team, int limit, const std::string& cursor,
                          TimeRange range = {});
  Result<Page> FindBySavedAt(TimeRange range, int limit, const std::string& cursor);
  const std::string& site_id() const { return site_id_; }

 private:
  struct Filter;
  Result<Page> Find(const Filter& filter, int limit, const std::string& cursor);

  std::shared_ptr<Database> db_;
  std::string site_id_;
};

}  // namespace vsso::store
