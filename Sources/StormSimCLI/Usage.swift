import StormSim

/// Help texts. Printed on stdout by `--help` (exit 0); errors go to stderr.
enum Usage {
    static let version = "stormsim \(StormSimVersion.text)"

    static let main = """
        stormsim: a deterministic simulator of retry storms.

        USAGE: stormsim <command> [options]

        COMMANDS:
          init FILE       write a commented starter scenario that runs as is
          explain FILE    the scenario with every default filled in, where each value came from, and warnings
          run FILE        simulate a scenario and write CSV results
          validate FILES  check scenario files without running them
          merge DIR...    combine the shard folders of a run into its outputs
          plot DIR        draw a results folder with gnuplot
          compare A B     compare two results folders, with whether each difference is more than chance
          tune FILE       recommend the setting that meets the constraints with the least load (racing)
          margin FILE     how large the trigger can grow before the system stays down
          presets [NAME]  list the real-world retry policies, with their defaults and sources
          bench           measure events/s, wall time and peak memory on the standard workloads
          completions SH  print shell completions for bash, zsh or fish
          man             print the manual page (roff), made from these help texts
          help [COMMAND]  show help for a command

        OPTIONS:
          -h, --help      show this help
          --version       show the version

        EXIT CODES:
          0    success
          1    runtime failure (for example, outputs could not be written)
          2    usage error (unknown command or option, missing argument)
          3    invalid scenario (missing file, bad JSON, invalid values)
          4    a variant missed one of the scenario's expectations (outputs were written)
          5    compare: a --fail-if gate tripped
          130  interrupted (Ctrl-C); earlier results are left untouched

        See 'stormsim <command> --help' for a command's options.
        """

    static let compare = """
        USAGE: stormsim compare A B [--metric M]... [--fail-if "M decreases"]... [--format text|markdown|json|csv]
               stormsim compare B --baseline A [...]

        Compares two results folders written by 'stormsim run' (A the baseline, B the candidate) variant by
        variant (the variants both have) and metric by metric: A, B, B - A, the half-width of the difference's
        95% interval, and a verdict (better, worse, no significant difference, same). With --replications on
        both sides, the per-replication values decide: paired replication by replication when both used the
        same seeds (common random numbers: a much tighter interval), else Welch's interval. With one run each
        there is no interval and any difference is reported.

        OPTIONS:
          --metric M         a summary column to compare (repeatable; default: success_rate, amplification,
                             latency_p99_ms, wasted_work_fraction, and recovered when present)
          --fail-if "M D"    a gate: exit 5 when a variant's M moved that way, D one of decreases,
                             increases, worsens (by M's better direction), changes; significantly with
                             replications, at all with one run each (repeatable)
          --baseline A       the baseline folder, when only B is given as an argument
          --format F         text (default), markdown (for a CI step summary), json or csv

        EXIT CODES: 0, 2 (usage), 3 (a folder is missing or not a results folder), 5 (a gate tripped).
        """

    static let initCommand = """
        USAGE: stormsim init FILE [--preset NAME] [--arrival poisson|burst|closed] [--chain N] [--force]

        Writes a starter scenario to FILE (- for stdout): clients calling a chain of N services (default 3:
        api -> payments -> bank), healthy at about 70% load until the last service slows down five-fold from
        30 s to 45 s, with no retries and with retries as two variants. Every part carries a "//" comment
        (keys that start with // are comments stormsim ignores) saying what it means and what to change. It
        validates without warnings and runs as written; the scenario's name is FILE's name.

        OPTIONS:
          --preset NAME        start the clients' policy from a real client's (see 'stormsim presets')
          --arrival KIND       poisson (open loop, default), burst (one request per client) or closed (each
                               client waits for its answer, then thinks)
          --chain N            services in the chain, 1 to 8 (default 3)
          --force              replace FILE if it exists
          -h, --help           show this help
        """

