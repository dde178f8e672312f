#include "meshops/nft/services.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <vector>

namespace meshops::nft {

Services Services::parse(std::string_view text) {
  Services s;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    if (auto hash = line.find('#'); hash != std::string::npos) line.resize(hash);
    std::istringstream words(line);
    std::vector<std::string> w;
    for (std::string x; words >> x;) w.push_back(x);
    if (w.size() < 2) continue;
    auto slash = w[1].find('/');
    if (slash == std::string::npos) continue;
    unsigned port = 0;
    auto [p, ec] = std::from_chars(w[1].data(), w[1].data() + slash, port);
    if (ec != std::errc{} || p != w[1].data() + slash || port > 65535) continue;
    std::string proto = w[1].substr(slash + 1);
    auto port16 = static_cast<std::uint16_t>(port);
    s.names_.emplace(std::make_pair(port16, proto), w[0]);  // first name listed wins
    for (std::size_t i = 0; i < w.size(); ++i)
      if (i != 1) s.ports_.emplace(std::make_pair(w[i], proto), port16);
  }
  return s;
}

Services Services::load(const std::string& path) {
  std::ifstream f(path);
  if (!f) return {};
  std::stringstream ss;
  ss << f.rdbuf();
  return parse(ss.str());
}

std::optional<std::string> Services::name(std::uint16_t port, const std::string& proto) const {
  auto it = names_.find({port, proto});
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint16_t> Services::port(const std::string& name, const std::string& proto) const {
  auto it = ports_.find({name, proto});
  if (it == ports_.end()) return std::nullopt;
  return it->second;
}

} // namespace meshops::nft
