// What each chat started on this node was started with: the signed-in
// visitor's mapped fields, as the site's routing rules need them, recorded by
// ChatWillStart (which reads the live session anyway) so that
// ChatWillBeRouted of the same chat routes without a second store read and
// JSON parse (issue 15: routing with 100 rules, median at most 5 us).
//
// Keys: site ID + chat ID + visitor ID, all three compared exactly. A chat ID
// the host reuses for another visitor, another site's chat of the same ID, or
// another visitor's chat never finds this entry; a new ChatWillStart of the
// same key replaces (or, for a guest, removes) it.
//
// Only what routing reads is kept: the fields the site's compiled rules name
// (RuleSet::fields()), tied to that Runtime (a weak reference: a reload that
// builds a new Runtime, whose rules may name other fields, misses and reads
// the store; no pointer reuse can alias an old one).
//
// Bounds (a flood of chat starts, even of one signed-in visitor, must not
// grow memory):
//   - at most Limits::capacity entries per plugin (rounded up to a multiple
//     of kShards), over kShards shards chosen by site + visitor; a full shard
//     drops its oldest entry (first recorded, first dropped), so one visitor's
//     flood of chats can displace at most one shard's entries;
//   - an entry holds at most Limits::max_entry_bytes of keys and fields,
//     larger ones are not recorded (their chats read the store);
//   - an entry is used only while younger than Limits::max_age and before
//     its session's expires_at (SessionRepository::FindLive's own test), on
//     the site's clock.
// With the defaults (16,384 entries of at most 2 KB) the worst case is about
// 40 MB; a typical entry (two or three short fields) is under 300 bytes.
//
// Invalidation: the plugin drops a visitor's entries of a site when a request
// of this process ends or replaces that visitor's session (HttpResponse::
// signed_out_visitor_ids: sign-out, IdP-initiated logout; signed_in_visitor_id:
// a new sign-in replaces the session); Generation closes the race with a chat
// start that read the session just before it ended. Entries are kept after a routing: a
// host may route a chat again (a transfer) and gets the same identity.
//
// Multi-node bound: a session ended on ANOTHER node (its sign-out or the IdP's
// logout reaching another node, or the admin CLI) is not seen here; a chat
// this node started keeps routing on the identity it was started with until
// the next ChatWillStart of that chat, the entry's max_age, or the session's
// expires_at, whichever comes first. Chats started elsewhere, evicted, or
// after a restart read the store as before.
//
// Threading: every member is safe from any thread (a mutex per shard; the
// fields are shared immutable).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "common/result.hpp"
#include "hooks/runtime.hpp"
#include "routing/rules.hpp"

namespace vsso::hooks {

class ChatIdentityCache {
 public:
  struct Limits {
    std::size_t capacity = 16384;
    UnixSeconds max_age = 3600;
    std::size_t max_entry_bytes = 2048;
  };
  using FieldsPtr = std::shared_ptr<const routing::Fields>;

  ChatIdentityCache() : ChatIdentityCache(Limits{}) {}
  explicit ChatIdentityCache(Limits limits);

  /// Taken BEFORE reading the session that Put will record: a sign-out
  /// that erases the visitor between that read and Put changes it, and Put
  /// then records nothing (else a session read just before its end would be
  /// recorded just after).
  std::uint64_t Generation(std::string_view site_id, std::string_view visitor_id) const;

  /// Records what chat `chat_id` of `visitor_id` on `site_id` was started
  /// with: `fields` (already reduced to runtime's rule fields) of a session
  /// live until `expires_at`. Replaces an entry of the same key; an entry too
  /// large, an empty chat or visitor ID, or a `generation` that is no longer
  /// current records nothing (and any old entry of the key is dropped).
  void Put(std::string_view site_id, std::string_view chat_id, std::string_view visitor_id,
           const std::shared_ptr<const Runtime>& runtime, routing::Fields fields, UnixSeconds now,
           UnixSeconds expires_at, std::uint64_t generation);

  /// The recorded fields, or null: no entry, another Runtime, too old, or
  /// its session expired (such an entry is dropped).
  FieldsPtr Find(std::string_view site_id, std::string_view chat_id, std::string_view visitor_id,
                 const std::shared_ptr<const Runtime>& runtime, UnixSeconds now);

  void Erase(std::string_view site_id, std::string_view chat_id, std::string_view visitor_id);
  /// Drops every entry of the visitor on the site (their session ended).
  void EraseVisitor(std::string_view site_id, std::string_view visitor_id);
  void Clear();
  std::size_t size() const;

  /// Bytes an entry of these keys and fields counts against max_entry_bytes.
  static std::size_t EntryBytes(std::string_view site_id, std::string_view chat_id,
                                std::string_view visitor_id, const routing::Fields& fields);

  static constexpr std::size_t kShards = 16;

 private:
  struct KeyView {
    std::string_view site, chat, visitor;
    bool operator==(const KeyView&) const = default;
  };
  struct Hash {
    std::size_t operator()(const KeyView& k) const;
  };
  struct Key {
    std::string site, chat, visitor;
    KeyView view() const { return {site, chat, visitor}; }
  };
  struct Entry {
    Key key;
    std::weak_ptr<const Runtime> runtime;
    FieldsPtr fields;
    UnixSeconds recorded_at = 0;
    UnixSeconds expires_at = 0;
  };
  struct Shard {
    mutable std::mutex mutex;
    std::list<Entry> order;        ///< oldest first
    std::uint64_t generation = 0;  ///< bumped by EraseVisitor and Clear
    /// Views into the list's own keys (list nodes never move).
    std::unordered_map<KeyView, std::list<Entry>::iterator, Hash> index;
  };

  // A visitor's entries of a site share a shard, so EraseVisitor scans one.
  Shard& ShardOf(std::string_view site_id, std::string_view visitor_id) const;
  static void EraseLocked(Shard& shard, const KeyView& key);

  Limits limits_;
  std::size_t per_shard_;
  mutable std::array<Shard, kShards> shards_;
};

}  // namespace vsso::hooks
