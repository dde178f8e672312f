#include "meshops/tailscale/stream.hpp"

#include "meshops/tailscale/bus.hpp"
#include "meshops/tailscale/localapi.hpp"

#include <thread>

namespace meshops::tailscale {

void follow_stream(const std::string& socket, std::chrono::milliseconds timeout, const std::string& endpoint,
                   const StreamCallbacks& cb, std::chrono::milliseconds retry) {
  bool connected = true;
  for (;;) {
    std::string why;
    try {
      LineSplitter split;
      LocalApi(socket, timeout).stream(endpoint, [&](std::string_view data) {
        if (!connected) {
          connected = true;
          if (cb.on_back) cb.on_back();
        }
        split.feed(data, cb.on_line);
        return true;
      });
      why = "tailscaled closed the stream";
    } catch (const LocalApiError& e) {
      if (e.cause() == LocalApiError::Cause::permission) throw;
      why = e.what();
    } catch (const Error& e) {
      why = e.what();
    }
    if (connected && cb.on_lost) cb.on_lost(why);
    connected = false;
    std::this_thread::sleep_for(retry);
  }
}

} // namespace meshops::tailscale
