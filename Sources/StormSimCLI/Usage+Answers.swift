/// Help texts of the commands that answer questions: `tune` and `margin`.
extension Usage {
    static let tune = """
        USAGE: stormsim tune FILE [--minimize M] [--require "M >= X"]... [--max-replications R]
                             [--first-replications R] [--no-refine] [--jobs N] [--seed N] [--set PATH=VALUE]... [--out DIR]
                             [--quiet] [--format text|json]

        Recommends the setting that minimises a metric subject to constraints. The candidates are the
        variants of the scenario's "vary" (lists and ranges); the goal comes from its "tune" section
        ({"minimize": M, "require": [...], "conditions": [{"label": L, "set": {...}}], "maxReplications": R})
        or these options. With conditions, a candidate must meet every constraint under every condition, and
        its objective is the mean over them.

        Racing with common random numbers: every candidate runs a few replications (replication r of each
        uses the same seed); candidates infeasible or worse than the best feasible one with 95% confidence
        (paired differences) are dropped; survivors get twice the replications, until one is left or the
        maximum is reached. Then one round of refinement: on each path of numbers or durations, the values
        halfway between the recommendation and its neighbours race against it (--no-refine skips it). The
        same scenario and seed give the same answer.

        Writes, in DIR (default results/<name>/tune): tune.json (recommended, frontier, every candidate with
        its status and why), candidates.csv, frontier.csv, frontier.gp (and frontier.png with gnuplot),
        recommended.json (the varied paths and chosen values), recommended-policy.json (the clients' policy
        with them), and the policy as grpc-service-config.json, envoy-route.json, resilience4j.properties,
        polly.json and aws-config (and finagle.scala with a ratio budget).

        OPTIONS:
          --minimize M          a summary.csv column to minimise (default amplification)
          --require "M >= X"    a constraint: "M >= X", "M <= X" or "recovered" (repeatable; replaces the file's)
          --max-replications R  replications a candidate gets at most (default 24)
          --first-replications R  replications of the first stage (default 3)
          --no-refine           skip the refinement around the recommendation
          --jobs N              runs at once (default: the number of cores)
          --seed N              root seed instead of the scenario's
          --set PATH=VALUE      override a scenario key first, as 'stormsim run' does. May be repeated.
          --out DIR             where the files go
          --quiet               print nothing on success
          --format json         print tune.json on stdout instead of the report
          -h, --help            show this help

        EXIT CODES: 0, 2 (usage), 3 (invalid scenario, or nothing to choose from), 4 (no candidate meets every
        constraint; the files are written), 130 (interrupted).
        """

    static let margin = """
        USAGE: stormsim margin FILE [--scale duration|magnitude] [--trigger N] [--replications R] [--steps N]
                               [--start SIZE] [--max SIZE] [--jobs N] [--seed N] [--set PATH=VALUE]...
                               [--out DIR] [--quiet] [--format text|json]

        Measures how large the scenario's trigger (a fault window or a load change that starts after 0 s) can
        grow before the system stops recovering: its duration (default) or its magnitude (the load multiplier,
        the slowdown factor, the fraction of capacity removed, the error rate). At each size, R replications
        estimate P(recovered) (the summary's recovered verdict: goodput back to 90% and staying back); the size
        is doubled from its value in the file until P falls below one half (or halved while it stays below),
        then the bracket is bisected. The tipping size is where P crosses one half, with bounds: the largest
        size shown to recover more often than not and the smallest shown to stay down (95% Wilson intervals).
        With "vary", one curve per variant, so the policy that widens the margin most is plain. A longer
        trigger lengthens the run by as much, so the time watched after it stays the same.

        Writes, in DIR (default results/<name>/margin): margin.json ("tipping": {"estimate", "low", "high"}
        in seconds or the magnitude's unit, "curve": [{"size", "recovered", "replications", "p", "low",
        "high"}], and per variant under "variants"), curve.csv, margin.gp (and margin.png with gnuplot).

        OPTIONS:
          --scale S            duration (default) or magnitude
          --trigger N          which trigger, when there are several (the error lists them)
          --replications R     runs per size (default 10)
          --steps N            bisection steps (default 6)
          --start SIZE         the first size tried (default: the trigger's own); 10s, or 2 (x2) for magnitudes
          --max SIZE           the largest size tried (default 16 times the start; 1 for fractions)
          --jobs N             runs at once (default: the number of cores)
          --seed N             root seed instead of the scenario's
          --set PATH=VALUE     override a scenario key first. May be repeated.
          --out DIR            where the files go
          --quiet              print nothing on success
          --format json        print margin.json on stdout instead of the report
          -h, --help           show this help

        EXIT CODES: 0, 2 (usage: a trigger to choose, a trigger with no magnitude), 3 (invalid scenario, or no
        trigger), 130 (interrupted).
        """
}
