#include "meshops/cli/completion.hpp"
#include "completion_shell.hpp"

#include <algorithm>
#include <cctype>

namespace meshops::cli::completion {
namespace {

std::vector<std::string> validator_descriptions(CLI::Option* opt) {
  std::vector<std::string> out;
  for (int i = 0;; ++i) {
    try {
      out.push_back(opt->get_validator(i)->get_description());
    } catch (const CLI::OptionNotFound&) {
      return out;
    }
  }
}

/// The words of a CLI::IsMember check, whose description is "{a,b,c}".
std::vector<std::string> member_words(const std::string& desc) {
  std::vector<std::string> words;
  if (desc.size() < 2 || desc.front() != '{' || desc.back() != '}') return words;
  auto body = desc.substr(1, desc.size() - 2);
  if (body.find_first_of("{}") != std::string::npos) return words;
  std::size_t start = 0;
  while (start <= body.size()) {
    auto end = std::min(body.find(',', start), body.size());
    if (end > start) words.push_back(body.substr(start, end - start));
    start = end + 1;
  }
  return words;
}

/// Values from the type name the tool chose for the help (FILE, PEER, DIR, ...).
Values values_of(const std::string& type_name) {
  std::vector<std::string> tokens;
  std::string t;
  for (char ch : type_name + ' ') {
    if (std::isalnum(static_cast<unsigned char>(ch))) {
      t += ch;
    } else if (!t.empty()) {
      tokens.push_back(t);
      t.clear();
    }
  }
  auto has = [&](std::initializer_list<const char*> names) {
    return std::any_of(tokens.begin(), tokens.end(), [&](const std::string& tok) {
      return std::any_of(names.begin(), names.end(), [&](const char* n) { return tok == n; });
    });
  };
  if (has({"PEER"})) return Values::peers;
  if (has({"FILE", "PATH", "CONF", "json"})) return Values::files;
  if (has({"DIR", "PREFIX"})) return Values::dirs;
  return Values::any;
}

Arg describe_option(CLI::Option* opt) {
  Arg a;
  a.longs = opt->get_lnames();
  a.shorts = opt->get_snames();
  a.description = opt->get_description();
  auto policy = opt->get_multi_option_policy();
  a.repeatable = opt->get_items_expected_max() > 1 || policy == CLI::MultiOptionPolicy::TakeAll ||
                 policy == CLI::MultiOptionPolicy::Join;
  if (opt->get_expected_max() == 0 || opt->get_type_size_max() == 0) return a;  // a flag
  // get_type_name() is the type name followed by ":DESCRIPTION" of each check.
  std::string type = opt->get_type_name();
  std::string suffix;
  for (const auto& d : validator_descriptions(opt)) {
    if (d.empty()) continue;
    suffix += ":" + d;
    if (auto words = member_words(d); !words.empty()) a.words = std::move(words);
  }
  if (!suffix.empty() && type.size() >= suffix.size() && type.ends_with(suffix)) type.resize(type.size() - suffix.size());
  // A positional without a type name of its own is called by its name (SRC, TARGET).
  a.name = !opt->nonpositional() && type == "TEXT" ? opt->get_name(true) : type;
  a.values = a.words.empty() ? values_of(type) : Values::words;
  return a;
}

} // namespace

Command describe(CLI::App& app) {
  Command c;
  c.name = app.get_name();
  c.description = app.get_description();
  c.fallthrough = app.get_fallthrough();
  for (CLI::Option* opt : app.get_options()) {
    if (opt->get_group().empty()) continue;  // hidden
    if (opt->nonpositional()) c.options.push_back(describe_option(opt));
    else c.positionals.push_back(describe_option(opt));
  }
  for (CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; }))
    if (!sub->get_name().empty() && !sub->get_group().empty()) c.subcommands.push_back(describe(*sub));
  return c;
}

std::string script(CLI::App& app, const std::string& shell) {
  auto c = describe(app);
  if (shell == "bash") return bash(c);
  if (shell == "zsh") return zsh(c);
  if (shell == "fish") return fish(c);
  throw CLI::ValidationError("--completion", "expected bash, zsh or fish, got " + shell);
}

} // namespace meshops::cli::completion

namespace meshops::cli::completion {

std::string function_name(const std::string& tool) {
  std::string out = "_meshops_";
  for (char ch : tool) out += std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
  return out;
}

std::string sh_quote(const std::string& word) {
  bool bare = !word.empty() && std::all_of(word.begin(), word.end(), [](char ch) {
    return std::isalnum(static_cast<unsigned char>(ch)) || std::string_view("_-./,+").find(ch) != std::string_view::npos;
  });
  if (bare) return word;
  std::string out = "'";
  for (char ch : word) out += ch == '\'' ? std::string("'\\''") : std::string(1, ch);
  return out + "'";
}

std::string join(const std::vector<std::string>& parts, const std::string& sep) {
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : sep) + p;
  return out;
}

std::string join_quoted(const std::vector<std::string>& parts, const std::function<std::string(const std::string&)>& quote) {
  std::vector<std::string> q;
  for (const auto& p : parts) q.push_back(quote(p));
  return join(q, " ");
}

void dedupe(std::vector<std::string>& v) {
  std::vector<std::string> out;
  for (auto& s : v)
    if (std::find(out.begin(), out.end(), s) == out.end()) out.push_back(std::move(s));
  v = std::move(out);
}

std::vector<std::pair<std::string, Command>> with_inherited(const Command& root) {
  std::vector<std::pair<std::string, Command>> out{{"", root}};
  for (const auto& sub : root.subcommands) {
    Command c = sub;
    if (sub.fallthrough) {
      std::vector<Arg> options = root.options;
      for (const auto& o : sub.options) {
        auto same = [&](const Arg& r) { return r.longs == o.longs && r.shorts == o.shorts; };
        if (std::none_of(options.begin(), options.end(), same)) options.push_back(o);
      }
      c.options = std::move(options);
    }
    out.emplace_back(sub.name, std::move(c));
  }
  return out;
}

} // namespace meshops::cli::completion
