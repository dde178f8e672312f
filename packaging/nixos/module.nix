# NixOS module for meshops: the options of the guide's host (services.meshops.monitoring,
# services.meshops.nginx.services.<name>, services.meshops.firewall.zones.<name>, ...), written
# to /etc/meshops/config.json with builtins.toJSON, and the units of packaging/systemd:
# meshops-health and nginx-logs-summary (timer + service) and ts-monitor.
#
#   imports = [ /path/to/meshops/packaging/nixos/module.nix ];
#   services.meshops = { enable = true; package = pkgs.meshops; monitoring.maxLatency = 150; ... };
#
# The hardening of the units is that of packaging/systemd/*.service (shipped in the package and
# picked up through systemd.packages); this module only points ExecStart at the Nix store.
{ config, lib, pkgs, ... }:

let
  inherit (lib) mkOption mkEnableOption mkIf types;
  cfg = config.services.meshops;

  opt = type: default: description: mkOption { inherit type default description; };
  nullable = type: description: mkOption { type = types.nullOr type; default = null; inherit description; };

  service = types.submodule {
    options = {
      subdomain = opt types.str "" "Subdomain of the virtual host: SUBDOMAIN.HOST.TAILNET.ts.net.";
      upstreamHost = opt types.str "127.0.0.1" "Address of the upstream nginx proxies to.";
      upstreamPort = opt types.port 0 "Port of the upstream nginx proxies to.";
      rateLimit = nullable types.str "limit_req rate of the virtual host, e.g. \"20r/s\".";
      maxBodySize = nullable types.str "client_max_body_size of the virtual host, e.g. \"500M\".";
      healthPath = nullable types.str "Path nginx-test requests through the proxy, e.g. \"/api/tags\".";
      allowFrom = nullable (types.listOf types.str)
        "Who may reach the service (tags, user@, peer names): meshops-reach --check compares it with the tailnet.";
    };
  };

  zone = types.submodule {
    options = {
      chain = nullable types.str "Chain implementing the zone (default zone_NAME or NAME).";
      interfaces = opt (types.listOf types.str) [ ] "Input interfaces of the zone.";
      allowedTCPPorts = opt (types.listOf types.port) [ ] "TCP ports open in the zone.";
      allowedUDPPorts = opt (types.listOf types.port) [ ] "UDP ports open in the zone.";
      allowedServices = opt (types.listOf types.str) [ ] "Services (names of /etc/services) open in the zone.";
      allowedIPs = opt (types.listOf types.str) [ ] "Source CIDRs of the zone.";
      allowAllServices = opt types.bool false "Whether every service is open in the zone.";
    };
  };

  configJSON = builtins.toJSON (import ./config-json.nix cfg);

  # ExecStart of a shipped unit, with /usr/bin/ pointed at the package.
  execStartOf = unit:
    let m = builtins.match ".*\nExecStart=([^\n]*)\n.*" (builtins.readFile (../systemd + "/${unit}"));
    in builtins.replaceStrings [ "/usr/bin/" ] [ "${cfg.package}/bin/" ] (builtins.head m);
  overrideExecStart = unit: { serviceConfig.ExecStart = [ "" (execStartOf unit) ]; };
