#pragma once
// Shared by the throughput client and server (lib-internal): the hello, socket helpers.
#include <chrono>
#include <cstdint>
#include <string>

namespace meshops::net::wire {

constexpr char kMagic[4] = {'M', 'S', 'B', '1'};
constexpr std::size_t kHelloSize = 16;
constexpr std::size_t kChunk = 128 * 1024;

struct Hello {
  char mode = 'U';
  std::uint32_t duration_ms = 0;
  std::uint32_t session = 0;
};

std::string encode(const Hello& h);
/// Throws std::runtime_error for a hello that is not ours.
Hello decode(const char* bytes);

void put_u64(char* out, std::uint64_t v);
std::uint64_t get_u64(const char* in);

/// Reads exactly n bytes; false on EOF before any byte. Throws std::runtime_error on errors.
bool read_exact(int fd, char* buf, std::size_t n);
/// Writes all of buf. Throws std::runtime_error on errors (including SO_SNDTIMEO expiring).
void write_all(int fd, const char* buf, std::size_t n);
/// tcpi_total_retrans of a TCP socket (0 when TCP_INFO is unavailable).
std::uint64_t retransmits(int fd);
/// Sets SO_RCVTIMEO and SO_SNDTIMEO.
void set_timeouts(int fd, std::chrono::milliseconds t);
/// Sets TCP_NODELAY.
void no_delay(int fd);

} // namespace meshops::net::wire
