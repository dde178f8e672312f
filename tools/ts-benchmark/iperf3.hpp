#pragma once
// --iperf3: the same measurement by `iperf3 -c ... -J`, for when both ends have iperf3.
#include "meshops/net/throughput.hpp"

#include <chrono>
#include <string>
#include <string_view>

namespace ts_benchmark {

/// Reads one `iperf3 -J` report: the receiver's bytes, seconds and rate, the sender's
/// retransmits. Throws std::runtime_error with iperf3's own "error" or a malformed field.
meshops::net::TransferResult parse_iperf3(std::string_view json);

/// Runs `iperf3 -c host -p port -t duration -P streams -J` (with -R: the server sends).
/// Throws meshops::Error (Exit::unknown) when iperf3 is missing, fails or times out.
meshops::net::TransferResult run_iperf3(const std::string& host, int port, std::chrono::milliseconds duration, int streams,
                                        bool reverse, std::chrono::milliseconds timeout);

} // namespace ts_benchmark
