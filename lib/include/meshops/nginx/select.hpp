#pragma once
// Which server block and location nginx would choose for a request, by nginx's own rules
// (ngx_http_find_virtual_server, ngx_http_core_find_location): the servers listening on the
// connection's local address and port (an explicit address before the wildcard), then the
// Host: exact name, longest leading wildcard, longest trailing wildcard, the first regex in
// the order written, else that address:port's default_server (else its first server). Then
// the location: "=" exact, else the longest prefix ("^~" stops there), else the first regex
// ("~", "~*") in order, else that longest prefix. Pure: the model in, a choice out.
#include "meshops/nginx/conf.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace meshops::nginx {

struct ServerChoice {
  const Server* server = nullptr;
  const Listen* listen = nullptr;     ///< the listen line of that server that took the connection
  const Value* name = nullptr;        ///< the server_name that matched; nullptr for a default
  std::string how;                    ///< "exact name", "leading wildcard", "trailing wildcard",
                                      ///< "regex", "default_server", "first server" (no default_server)
};

/// The server for a TCP connection to local_addr:port (an IPv4 or IPv6 literal, no brackets)
/// with Host host (port, trailing dot and case are ignored). nullopt when no server listens
/// on that address and port.
std::optional<ServerChoice> select_server(const ConfModel& model, std::string_view local_addr, int port,
                                          std::string_view host);

struct LocationChoice {
  const Location* location = nullptr;
  std::string how;  ///< "exact", "prefix", "prefix ^~", "regex"
};

/// The location of server for uri (the path, no query). nullopt when none matches.
std::optional<LocationChoice> select_location(const Server& server, std::string_view uri);

/// The Host as nginx compares it: lower case, without ":port" and a trailing dot.
std::string normalize_host(std::string_view host);

} // namespace meshops::nginx
