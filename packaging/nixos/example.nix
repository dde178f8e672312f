# The guide's host "kernelcore" as services.meshops settings: what a user writes in
# configuration.nix. render-example.nix turns it into the config file the module writes
# (example-config.json).
{
  enable = true;
  health.enable = true;
  nginxLogsSummary.enable = true;
  tailscale = { hostname = "kernelcore"; tailnetDomain = "example.ts.net"; };
  monitoring = {
    checkInterval = 30;
    maxLatency = 200;
    maxPacketLoss = 5;
    failureThreshold = 3;
    enableAutoFailover = true;
    targets = [ "laptop" ];
    exitNodes = [ "kernelcore" "other-server" ];
    alert.webhook = "https://hooks.example.net/meshops";
  };
  nginx.services = {
    ollama = { subdomain = "ollama"; upstreamPort = 11434; rateLimit = "20r/s"; maxBodySize = "500M"; healthPath = "/api/tags";
              allowFrom = [ "tag:client" ]; };
    llama = { subdomain = "llama"; upstreamPort = 8080; rateLimit = "10r/s"; maxBodySize = "100M"; };
  };
  firewall = {
    enableLogging = true;
    zones = {
      dmz = { allowedTCPPorts = [ 80 443 ]; allowedUDPPorts = [ 443 ]; };
      internal = { interfaces = [ "tailscale0" ]; allowedServices = [ "ssh" "postgresql" "ollama" ]; };
      admin = { allowedIPs = [ "100.64.0.0/10" ]; allowAllServices = true; };
      isolated = { };
    };
  };
}
