# The meshops config file (DESIGN.md "The config file") from the module's option values: the
# options under services.meshops.{tailscale,monitoring,nginx,firewall} carry the file's own key
# names, so this only drops what is unset (null) and keeps the four sections. Pure: builtins
# only, so `nix-instantiate --eval` runs it without nixpkgs (see render-example.nix).
cfg:
let
  clean = v:
    if builtins.isAttrs v then
      builtins.listToAttrs (builtins.concatMap
        (n: if v.${n} == null then [ ] else [{ name = n; value = clean v.${n}; }])
        (builtins.attrNames v))
    else if builtins.isList v then map clean v
    else v;
in
clean { inherit (cfg) tailscale monitoring nginx firewall; }
