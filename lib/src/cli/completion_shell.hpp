#pragma once
// What the three completion scripts share: names, quoting, the commands with the options they
// inherit. Private to lib/src/cli.
#include "meshops/cli/completion.hpp"

#include <functional>
#include <string>
#include <utility>
#include <vector>

namespace meshops::cli::completion {

/// `_meshops_ts_status` for ts-status: a shell function name.
std::string function_name(const std::string& tool);

/// WORD as one POSIX shell word: bare when it is made of safe characters, else single-quoted.
std::string sh_quote(const std::string& word);

std::string join(const std::vector<std::string>& parts, const std::string& sep);
std::string join_quoted(const std::vector<std::string>& parts, const std::function<std::string(const std::string&)>& quote);

/// Removes repeated entries, keeping the first of each.
void dedupe(std::vector<std::string>& v);

/// The root under the name "", then each subcommand by name, its options joined by the
/// root's when it falls through to it (the root's own first).
std::vector<std::pair<std::string, Command>> with_inherited(const Command& root);

} // namespace meshops::cli::completion
