#pragma once
// The effective nginx configuration, read from what `nginx -T` prints: each file it loaded
// under a "# configuration file PATH:" header. Parsing is pure (text in, values out): the dump
// is split into files, each file is tokenised with nginx's rules, includes are expanded from
// the other dumped files, and the tree is read into a model of what the checks need, every
// value carrying the file:line it came from.
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace meshops::nginx {

/// Where something is written in the configuration.
struct Place {
  std::string file;
  int line = 0;
};

/// "FILE:LINE".
std::string to_string(const Place& p);

/// One directive: `name args...;` or `name args... { block }`.
struct Directive {
  std::string name;
  std::vector<std::string> args;  ///< unquoted, escapes resolved
  Place at;
  bool has_block = false;
  std::vector<Directive> block;
};

/// One file of the dump, with its text.
struct DumpedFile {
  std::string path;
  std::string text;
};

/// Splits `nginx -T` stdout into its files, in the order nginx read them.
std::vector<DumpedFile> split_dump(std::string_view dump);

/// Tokenises one file into its directive tree. Throws meshops::Error (Exit::unknown)
/// "FILE:LINE: ..." for text nginx itself would reject (unbalanced braces, open quote).
std::vector<Directive> parse_file(const DumpedFile& file);

/// A value with its place, e.g. an ssl_certificate path.
struct Value {
  std::string text;
  Place at;
};

struct Listen {
  std::string address;  ///< as written, e.g. "127.0.0.1:8443"
  std::string host;     ///< "*" when only a port was given; "[::]" style for IPv6
  int port = 80;
  bool ssl = false;
  bool quic = false;     ///< UDP (HTTP/3): not reachable with a TCP probe
  bool implicit = false; ///< the server has no listen directive: nginx's default *:80
  bool default_server = false;  ///< "default_server" (or the old "default")
  Place at;

  /// The key nginx groups server names by: "HOST:PORT" ("0.0.0.0" for "*"), "/quic" for UDP.
  std::string key() const;
};

struct LimitReq {
  std::string zone;
  int burst = 0;         ///< burst=N (0: none)
  bool nodelay = false;
  Place at;
};

/// One `allow` or `deny` line: the address, CIDR or "all" it names.
struct AccessRule {
  bool allow = false;
  std::string source;
  Place at;
};

/// The authentication a request must pass: `auth_basic REALM` or `auth_request URI`.
struct Auth {
  std::string kind;   ///< "auth_basic" or "auth_request"
  std::string value;  ///< the realm or the subrequest URI
  Place at;
};

struct Location {
  std::string path;                     ///< modifier and URI, e.g. "/" or "= /health"
  Place at;
  std::optional<Value> proxy_pass;      ///< the URL as written
  std::vector<LimitReq> limit_reqs;     ///< effective: own, else inherited from server/http
  std::optional<Value> max_body_size;   ///< effective client_max_body_size (nullopt: default 1m)
  std::vector<AccessRule> access;       ///< effective allow/deny, in order (own, else inherited)
  std::vector<Auth> auth;               ///< effective auth_basic/auth_request ("off" removes one)
  std::optional<Value> returns;         ///< its own `return CODE [TEXT]`, as written
};

struct Server {
  Place at;
  std::vector<Listen> listens;
  std::vector<Value> server_names;
  std::vector<Value> ssl_certificates;
  std::vector<Location> locations;      ///< nested locations flattened, in order
  std::vector<LimitReq> limit_reqs;     ///< effective at server level
  std::optional<Value> max_body_size;   ///< effective at server level
  std::vector<AccessRule> access;       ///< effective at server level
  std::vector<Auth> auth;               ///< effective at server level
  std::optional<Value> returns;         ///< a server-level `return`: it answers before any location

  /// Does any location proxy_pass somewhere?
  bool proxies() const;
};

struct LimitReqZone {
  std::string name;
  std::string key;
  std::string size;  ///< as written, "10m"
  std::string rate;  ///< as written, "20r/s"
  Place at;
};

struct Include {
  std::string pattern;
  Place at;
  std::vector<std::string> files;  ///< the dumped files it matched, in nginx's (sorted) order
};

struct Upstream {
  std::string name;
  Place at;
  std::vector<Value> servers;  ///< "127.0.0.1:11434" as written
};

/// What the checks need from the effective configuration.
struct ConfModel {
  std::string main_file;    ///< the first dumped file
  std::string conf_prefix;  ///< its directory, with a trailing '/': base of relative paths
  std::vector<std::string> files;
  std::vector<Directive> tree;  ///< main file with includes expanded
  std::vector<Server> servers;
  std::map<std::string, LimitReqZone> zones;
  std::vector<Include> includes;
  std::map<std::string, Upstream> upstreams;
};

/// Builds the model from `nginx -T` stdout. Throws meshops::Error as parse_file does, or when
/// the dump holds no file.
ConfModel read_dump(std::string_view dump);

/// Resolves a path written in the configuration the way nginx does: absolute as is, else
/// relative to the directory of the main file.
std::string resolve_path(const ConfModel& model, const std::string& path);

/// A size as nginx reads it ("500M", "10k", "1024"): bytes, or nullopt when malformed.
std::optional<long long> parse_size(std::string_view s);

/// A rate as nginx reads it ("20r/s", "600r/m"): requests per second, or nullopt.
std::optional<double> parse_rate(std::string_view s);

/// A proxy_pass or upstream server target, "http://127.0.0.1:11434/x" -> {127.0.0.1, 11434}.
struct Target {
  std::string scheme;  ///< "http", "https"; empty for an upstream server line
  std::string host;
  int port = 0;
};

/// Splits a proxy_pass URL or an upstream "server" address. nullopt for unix sockets and
/// addresses built from variables. The port defaults to 80 (http) or 443 (https).
std::optional<Target> parse_target(std::string_view url);

} // namespace meshops::nginx