    static let explain = """
        USAGE: stormsim explain FILE [--set PATH=VALUE]... [--strict] [--format text|json]

        Prints the scenario as stormsim will run it: every value of its first variant, with the defaults
        filled in and where each came from (file, --set, vary, preset NAME, default); what its variants
        change; each service's estimated capacity, offered load and full-queue wait before any fault; and
        the warnings that 'run' and 'validate' also print:

          queue-outlives-timeout     a full queue waits longer than the caller's timeout
          no-timeout                 a preset, or a policy that retries, without a timeout
          failures-not-retried       a retrying policy leaves out failures the scenario produces
          shared-bucket              a budget, breaker or limiter of scope "host" with every client on one host
          downstream-timeout-longer  a service waits longer for its calls than its callers wait for it
          retries-multiply           retries at several layers multiply past 10 attempts per request
          overloaded-before-fault    offered load at or above a service's capacity before any trigger

        OPTIONS:
          --set PATH=VALUE     apply an override first, exactly as 'stormsim run' would. May be repeated.
          --strict             exit with 3 when there is any warning (for CI)
          --format json        one JSON object: file, scenario, variants, values (path, value, source), warnings
          -h, --help           show this help
        """

    static let completions = """
        USAGE: stormsim completions bash|zsh|fish

        Prints a completion script for the shell, generated from the help texts (commands, options, their
        values, preset names, scenario files and results folders):
            bash:  source <(stormsim completions bash)      (or save it in ~/.local/share/bash-completion/completions/stormsim)
            zsh:   stormsim completions zsh > "${fpath[1]}/_stormsim"
            fish:  stormsim completions fish > ~/.config/fish/completions/stormsim.fish
        scripts/install installs all three, and the man page.
        """

    static let man = """
        USAGE: stormsim man

        Prints the manual page in roff, generated from the help texts of every command:
            stormsim man > stormsim.1 && man ./stormsim.1
        """

    static let presets = """
        USAGE: stormsim presets [NAME] [--format text|json]

        Lists the policies of real systems that a scenario can start from ("policy": {"preset": "NAME"}),
        with what each one sets and where its defaults come from. Keys beside "preset" override the
        preset's; objects merge key by key.
        """

    static let plot = """
        USAGE: stormsim plot RESULTS_DIR [--format png|svg] [--out FILE] [--script FILE] [--script-only]

        Writes a gnuplot script (default RESULTS_DIR/plot.gp) that draws a dashboard of the results: load over
        time per variant, amplification, success rate and p99 per variant (with 95% intervals when replicated),
        latency percentiles, goodput and queue length around the fault windows (shaded), and heatmaps for
        two-parameter sweeps. Then runs gnuplot, when it is installed, to render it (default
        RESULTS_DIR/plot.png). Without gnuplot it writes the script, says how to install gnuplot and how to
        run the script, and exits with 1; --script-only writes the script alone and exits with 0.

        OPTIONS:
          --format png|svg     the image format (default png)
          --out FILE           where the image goes
          --script FILE        where the script goes; its data paths are relative to its folder
          --script-only        write the script; do not run gnuplot
          -h, --help           show this help
        """

    static let merge = """
        USAGE: stormsim merge DIR... [--out DIR] [--quiet]

        Combines the shard folders written by 'stormsim run FILE --shard K/N' (every K from 1 to N) into
        exactly the files a single-machine run would have written, byte for byte, in DIR (default:
        results/<name>). Checks that the shards belong to one run and that every job is present once.
        Exit codes as for 'run': 3 when a shard or a job is missing or does not belong to the run, 4 when an
        expectation is missed.
        """

    static let bench = """
        USAGE: stormsim bench [--quick | --full] [--check] [--workload NAME [--replications R]] [--root DIR]

        Runs the standard workloads each in its own process and prints, with the machine and build: runs,
        events, wall time, events/s, peak memory, memory per client of a burst, and per-run overhead of a
        sweep. Then times real-world-presets on 1 and 2 jobs (best of 3). Use a release build:
            swift build -c release && .build/release/stormsim bench

        WORKLOADS:
          thundering-herd    the bundled scenario: 10,000 clients in one burst (best of 5)
          bench-overload     a steady overloaded open loop, the SimPy model's workload (best of 5)
          fleet-100          bench-overload's capacity as 100 instances of one worker (round robin)
          fleet-1000         ten times fleet-100: 10,000 clients, 1,000 instances (best of 3)
          million-burst      1,000,000 clients in one burst
          aws-sweep-100ms    bench/aws-jitter-sweep.json with --replications 100: 9,500 short runs, as
                             'stormsim run' makes them, files written (100 ms rows)
          aws-sweep-1s       the same with metrics.interval=1s
          empty-runs         2,000 runs of one request each: what a run costs beyond its events
          ten-million-burst  10,000,000 clients in one burst (only with --full; about 1.9 GB)

        OPTIONS:
          --quick            only the two small workloads: no burst of a million, no sweeps, no scaling runs
          --full             add the ten-million-client burst
          --check            CI guard: fail (exit 1) only on a gross regression, judged as a ratio against a
                             baseline loop timed in the same process (never an absolute time)
          --workload NAME    run one workload in this process and print one line: events=, wall=, rss_kb=,
                             runs= (what the table is made of)
          --replications R   with --workload: replications of a sweep workload (default 100)
          --root DIR         the repository, where scenarios/ and bench/ are (default: .)
          -h, --help         show this help
        """