in
{
  options.services.meshops = {
    enable = mkEnableOption "meshops, the tools that operate a Tailscale mesh host";

    package = mkOption {
      type = types.package;
      default = pkgs.meshops;
      defaultText = lib.literalExpression "pkgs.meshops";
      description = "The meshops package (its binaries, man pages and systemd units).";
    };

    tailscale = {
      socket = nullable types.str "tailscaled's LocalAPI socket (default /var/run/tailscale/tailscaled.sock).";
      hostname = nullable types.str "This host's name in the tailnet, e.g. \"kernelcore\".";
      tailnetDomain = nullable types.str "The tailnet's MagicDNS domain, e.g. \"example.ts.net\".";
    };

    monitoring = {
      checkInterval = opt types.ints.positive 30 "Seconds between two checks of the tailnet.";
      maxLatency = opt types.number 200 "Latency in ms above which a check fails.";
      maxPacketLoss = opt types.number 5 "Packet loss in percent above which a check fails.";
      failureThreshold = opt types.ints.positive 3 "Consecutive failed checks before failing over.";
      enableAutoFailover = opt types.bool false "Whether ts-monitor fails over to the next exit node.";
      targets = opt (types.listOf types.str) [ ] "Peers to measure (names or IPs).";
      exitNodes = opt (types.listOf types.str) [ ] "Exit nodes, the primary first.";
      restoreInterval = opt types.ints.positive 300 "Seconds between two tries of the primary after a failover.";
      restoreThreshold = opt types.ints.positive 3 "Healthy checks before restoring the primary.";
      stateDir = opt types.str "/var/lib/meshops" "Where ts-monitor keeps its state.";
      alert.webhook = nullable types.str "URL that receives a JSON POST for each monitor event.";
    };

    nginx = {
      binary = opt types.str "${pkgs.nginx}/bin/nginx" "The nginx binary nginx-test runs.";
      config = opt types.str "/etc/nginx/nginx.conf" "The nginx configuration nginx-test checks.";
      prefix = nullable types.str "nginx's prefix path (-p).";
      accessLog = opt types.str "/var/log/nginx/access.log" "The access log nginx-logs reads.";
      errorLog = opt types.str "/var/log/nginx/error.log" "The error log nginx-logs reads.";
      logFormat = opt types.str "combined" "Access log format: combined, common, json or a log_format string.";
      services = opt (types.attrsOf service) { } "The services nginx proxies, by name.";
    };

    firewall = {
      defaultPolicy = opt (types.enum [ "drop" "reject" "accept" ]) "drop" "Policy of the input chain.";
      enableLogging = opt types.bool false "Whether dropped packets are logged.";
      tailscalePort = opt types.port 41641 "tailscaled's UDP port.";
      zones = opt (types.attrsOf zone) { } "The firewall zones (dmz, internal, admin, isolated, ...).";
    };

    health = {
      enable = mkEnableOption "meshops-health every interval, its metrics for node_exporter";
      interval = opt types.str "1min" "How often meshops-health runs (systemd time span).";
      textfileDirectory = opt types.str "/var/lib/prometheus/node-exporter" "node_exporter's textfile directory.";
    };

    nginxLogsSummary = {
      enable = mkEnableOption "nginx-logs summary every 5 minutes, its metrics for node_exporter";
    };

    monitor.enable = mkEnableOption "ts-monitor, the tailnet watcher that fails over between exit nodes";
  };

  config = mkIf cfg.enable {
    environment.systemPackages = [ cfg.package ];
    environment.etc."meshops/config.json".text = configJSON;
    systemd.packages = [ cfg.package ];

    systemd.services.meshops-health = mkIf cfg.health.enable {
      serviceConfig.ExecStart = [ ""
        "${cfg.package}/bin/meshops-health --prom-file ${cfg.health.textfileDirectory}/meshops-health.prom" ];
      serviceConfig.ReadWritePaths = [ "-/var/log/nginx" "-${cfg.health.textfileDirectory}" ];
      restartTriggers = [ configJSON ];
    };
    systemd.timers.meshops-health = mkIf cfg.health.enable {
      wantedBy = [ "timers.target" ];
      timerConfig.OnUnitActiveSec = cfg.health.interval;
    };

    systemd.services.nginx-logs-summary = mkIf cfg.nginxLogsSummary.enable (overrideExecStart "nginx-logs-summary.service");
    systemd.timers.nginx-logs-summary = mkIf cfg.nginxLogsSummary.enable { wantedBy = [ "timers.target" ]; };

    # ts-monitor.service runs as this user (it becomes tailscaled's operator to switch exit nodes).
    users.users.meshops = mkIf cfg.monitor.enable { isSystemUser = true; group = "meshops"; home = cfg.monitoring.stateDir; };
    users.groups.meshops = mkIf cfg.monitor.enable { };

    systemd.services.ts-monitor = mkIf cfg.monitor.enable (overrideExecStart "ts-monitor.service" // {
      wantedBy = [ "multi-user.target" ];
      restartTriggers = [ configJSON ];
    });
  };
}
