#include "hooks/chat_identity_cache.hpp"

#include <functional>
#include <iterator>
#include <utility>

namespace vsso::hooks {
namespace {

std::size_t Combine(std::size_t seed, std::size_t h) {
  return seed ^ (h + 0x9e3779b97f4a7c15ULL + (seed << 6) + (seed >> 2));
}

std::size_t SiteVisitorHash(std::string_view site, std::string_view visitor) {
  const std::hash<std::string_view> h;
  return Combine(h(site), h(visitor));
}

// The same Runtime object: neither owner orders before the other (no
// dereference, and an expired weak reference never equals a new Runtime).
bool SameOwner(const std::weak_ptr<const Runtime>& a, const std::shared_ptr<const Runtime>& b) {
  return !a.owner_before(b) && !b.owner_before(a);
}

}  // namespace

std::size_t ChatIdentityCache::Hash::operator()(const KeyView& k) const {
  return Combine(SiteVisitorHash(k.site, k.visitor), std::hash<std::string_view>()(k.chat));
}

ChatIdentityCache::ChatIdentityCache(Limits limits)
    : limits_(limits), per_shard_((limits.capacity + kShards - 1) / kShards) {}

ChatIdentityCache::Shard& ChatIdentityCache::ShardOf(std::string_view site_id,
                                                     std::string_view visitor_id) const {
  return shards_[SiteVisitorHash(site_id, visitor_id) % kShards];
}

std::size_t ChatIdentityCache::EntryBytes(std::string_view site_id, std::string_view chat_id,
                                          std::string_view visitor_id,
                                          const routing::Fields& fields) {
  // Payload plus a rough per-node overhead, so many tiny values count too.
  constexpr std::size_t kNode = 32;
  std::size_t bytes = site_id.size() + chat_id.size() + visitor_id.size() + 3 * kNode;
  for (const auto& [key, values] : fields) {
    bytes += key.size() + 2 * kNode;
    for (const auto& v : values) bytes += v.size() + kNode;
  }
  return bytes;
}

void ChatIdentityCache::EraseLocked(Shard& shard, const KeyView& key) {
  const auto it = shard.index.find(key);
  if (it == shard.index.end()) return;
  const auto node = it->second;
  shard.index.erase(it);  // before the node its key views
  shard.order.erase(node);
}

void ChatIdentityCache::Put(std::string_view site_id, std::string_view chat_id,
                            std::string_view visitor_id,
                            const std::shared_ptr<const Runtime>& runtime, routing::Fields fields,
                            UnixSeconds now, UnixSeconds expires_at, std::uint64_t generation) {
  Shard& shard = ShardOf(site_id, visitor_id);
  const KeyView view{site_id, chat_id, visitor_id};
  const bool keep = per_shard_ > 0 && !chat_id.empty() && !visitor_id.empty() && runtime &&
                    EntryBytes(site_id, chat_id, visitor_id, fields) <= limits_.max_entry_bytes;
  if (!keep) {
    std::lock_guard lock(shard.mutex);
    EraseLocked(shard, view);
    return;
  }
  // Built outside the lock: the lock covers only the list and index.
  std::list<Entry> node;
  node.push_back(Entry{Key{std::string(site_id), std::string(chat_id), std::string(visitor_id)},
                       runtime, std::make_shared<const routing::Fields>(std::move(fields)), now,
                       expires_at});
  std::lock_guard lock(shard.mutex);
  if (shard.generation != generation) {  // the visitor's session ended meanwhile
    EraseLocked(shard, view);
    return;
  }
  // One hash lookup both finds an entry of the key and indexes the new one
  // (chat start records an entry per chat: issue 15, at most 20 us).
  shard.order.splice(shard.order.end(), node);
  const auto last = std::prev(shard.order.end());
  if (auto [it, added] = shard.index.try_emplace(last->key.view(), last); !added) {
    // The old entry's key views its own node: re-keyed onto the new node's
    // (equal) key before that node goes.
    const auto old = it->second;
    auto handle = shard.index.extract(it);
    handle.key() = last->key.view();
    handle.mapped() = last;
    shard.index.insert(std::move(handle));
    shard.order.erase(old);
  }
  while (shard.order.size() > per_shard_) {
    shard.index.erase(shard.order.front().key.view());
    shard.order.pop_front();
  }
}

ChatIdentityCache::FieldsPtr ChatIdentityCache::Find(std::string_view site_id,
                                                     std::string_view chat_id,
                                                     std::string_view visitor_id,
                                                     const std::shared_ptr<const Runtime>& runtime,
                                                     UnixSeconds now) {
  Shard& shard = ShardOf(site_id, visitor_id);
  const KeyView key{site_id, chat_id, visitor_id};
  std::lock_guard lock(shard.mutex);
  const auto it = shard.index.find(key);
  if (it == shard.index.end()) return nullptr;
  const Entry& e = *it->second;
  // As FindLive: live while expires_at is after now. A clock that went back
  // past recorded_at does not extend an entry's life either.
  const bool usable = now < e.expires_at && now >= e.recorded_at &&
                      now - e.recorded_at < limits_.max_age && SameOwner(e.runtime, runtime);
  if (usable) return e.fields;
  // Dropped now rather than at eviction: it also pins an old Runtime's block.
  EraseLocked(shard, key);
  return nullptr;
}

void ChatIdentityCache::Erase(std::string_view site_id, std::string_view chat_id,
                              std::string_view visitor_id) {
  Shard& shard = ShardOf(site_id, visitor_id);
  std::lock_guard lock(shard.mutex);
  EraseLocked(shard, KeyView{site_id, chat_id, visitor_id});
}

std::uint64_t ChatIdentityCache::Generation(std::string_view site_id,
                                            std::string_view visitor_id) const {
  Shard& shard = ShardOf(site_id, visitor_id);
  std::lock_guard lock(shard.mutex);
  return shard.generation;
}

void ChatIdentityCache::EraseVisitor(std::string_view site_id, std::string_view visitor_id) {
  Shard& shard = ShardOf(site_id, visitor_id);
  std::lock_guard lock(shard.mutex);
  ++shard.generation;
  for (auto it = shard.order.begin(); it != shard.order.end();) {
    if (it->key.site == site_id && it->key.visitor == visitor_id) {
      shard.index.erase(it->key.view());
      it = shard.order.erase(it);
    } else {
      ++it;
    }
  }
}

void ChatIdentityCache::Clear() {
  for (Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    ++shard.generation;
    shard.index.clear();
    shard.order.clear();
  }
}

std::size_t ChatIdentityCache::size() const {
  std::size_t n = 0;
  for (const Shard& shard : shards_) {
    std::lock_guard lock(shard.mutex);
    n += shard.order.size();
  }
  return n;
}

}  // namespace vsso::hooks
