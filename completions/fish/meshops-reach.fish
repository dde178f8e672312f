# fish completion for meshops-reach (meshops)
complete -c meshops-reach -s h -l help -d 'Print help'
complete -c meshops-reach -l version -d 'Print version'
complete -c meshops-reach -s c -l config -r -F -d 'Config file'
complete -c meshops-reach -l json -d 'Print JSON'
complete -c meshops-reach -l timeout -x -d 'Seconds'
complete -c meshops-reach -l color -x -a 'auto always never' -d 'Colour'
complete -c meshops-reach -l no-legend -d 'Omit header'
complete -c meshops-reach -s v -l verbose -d "Every layer's evidence"
complete -c meshops-reach -l socket -r -F -d 'tailscaled LocalAPI socket'
complete -c meshops-reach -l iif -x -a '(ls /sys/class/net 2>/dev/null)' -d 'Interface the connection arrives on'
complete -c meshops-reach -l matrix -d 'Every peer against every service'
complete -c meshops-reach -l peer -x -d 'With --matrix: only these peers'
complete -c meshops-reach -l check -d 'allowFrom against the matrix'
complete -c meshops-reach -l policy -r -F -d "Run a policy file's tests block"
complete -c meshops-reach -l prom -d 'Print Prometheus text (--check)'
complete -c meshops-reach -l prom-file -r -F -d 'Write Prometheus text to file'
