function __poolnet_should_offer_completions_for_flags_or_options -a expected_commands
    set -l non_repeating_flags_or_options $argv[2..]
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __poolnet_parse_tokens
    test "$commands" = "$expected_commands"; and return $non_repeating_flags_or_options_absent
end

function __poolnet_should_offer_completions_for_positional -a expected_commands positional_index_comparison expected_positional_index
    set -l non_repeating_flags_or_options
    set -l non_repeating_flags_or_options_absent 0
    set -l positional_index 0
    set -l commands
    __poolnet_parse_tokens
    test "$commands" = "$expected_commands" -a \( "$positional_index" "$positional_index_comparison" "$expected_positional_index" \)
end

function __poolnet_parse_tokens -S
    set -l unparsed_tokens (__poolnet_tokens -pc)
    switch $unparsed_tokens[1]
    case 'poolnet'
        __poolnet_parse_subcommand 0 'version' 'h/help'
        switch $unparsed_tokens[1]
        case 'validate'
            __poolnet_parse_subcommand 1 'json' 'redundancy' 'version' 'h/help'
        case 'plan'
            __poolnet_parse_subcommand 1 'host=' 'netns=' 'json' 'v/verbose' 'q/quiet' 'color=' 'state-dir=' 'adopt' 'allow-managed' 'version' 'h/help'
        case 'apply'
            __poolnet_parse_subcommand 1 'host=' 'netns=' 'json' 'v/verbose' 'q/quiet' 'color=' 'state-dir=' 'allow-disruptive' 'force' 'allow-managed' 'adopt' 'confirm-within=' 'wait-lock=' 'at-boot' 'version' 'h/help'
        case 'check'
            __poolnet_parse_subcommand 1 'host=' 'netns=' 'json' 'v/verbose' 'q/quiet' 'color=' 'state-dir=' 'textfile=' 'syslog' 'allow-managed' 'peers' 'peer-deadline=' 'version' 'h/help'
        case 'show'
            __poolnet_parse_subcommand 1 'host=' 'netns=' 'json' 'v/verbose' 'q/quiet' 'color=' 'state-dir=' 'format=' 'pool' 'version' 'h/help'
        case 'confirm'
            __poolnet_parse_subcommand 0 'host=' 'netns=' 'json' 'v/verbose' 'q/quiet' 'color=' 'state-dir=' 'version' 'h/help'
        case 'rollback'
            __poolnet_parse_subcommand 0 'host=' 'netns=' 'json' 'v/verbose' 'q/quiet' 'color=' 'state-dir=' 'version' 'h/help'
        case 'history'
            __poolnet_parse_subcommand 0 'host=' 'netns=' 'json' 'v/verbose' 'q/quiet' 'color=' 'state-dir=' 'version' 'h/help'
        case 'diff'
            __poolnet_parse_subcommand 2 'host=' 'json' 'version' 'h/help'
        case 'import'
            __poolnet_parse_subcommand -r 1 'host=' 'netns=' 'pool=' 'index=' 'merge' 'version' 'h/help'
        case 'help'
            __poolnet_parse_subcommand -r 1 'version'
        end
    end
end

function __poolnet_tokens
    if test (string split -m 1 -f 1 -- . "$FISH_VERSION") -gt 3
        commandline --tokens-raw $argv
    else
        commandline -o $argv
    end
end

function __poolnet_parse_subcommand -S -a positional_count
    argparse -s r -- $argv
    set -l option_specs $argv[2..]
    set -l is_repeating_positional $_flag_r
    set -el _flag_r
    set -a commands $unparsed_tokens[1]
    set positional_index 0
    while true
        set -e unparsed_tokens[1]
        argparse -sn "$commands" $option_specs -- $unparsed_tokens 2> /dev/null
        set unparsed_tokens $argv
        set positional_index (math $positional_index + 1)
        for non_repeating_flag_or_option in $non_repeating_flags_or_options
            if set -ql "_flag_$(string replace -a - _ -- $non_repeating_flag_or_option)"
                set non_repeating_flags_or_options_absent 1
                break
            end
        end
        test (count $unparsed_tokens) -eq 0 -o \( -z "$is_repeating_positional" -a "$positional_index" -gt "$positional_count" \) && break
    end
end

function __poolnet_complete_directories
    set -l token (commandline -t)
    string match -- '*/' $token
    set -l subdirs $token*/
    printf %s\n $subdirs
end

function __poolnet_custom_completion
    set -x SAP_SHELL fish
    set -x SAP_SHELL_VERSION $FISH_VERSION
    set -l tokens (__poolnet_tokens -p)
    if test -z "$(__poolnet_tokens -t)"
        set -l index (count (__poolnet_tokens -pc))
        set tokens $tokens[..$index] \'\' $tokens[(math $index + 1)..]
    end
    command $tokens[1] $argv $tokens