    static let validate = """
        USAGE: stormsim validate FILE... [--set PATH=VALUE]... [--strict] [--format text|json]

        Checks each scenario file without running it and prints one line per valid file, or one line per
        problem (file, JSON path, what was found and what was expected), and the warnings of valid files
        on stderr (see 'stormsim explain --help'). Exits with 0 when every file is valid and 3 otherwise.

        OPTIONS:
          --set PATH=VALUE     apply an override first, exactly as 'stormsim run' would. May be repeated.
          --strict             exit with 3 when a file has warnings (for CI)
          --format json        print one JSON array on stdout: per file, valid, its problems (path, message)
                               and warnings (kind, path, message)
          -h, --help           show this help
        """

    static let run = """
        USAGE: stormsim run FILE [--out DIR] [--seed N] [--jobs N] [--replications R] [--shard K/N]
                            [--set PATH=VALUE]... [--trace N] [--trace-from T | --trace-window A..B]
                            [--trace-failed] [--trace-every N] [--max-memory SIZE | --allow-large] [--quiet]
                            [--strict] [--format text|json]

        Simulates every variant of the scenario in FILE (the cross product of its "vary" lists) and writes,
        in DIR (default: results/<name>):
          summary.csv              one row per variant: requests, success, amplification, latency percentiles, ...
          summary.json             the same numbers, typed, with the seed, varied values and expectations met
          timeseries/<variant>.csv one row per metrics interval: load, outcomes, queue length, utilization, ...
          trace.csv                with --trace N only
          replications.csv         with --replications R > 1 only
          run.json, manifest.json  what was run; the files of this results set (written last)
        The README documents every column. A short summary, the wall time and events/s go to stdout.
        The folder changes as a whole set, one run at a time, and only in files stormsim wrote there.

        OPTIONS:
          --out DIR            write results into DIR instead of results/<name>
          --seed N             use root seed N (0 to 18446744073709551615) instead of the scenario's
          --jobs N             run N variants at once (default: the number of cores); outputs do not depend on N
          --replications R     run each variant R times with independent seeds (replication r of every variant
                               uses the same seed); summary.csv gets mean and 95% CI columns, replications.csv
                               the per-replication rows
          --shard K/N          run only share K of N of the (variant x replication) jobs and write partial
                               outputs (default folder: results/<name>/shard-K-of-N) for 'stormsim merge'

          --set PATH=VALUE     override a scenario key before validation; PATH as in error messages
                               (clients.count, services[0].workers); VALUE is JSON, or a bare string
                               (--set clients.policy.jitter=none). May be repeated.
          --trace N            write trace.csv: every step of the first N requests of each variant, at every
                               hop (each attempt, the service and instance it went to, its queue wait and
                               outcome, each backoff, and why a retry was refused)
          --trace-from T       trace requests that start at or after T (such as 30s: the fault)
          --trace-window A..B  trace requests that start in [A, B) (such as 30s..45s)
          --trace-failed       keep only requests that failed or never finished
          --trace-every N      trace every N-th request that qualifies (a sample across the window)
                               (each of these alone traces 10 requests; add --trace N for more)
          --max-memory SIZE    refuse a run whose estimated memory exceeds SIZE (default 4G; 512M, 16G, ...)
          --allow-large        run whatever the estimated memory and work
          --quiet              print nothing on success (not even the scenario's warnings)
          --strict             refuse to run (exit 3) a scenario with warnings (see 'stormsim explain --help')
          --format json        print summary.json on stdout instead of the table (for scripts and CI)
          -h, --help           show this help

        Same scenario and seed give byte-identical files, whatever --jobs.
        """
}
