// meshops-reach's views (tools/meshops-reach/view.cpp): strings from the network and the
// config reach the terminal escaped exactly once; a walk's text and JSON, exact.
#include "view.hpp"

#include <catch2/catch.hpp>

using namespace meshops::checks::reach;

TEST_CASE("to_text of a walk escapes a layer's summary and evidence once", "[reach][view]") {
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
  auto text = meshops_reach::to_text(r, out, /*verbose=*/true);
  INFO(text);
  CHECK(text.find("location ~ \\\\.php$ \\e[31m") != std::string::npos);  // one backslash doubled, ESC as \e
  CHECK(text.find("\\\\\\\\") == std::string::npos);                     // never escaped twice
  CHECK(text.find("\\\\e") == std::string::npos);
  CHECK(text.find("server: x\\\\y") != std::string::npos);
  CHECK(text.find('\x1b') == std::string::npos);
}

namespace {
/// laptop -> ollama on kernelcore, stopped by nginx: the tailnet let it through.
Report blocked_at_proxy() {
  Report r;
  r.source.text = "laptop";
  r.target.text = "ollama";
  r.destination = "100.64.0.1";
  r.target.port = 80;
  Layer tailnet;
  tailnet.name = "tailnet";
  tailnet.verdict = LayerVerdict::pass;
  tailnet.summary = "the packet filter accepts tcp/80 from 100.64.0.2";
  Layer proxy;
  proxy.name = "proxy";
  proxy.verdict = LayerVerdict::block;
  proxy.summary = "deny all in location /";
  proxy.evidence.push_back({"server", "ollama.example.ts.net"});
  r.layers = {tailnet, proxy};
  r.state = meshops::Exit::critical;
  r.conclusion = "blocked at proxy: deny all in location /";
  return r;
}
} // namespace

TEST_CASE("to_text and to_json of a walk, exact", "[reach][view]") {
  auto out = meshops::cli::Output{};
  out.width = 0;
  // A layer's evidence is a row of its own under it, in the EVIDENCE column.
  CHECK(meshops_reach::to_text(blocked_at_proxy(), out, /*verbose=*/true) ==
        "laptop -> ollama (100.64.0.1:80 tcp/80)\n"
        "LAYER    VERDICT  EVIDENCE\n"
        "tailnet  pass     the packet filter accepts tcp/80 from 100.64.0.2\n"
        "proxy    block    deny all in location /\n"
        "-        -        server: ollama.example.ts.net\n"
        "blocked at proxy: deny all in location /\n");
  CHECK(meshops_reach::to_json(blocked_at_proxy()).dump() ==
        R"({"schema":"meshops/meshops-reach/1","status":"critical","source":{"text":"laptop","address":"","iif":"","peer":null},)"
        R"("target":{"text":"ollama","kind":"port","service":"","host":"","path":"/","proto":"tcp","port":80,)"
        R"("destination":"100.64.0.1"},"layers":[{"name":"tailnet","verdict":"pass",)"
        R"("summary":"the packet filter accepts tcp/80 from 100.64.0.2","evidence":[],"change":""},)"
        R"({"name":"proxy","verdict":"block","summary":"deny all in location /",)"
        R"("evidence":[{"key":"server","value":"ollama.example.ts.net"}],"change":""}],"blocked_at":"proxy",)"
        R"("conclusion":"blocked at proxy: deny all in location /","change":""})");
}
