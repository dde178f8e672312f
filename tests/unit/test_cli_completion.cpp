// What the completion generator reads from a CLI11 App: which options take values and what
// those values complete to, positionals, subcommands, hidden options left out.
#include "meshops/cli/completion.hpp"

#include <catch2/catch.hpp>

using namespace meshops::cli::completion;

namespace {

const Arg& option(const Command& c, const std::string& name) {
  for (const auto& o : c.options)
    if (!o.longs.empty() && o.longs.front() == name) return o;
  FAIL("no option --" << name);
  throw;
}

} // namespace

TEST_CASE("describe reads each option's values from its type name and checks", "[cli][completion]") {
  CLI::App app("A tool", "tool");
  std::string s;
  std::vector<std::string> v;
  bool flag = false;
  int count = 0;
  app.add_option("-c,--config", s, "Config file")->type_name("FILE");
  app.add_option("--file", s, "Saved ruleset")->type_name("RULESET.json");
  app.add_option("--state-dir", s, "State")->type_name("DIR");
  app.add_option("--direction", s, "Way")->type_name("DIR")->check(CLI::IsMember({"both", "upload"}));
  app.add_option("--peer", v, "Peers")->type_name("PEER");
  app.add_option("--timeout", s, "Seconds")->type_name("SECONDS")->check(CLI::PositiveNumber);
  app.add_flag("--json", flag, "JSON");
  app.add_flag("-v,--verbose", count, "More");
  app.add_flag("--secret", flag, "Hidden")->group("");
  app.add_option("src", s, "Source")->type_name("PEER|ADDR");
  app.add_option("files", v, "Files")->type_name("FILE");

  auto c = describe(app);
  CHECK(c.name == "tool");
  CHECK(option(c, "config").values == Values::files);
  CHECK(option(c, "config").shorts == std::vector<std::string>{"c"});
  CHECK(option(c, "file").values == Values::files);
  CHECK(option(c, "state-dir").values == Values::dirs);
  CHECK(option(c, "direction").values == Values::words);  // the check's set wins over DIR
  CHECK(option(c, "direction").words == std::vector<std::string>{"both", "upload"});
  CHECK(option(c, "peer").values == Values::peers);
  CHECK(option(c, "peer").repeatable);
  CHECK(option(c, "timeout").values == Values::any);
  CHECK(option(c, "timeout").name == "SECONDS");
  CHECK(option(c, "json").values == Values::none);
  CHECK_FALSE(option(c, "json").repeatable);
  CHECK(option(c, "verbose").repeatable);
  for (const auto& o : c.options) CHECK(o.longs != std::vector<std::string>{"secret"});
  REQUIRE(c.positionals.size() == 2);
  CHECK(c.positionals[0].values == Values::peers);
  CHECK_FALSE(c.positionals[0].repeatable);
  CHECK(c.positionals[1].values == Values::files);
  CHECK(c.positionals[1].repeatable);
}

TEST_CASE("describe reads subcommands with their own options", "[cli][completion]") {
  CLI::App app("A tool", "tool");
  app.fallthrough();
  std::string s;
  app.add_option("--format", s, "Format");
  auto* errors = app.add_subcommand("errors", "The error log");
  errors->add_option("--level", s, "Level")->check(CLI::IsMember({"warn", "error"}));
  auto c = describe(app);
  REQUIRE(c.subcommands.size() == 1);
  CHECK(c.subcommands[0].name == "errors");
  CHECK(c.subcommands[0].description == "The error log");
  CHECK(c.subcommands[0].fallthrough);
  CHECK(option(c.subcommands[0], "level").words == std::vector<std::string>{"warn", "error"});
  CHECK(script(app, "bash").find("complete -F _meshops_tool tool\n") != std::string::npos);
  CHECK(script(app, "zsh").starts_with("#compdef tool\n"));
  CHECK(script(app, "fish").find("complete -c tool -n '__fish_seen_subcommand_from errors' -l level -x -a 'warn error'") !=
        std::string::npos);
  CHECK_THROWS_AS(script(app, "tcsh"), CLI::ValidationError);
}
