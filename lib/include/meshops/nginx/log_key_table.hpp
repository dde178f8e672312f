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

namespace detail {
// The 128-bit product of a and b folded to 64 bits: one multiply mixes 16 bytes.
inline std::uint64_t fold_mul(std::uint64_t a, std::uint64_t b) {
  __extension__ using u128 = unsigned __int128;  // GCC and clang on 64-bit targets
  u128 r = static_cast<u128>(a) * b;
  return static_cast<std::uint64_t>(r) ^ static_cast<std::uint64_t>(r >> 64);
}
inline std::uint64_t load64(const char* p) {
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}
inline std::uint32_t load32(const char* p) {
  std::uint32_t w;
  std::memcpy(&w, p, 4);
  return w;
}
// a[0..n) == b[0..n), inline: for the short keys of a log (paths, addresses, agents) a call to
// memcmp costs more than the compare. Reads only inside both ranges.
inline bool same_bytes(const char* a, const char* b, std::size_t n) {
  if (n >= 8) {
    for (std::size_t i = 0; i + 8 < n; i += 8)
      if (load64(a + i) != load64(b + i)) return false;
    return load64(a + n - 8) == load64(b + n - 8);
  }
  if (n >= 4) return load32(a) == load32(b) && load32(a + n - 4) == load32(b + n - 4);
  for (std::size_t i = 0; i < n; ++i)
    if (a[i] != b[i]) return false;
  return true;
}
} // namespace detail

/// A fast 64-bit hash of a byte string (not cryptographic: a log writer who floods one table
/// with colliding keys only slows the summary down). 16-byte blocks are mixed independently
/// so the multiplies overlap in the pipeline.
inline std::uint64_t hash_bytes(std::string_view s) {
  constexpr std::uint64_t k0 = 0xA0761D6478BD642Full, k1 = 0xE7037ED1A0B428DBull, k2 = 0x8EBC6AF09C88C6E3ull;
  const char* p = s.data();
  std::size_t n = s.size();
  std::uint64_t h = k0 ^ n;
  while (n > 16) {
    h = (h << 7 | h >> 57) ^ detail::fold_mul(detail::load64(p) ^ k1, detail::load64(p + 8) ^ k2);
    p += 16;
    n -= 16;
  }
  std::uint64_t a = 0, b = 0;
  if (n >= 8) {  // 8..16 bytes left: two loads that may overlap
    a = detail::load64(p);
    b = detail::load64(p + n - 8);
  } else if (n >= 4) {
    std::uint32_t x, y;
    std::memcpy(&x, p, 4);
    std::memcpy(&y, p + n - 4, 4);
    a = x;
    b = y;
  } else if (n > 0) {
    a = (static_cast<std::uint64_t>(static_cast<unsigned char>(p[0])) << 16) |
        (static_cast<std::uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8) |
        static_cast<unsigned char>(p[n - 1]);
  }
  return detail::fold_mul(h ^ a ^ k1, b ^ k2 ^ s.size());
}

/// A map from byte string to V (default-constructed on first sight).
template <class V>
class KeyTable {
public:
  KeyTable() { slots_.resize(64); }
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;
  KeyTable(KeyTable&&) = default;
  KeyTable& operator=(KeyTable&&) = default;

  /// The value for key, inserted (key copied) when absent.
  V& at(std::string_view key) {
    const std::uint64_t h = hash_bytes(key);
    std::size_t mask = slots_.size() - 1;
    std::size_t i = static_cast<std::size_t>(h) & mask;
    while (true) {
      Slot& s = slots_[i];
      if (!s.key) break;
      if (s.hash == h && s.len == key.size() && detail::same_bytes(s.key, key.data(), key.size())) return s.value;
      i = (i + 1) & mask;
    }
    if ((size_ + 1) * 4 > slots_.size() * 3) {
      grow();
      return at(key);
    }
    Slot& s = slots_[i];
    s.hash = h;
    s.key = store(key);
    s.len = static_cast<std::uint32_t>(key.size());
    ++size_;
    return s.value;
  }

  /// Calls fn(key, value) for every entry (in no particular order).
  template <class Fn>
  void for_each(Fn&& fn) const {
    for (const Slot& s : slots_)
      if (s.key) fn(std::string_view(s.key, s.len), s.value);
  }
  std::size_t size() const { return size_; }

  /// Bytes held: slots and key storage (for the memory bound).
  std::size_t memory() const { return slots_.capacity() * sizeof(Slot) + arena_bytes_; }

private:
  // The value sits in the slot: a hit costs one cache line for the slot and one for the key.
  struct Slot {
    std::uint64_t hash = 0;
    const char* key = nullptr;  // null: empty slot
    std::uint32_t len = 0;
    V value{};
  };

  void grow() {
    std::vector<Slot> bigger(slots_.size() * 2);
    std::size_t mask = bigger.size() - 1;
    for (Slot& s : slots_) {
      if (!s.key) continue;
      std::size_t i = static_cast<std::size_t>(s.hash) & mask;
      while (bigger[i].key) i = (i + 1) & mask;
      bigger[i] = std::move(s);
    }
    slots_.swap(bigger);
  }

  const char* store(std::string_view key) {
    // Every stored key gets at least one byte so that an empty key still marks its slot used.
    std::size_t need = key.size() + 1;
    if (need > block_left_) {
      std::size_t size = need > kBlock / 4 ? need : kBlock;
      blocks_.push_back(std::make_unique<char[]>(size));
      block_ptr_ = blocks_.back().get();
      block_left_ = size;
      arena_bytes_ += size;
    }
    if (!key.empty()) std::memcpy(block_ptr_, key.data(), key.size());
    const char* stored = block_ptr_;
    block_ptr_ += need;
    block_left_ -= need;
    return stored;
  }

  static constexpr std::size_t kBlock = 64 * 1024;
  std::vector<Slot> slots_;
  std::size_t size_ = 0;
  std::vector<std::unique_ptr<char[]>> blocks_;
  char* block_ptr_ = nullptr;
  std::size_t block_left_ = 0;
  std::size_t arena_bytes_ = 0;
};

} // namespace meshops::nginx