end

complete -c 'poolnet' -f
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'validate' -d 'Check a pool file for every host, without touching any host.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'plan' -d 'Show what apply would change on this host (exit 2 when there are changes).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'apply' -d 'Make this host match the file; verify; roll back on any failure (exit 2 when something changed).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'check' -d 'Report drift between this host and the file (exit 2 on drift); changes nothing.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'show' -d 'Show the live links and addresses (with FILE: only what the file declares or poolnet owns).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'confirm' -d 'Keep the last apply made with --confirm-within (cancels its automatic revert).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'rollback' -d 'Revert the last apply on this host (or namespace), from the journal; an apply that was interrupted midway is undone as far as it got.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'history' -d 'List past applies, reverts and confirmations from the journal.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'diff' -d 'Per host, what changes between two versions of a pool file (exit 2 when any host changes); touches no host.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'import' -d 'Print a pool file for this live host, or merge single-host files into one pool file.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet" -eq 1' -fa 'help' -d 'Show subcommand help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet validate" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet validate" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet validate" redundancy' -l 'redundancy' -d 'Also report each host\'s single points of failure (exit 2 when any).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet validate" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet validate" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet plan" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" host' -l 'host' -d 'The pool host to act as (default: this machine\'s short hostname).' -rfka '(__poolnet_custom_completion ---completion plan -- --host (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" netns' -l 'netns' -d 'Operate inside this named network namespace (ip netns).' -rfka '(__poolnet_custom_completion ---completion plan -- --netns (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" v verbose' -l 'verbose' -s 'v' -d 'Log what is done to stderr.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors; the exit code says the rest.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" color' -l 'color' -d 'Color plan and drift lines: auto (when stdout is a terminal), always or never.' -rfka 'auto always never'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" state-dir' -l 'state-dir' -d 'Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" adopt' -l 'adopt' -d 'Also plan taking ownership of declared objects that exist without poolnet\'s marks.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" allow-managed' -l 'allow-managed' -d 'Apply to devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims: report them, do not refuse.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet plan" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet apply" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" host' -l 'host' -d 'The pool host to act as (default: this machine\'s short hostname).' -rfka '(__poolnet_custom_completion ---completion apply -- --host (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" netns' -l 'netns' -d 'Operate inside this named network namespace (ip netns).' -rfka '(__poolnet_custom_completion ---completion apply -- --netns (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" v verbose' -l 'verbose' -s 'v' -d 'Log what is done to stderr.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors; the exit code says the rest.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" color' -l 'color' -d 'Color plan and drift lines: auto (when stdout is a terminal), always or never.' -rfka 'auto always never'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" state-dir' -l 'state-dir' -d 'Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" allow-disruptive' -l 'allow-disruptive' -d 'Apply even when the plan deletes, re-addresses or takes down the interfaces that carry the default route or this SSH session.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" force' -l 'force' -d 'Log out iSCSI sessions (and rebind ifaces) even when their LUNs are in use.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" allow-managed' -l 'allow-managed' -d 'Apply to devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims: report them, do not refuse.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" adopt' -l 'adopt' -d 'Take ownership of declared objects that exist without poolnet\'s marks, so that dropping them from the file prunes them.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" confirm-within' -l 'confirm-within' -d 'Revert automatically unless `poolnet confirm` runs within this time (e.g. 60s, 5m).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" wait-lock' -l 'wait-lock' -d 'Wait this many seconds for another apply to finish (default: fail at once).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" at-boot' -l 'at-boot' -d 'Boot mode (for the apply-at-boot unit): a file whose apply was reverted and not accepted since is not applied; the last accepted file is applied instead.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet apply" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet check" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" host' -l 'host' -d 'The pool host to act as (default: this machine\'s short hostname).' -rfka '(__poolnet_custom_completion ---completion check -- --host (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" netns' -l 'netns' -d 'Operate inside this named network namespace (ip netns).' -rfka '(__poolnet_custom_completion ---completion check -- --netns (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" v verbose' -l 'verbose' -s 'v' -d 'Log what is done to stderr.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors; the exit code says the rest.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" color' -l 'color' -d 'Color plan and drift lines: auto (when stdout is a terminal), always or never.' -rfka 'auto always never'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" state-dir' -l 'state-dir' -d 'Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" textfile' -l 'textfile' -d 'Also write Prometheus node_exporter textfile metrics to this path (atomically).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" syslog' -l 'syslog' -d 'Also log one line per drift to syslog (the journal on systemd hosts).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" allow-managed' -l 'allow-managed' -d 'Do not count as drift devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims (they stay in the JSON and the textfile).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" peers' -l 'peers' -d 'Instead of drift: probe every other host on every network the file says they share (exit 2 when one fails).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" peer-deadline' -l 'peer-deadline' -d 'With --peers: seconds the whole run may take.' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet check" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_positional "poolnet show" -eq 1' -fa '(set -l exts \'yaml\' \'yml\';for p in (string match -e -- \'*/\' (commandline -t);or printf \n)*.{$exts};printf %s\n $p;end;__fish_complete_directories (commandline -t) \'\')'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" host' -l 'host' -d 'The pool host to act as (default: this machine\'s short hostname).' -rfka '(__poolnet_custom_completion ---completion show -- --host (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" netns' -l 'netns' -d 'Operate inside this named network namespace (ip netns).' -rfka '(__poolnet_custom_completion ---completion show -- --netns (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" v verbose' -l 'verbose' -s 'v' -d 'Log what is done to stderr.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors; the exit code says the rest.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" color' -l 'color' -d 'Color plan and drift lines: auto (when stdout is a terminal), always or never.' -rfka 'auto always never'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" state-dir' -l 'state-dir' -d 'Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" format' -l 'format' -d 'table (default), dot (Graphviz source, drift in red; needs FILE) or svg (through Graphviz\'s dot).' -rfka 'table dot svg'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" pool' -l 'pool' -d 'With --format dot|svg: every host of the file, as the file declares them (no live state read).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet show" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" host' -l 'host' -d 'The pool host to act as (default: this machine\'s short hostname).' -rfka '(__poolnet_custom_completion ---completion confirm -- --host (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" netns' -l 'netns' -d 'Operate inside this named network namespace (ip netns).' -rfka '(__poolnet_custom_completion ---completion confirm -- --netns (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" v verbose' -l 'verbose' -s 'v' -d 'Log what is done to stderr.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors; the exit code says the rest.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" color' -l 'color' -d 'Color plan and drift lines: auto (when stdout is a terminal), always or never.' -rfka 'auto always never'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" state-dir' -l 'state-dir' -d 'Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet confirm" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" host' -l 'host' -d 'The pool host to act as (default: this machine\'s short hostname).' -rfka '(__poolnet_custom_completion ---completion rollback -- --host (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" netns' -l 'netns' -d 'Operate inside this named network namespace (ip netns).' -rfka '(__poolnet_custom_completion ---completion rollback -- --netns (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" v verbose' -l 'verbose' -s 'v' -d 'Log what is done to stderr.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors; the exit code says the rest.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" color' -l 'color' -d 'Color plan and drift lines: auto (when stdout is a terminal), always or never.' -rfka 'auto always never'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" state-dir' -l 'state-dir' -d 'Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet rollback" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" host' -l 'host' -d 'The pool host to act as (default: this machine\'s short hostname).' -rfka '(__poolnet_custom_completion ---completion history -- --host (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" netns' -l 'netns' -d 'Operate inside this named network namespace (ip netns).' -rfka '(__poolnet_custom_completion ---completion history -- --netns (count (__poolnet_tokens -pc)) (__poolnet_tokens -tC))'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" json' -l 'json' -d 'Machine-readable JSON on stdout.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" v verbose' -l 'verbose' -s 'v' -d 'Log what is done to stderr.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" q quiet' -l 'quiet' -s 'q' -d 'Print nothing but errors; the exit code says the rest.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" color' -l 'color' -d 'Color plan and drift lines: auto (when stdout is a terminal), always or never.' -rfka 'auto always never'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" state-dir' -l 'state-dir' -d 'Where the journal, locks and pending reverts live (default: $POOLNET_STATE_DIR or /var/lib/poolnet).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet history" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet diff" host' -l 'host' -d 'Only this host.' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet diff" json' -l 'json' -d 'Machine-readable JSON on stdout (schema poolnet.diff/v1).'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet diff" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet diff" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet import" host' -l 'host' -d 'The host name to write (default: this machine\'s short hostname).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet import" netns' -l 'netns' -d 'Read inside this named network namespace (ip netns).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet import" pool' -l 'pool' -d 'The pool name (default: the pool of poolnet\'s marks on this host, else "imported").' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet import" index' -l 'index' -d 'The host\'s index (default: the number at the end of its name, else 1).' -rfka ''
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet import" merge' -l 'merge' -d 'Merge the files given as arguments instead of reading the host.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet import" version' -l 'version' -d 'Show the version.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet import" h help' -s 'h' -l 'help' -d 'Show help information.'
complete -c 'poolnet' -n '__poolnet_should_offer_completions_for_flags_or_options "poolnet help" version' -l 'version' -d 'Show the version.'
