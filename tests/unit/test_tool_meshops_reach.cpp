// meshops-reach's text views (tools/meshops-reach/render.cpp): strings from the network and the
// config reach the terminal escaped exactly once.
#include "render.hpp"

#include <catch2/catch.hpp>

using namespace meshops::checks::reach;

TEST_CASE("report_text escapes a layer's summary and evidence once", "[reach][render]") {
  Report r;
  r.source.text = "laptop";
  r.target.text = "ollama";
  r.destination = "100.64.0.1";
  r.target.port = 80;
  Layer l;
  l.name = "proxy";
  l.verdict = LayerVerdict::block;
  l.summary = "location ~ \\.php$ \x1b[31m";  // a regex location and a colour from a config
  l.evidence.push_back({"server", "x\\y"});
  r.layers.push_back(l);
  r.conclusion = "blocked";
  meshops::cli::Output out;
  auto text = meshops_reach::report_text(r, out, /*verbose=*/true);
  INFO(text);
  CHECK(text.find("location ~ \\\\.php$ \\e[31m") != std::string::npos);  // one backslash doubled, ESC as \e
  CHECK(text.find("\\\\\\\\") == std::string::npos);                     // never escaped twice
  CHECK(text.find("\\\\e") == std::string::npos);
  CHECK(text.find("server: x\\\\y") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
}
