#pragma once
// A counting hash table keyed by byte strings, for the summary's hot path: open addressing,
// keys copied once into an arena when first seen, so memory grows with the distinct keys and
// never with the lines, and a lookup costs one hash and (usually) one compare.
#include <cstdint>
#include <cstring>
#include <memory>
#include <string_view>
#include <vector>

namespace meshops::nginx {

/// A fast 64-bit hash of a byte string (not cryptographic; keys come from logs, and a
/// flooding attacker only slows the summary down, bounded by the distinct keys).
inline std::uint64_t hash_bytes(std::string_view s) {
  constexpr std::uint64_t k = 0x9E3779B97F4A7C15ull;
  std::uint64_t h = 0x2545F4914F6CDD1Dull ^ (s.size() * k);
  const char* p = s.data();
  std::size_t n = s.size();
  while (n >= 8) {
    std::uint64_t w;
    std::memcpy(&w, p, 8);
    h = (h ^ w) * k;
    h ^= h >> 29;
    p += 8;
    n -= 8;
  }
  if (n) {
    std::uint64_t w = 0;
    std::memcpy(&w, p, n);
    h = (h ^ w) * k;
  }
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  h ^= h >> 32;
  return h;
}

/// A map from byte string to V (default-constructed on first sight).
template <class V>
class KeyTable {
public:
  struct Entry {
    std::string_view key;
    V value{};
  };

  KeyTable() { slots_.assign(64, Slot{}); }
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;
  KeyTable(KeyTable&&) = default;
  KeyTable& operator=(KeyTable&&) = default;

  /// The value for key, inserted (key copied) when absent.
  V& at(std::string_view key) { return at(key, hash_bytes(key)); }

  V& at(std::string_view key, std::uint64_t h) {
    std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    while (true) {
      Slot& s = slots_[i];
      if (s.entry == kEmpty) break;
      Entry& e = entries_[s.entry];
      if (s.hash == h && e.key == key) return e.value;
      i = (i + 1) & mask;
    }
    if ((entries_.size() + 1) * 4 > slots_.size() * 3) {
      grow();
      return at(key, h);
    }
    slots_[i] = Slot{h, static_cast<std::uint32_t>(entries_.size())};
    entries_.push_back(Entry{store(key), V{}});
    return entries_.back().value;
  }

  /// Every entry, in insertion order.
  const std::vector<Entry>& entries() const { return entries_; }
  std::size_t size() const { return entries_.size(); }

  /// Bytes held: slots, entries and key storage (for the memory bound).
  std::size_t memory() const {
    return slots_.capacity() * sizeof(Slot) + entries_.capacity() * sizeof(Entry) + arena_bytes_;
  }

private:
  static constexpr std::uint32_t kEmpty = 0xFFFFFFFFu;
  struct Slot {
    std::uint64_t hash = 0;
    std::uint32_t entry = kEmpty;
  };

  void grow() {
    std::vector<Slot> bigger(slots_.size() * 2);
    std::size_t mask = bigger.size() - 1;
    for (const Slot& s : slots_) {
      if (s.entry == kEmpty) continue;
      std::size_t i = static_cast<std::size_t>(s.hash) & mask;
      while (bigger[i].entry != kEmpty) i = (i + 1) & mask;
      bigger[i] = s;
    }
    slots_.swap(bigger);
  }

  std::string_view store(std::string_view key) {
    if (key.size() > block_left_) {
      std::size_t size = key.size() > kBlock / 4 ? key.size() : kBlock;
      blocks_.push_back(std::make_unique<char[]>(size));
      block_ptr_ = blocks_.back().get();
      block_left_ = size;
      arena_bytes_ += size;
    }
    if (!key.empty()) std::memcpy(block_ptr_, key.data(), key.size());
    std::string_view stored(block_ptr_, key.size());
    block_ptr_ += key.size();
    block_left_ -= key.size();
    return stored;
  }

  static constexpr std::size_t kBlock = 64 * 1024;
  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_ptr_ = nullptr;
  std::size_t block_left_ = 0;
  std::size_t arena_bytes_ = 0;
};

} // namespace meshops::nginx
