#pragma once
// Port <-> service names from /etc/services, for showing "22 (ssh)" and resolving a zone's
// allowedServices.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace meshops::nft {

class Services {
public:
  /// Parses the text of /etc/services ("name port/proto aliases... # comment" lines).
  static Services parse(std::string_view text);
  /// Loads /etc/services (or path); an unreadable file gives an empty table.
  static Services load(const std::string& path = "/etc/services");

  /// The name of port/proto ("tcp", "udp"), or nullopt.
  std::optional<std::string> name(std::uint16_t port, const std::string& proto) const;
  /// The port of a service name or alias for proto, or nullopt.
  std::optional<std::uint16_t> port(const std::string& name, const std::string& proto) const;

private:
  std::map<std::pair<std::uint16_t, std::string>, std::string> names_;
  std::map<std::pair<std::string, std::string>, std::uint16_t> ports_;
};

} // namespace meshops::nft
