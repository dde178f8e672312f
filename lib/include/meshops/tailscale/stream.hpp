#pragma once
// A LocalAPI stream (watch-ipn-bus, logtap) kept open across tailscaled's restarts: read line
// by line, reopened after it breaks, an outage said once each way.
#include <chrono>
#include <functional>
#include <string>
#include <string_view>

namespace meshops::tailscale {

struct StreamCallbacks {
  std::function<void(std::string_view line)> on_line;   ///< each line of the body, without '\n'
  std::function<void(const std::string& why)> on_lost;  ///< once when an outage starts; optional
  std::function<void()> on_back;                        ///< once when tailscaled answers again; optional
};

/// Reads the lines of the stream at endpoint for as long as the process runs. When it breaks
/// (tailscaled closed it, stopped or restarted) on_lost says why, once; it is reopened every
/// retry, and on_back comes with the first data of a new stream. The caller has just reached
/// tailscaled, so the first stream counts as connected. Returns only by throwing: the
/// LocalApiError (Cause::permission) of a refusal (logtap needs write permission), which no
/// retry changes.
[[noreturn]] void follow_stream(const std::string& socket, std::chrono::milliseconds timeout, const std::string& endpoint,
                                const StreamCallbacks& callbacks,
                                std::chrono::milliseconds retry = std::chrono::seconds(1));

} // namespace meshops::tailscale
