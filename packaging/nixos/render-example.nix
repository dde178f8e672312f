# Evaluates module.nix for example.nix without nixpkgs, so `nix-instantiate --eval` (Debian's
# nix-bin, no channels) can check it: a stand-in for the few parts of nixpkgs' lib the module
# uses, which, like the module system, gives every option left unset its declared default
# (recursing into submodules). Prints { config = the config file's text; execStart = ...; }:
#   nix-instantiate --eval --strict --json packaging/nixos/render-example.nix | jq -r .config
# example-config.json is that text; tests/integration/packaging_nixos.sh keeps them equal and
# runs the tools' own --config validation on it.
let
  option = attrs: attrs // { _type = "option"; };
  type = name: extra: { _type = "type"; inherit name; } // extra;
  lib = {
    mkOption = option;
    mkEnableOption = what: option { type = type "bool" { }; default = false; description = "Whether to enable ${what}."; };
    mkIf = cond: value: { _type = "if"; inherit cond value; };
    literalExpression = text: { _type = "literalExpression"; inherit text; };
    types = {
      str = type "str" { };
      bool = type "bool" { };
      port = type "port" { };
      number = type "number" { };
      package = type "package" { };
      ints.positive = type "positiveInt" { };
      listOf = elem: type "listOf" { inherit elem; };
      attrsOf = elem: type "attrsOf" { inherit elem; };
      nullOr = elem: type "nullOr" { inherit elem; };
      enum = values: type "enum" { inherit values; };
      submodule = m: type "submodule" { inherit (m) options; };
    };
  };
  pkgs = { meshops = "/nix/store/00000000000000000000000000000000-meshops"; nginx = "/nix/store/00000000000000000000000000000000-nginx"; };

  # fill OPTIONS VALUE: VALUE with each unset option at its default; a value for an undeclared
  # option is an error, as in the module system.
  fill = opts: value:
    let undeclared = builtins.filter (n: !(opts ? ${n})) (builtins.attrNames value);
    in if undeclared != [ ] then throw "services.meshops: no such option: ${builtins.head undeclared}"
    else builtins.mapAttrs
      (n: o: if (o._type or null) == "option" then fillType o.type (value.${n} or o.default) else fill o (value.${n} or { }))
      opts;
  fillType = t: v:
    if t.name == "submodule" then fill t.options v
    else if t.name == "attrsOf" then builtins.mapAttrs (_: fillType t.elem) v
    else if t.name == "nullOr" && v != null then fillType t.elem v
    else v;

  module = args: import ./module.nix args;
  evaluated = module { config.services.meshops = cfg; inherit lib pkgs; };
  cfg = fill evaluated.options.services.meshops (import ./example.nix);
  enabled = m: assert m._type == "if"; if m.cond then m.value else null;
  conf = enabled evaluated.config;
in
{
  config = conf.environment.etc."meshops/config.json".text;
  execStart = {
    meshops-health = (enabled conf.systemd.services.meshops-health).serviceConfig.ExecStart;
    nginx-logs-summary = (enabled conf.systemd.services.nginx-logs-summary).serviceConfig.ExecStart;
  };
}
