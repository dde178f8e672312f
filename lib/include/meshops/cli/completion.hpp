#pragma once
// Shell completions generated from a tool's own CLI11 definition: the build runs
// `TOOL --completion bash|zsh|fish` after the tool links (tools/completion.cmake), so a flag
// added to the App is completed in every shell without anyone writing it down twice.
#include <CLI/CLI.hpp>

#include <string>
#include <vector>

namespace meshops::cli::completion {

/// What a value (of an option or a positional argument) completes to.
enum class Values {
  none,   ///< a flag: takes no value
  any,    ///< a value nothing can list (seconds, a glob): complete nothing
  files,  ///< type name FILE, PATH, CONF, *.json
  dirs,   ///< type name DIR, PREFIX
  peers,  ///< type name naming PEER: the tailnet's peer names, asked of ts-status at completion time
  words,  ///< the fixed set of a CLI::IsMember check
};

struct Arg {
  std::vector<std::string> longs;   ///< without "--"; empty for a positional
  std::vector<std::string> shorts;  ///< without "-"
  std::string name;                 ///< a positional's name; the type name for an option
  std::string description;
  Values values = Values::none;
  std::vector<std::string> words;   ///< for Values::words
  bool repeatable = false;
};

struct Command {
  std::string name;  ///< the binary, or a subcommand's word
  std::string description;
  std::vector<Arg> options;      ///< hidden ones (empty group) left out
  std::vector<Arg> positionals;  ///< in order
  std::vector<Command> subcommands;
  bool fallthrough = false;      ///< the parent's options stay valid after this subcommand
};

/// The command that prints one peer name a line: what a peer value completes to. ts-status
/// prints only names made of letters, digits, '.', '_' and '-', and the scripts never pass
/// them through eval, compgen -W or an unquoted expansion.
inline constexpr const char* kPeerCommand = "ts-status --complete-peers";

/// Reads the completable shape of an App (after the tool's setup has added its flags).
Command describe(CLI::App& app);

std::string bash(const Command& c);
std::string zsh(const Command& c);
std::string fish(const Command& c);

/// The script for SHELL ("bash", "zsh" or "fish"); throws CLI::ValidationError for another.
std::string script(CLI::App& app, const std::string& shell);

} // namespace meshops::cli::completion
