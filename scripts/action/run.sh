#!/usr/bin/env bash
# The GitHub Action's run step (action.yml), runnable as is on any machine: validates the scenario, runs it (or one
# shard of it, or merges shards), writes a Markdown summary (the comparison table, missed expectations) to
# $GITHUB_STEP_SUMMARY (or stdout), and exits with stormsim's code (4 when an expectation is missed, after the
# summary). Inputs (environment):
#   STORMSIM        the binary (default: stormsim on PATH)
#   SCENARIO        the scenario file (required unless MERGE is set)
#   OUT             the results folder (default: results/<scenario name>)
#   REPLICATIONS    replications per variant (default: 1)
#   SHARD           K/N to run one shard (the summary is written by the merge)
#   MERGE           folders (space-separated globs) to merge instead of running
#   VALIDATE        "true" to validate first (default: true)
#   ARGS            more arguments for 'stormsim run', split on spaces (for --set, --seed, ...)
#   BASELINE        a results folder to compare with (adds 'stormsim compare' to the summary)
#   FAIL_IF         a gate for the comparison, e.g. "success_rate worsens" (exit 5 when it trips)
set -uo pipefail
stormsim="${STORMSIM:-stormsim}"
summary="${GITHUB_STEP_SUMMARY:-/dev/stdout}"
replications="${REPLICATIONS:-1}"
[ -n "$replications" ] || replications=1
case "$replications" in *[!0-9]*) echo "replications must be a number, found '$replications'" >&2; exit 2 ;; esac

if [ -n "${MERGE:-}" ]; then
  out="${OUT:-merged}"
  # shellcheck disable=SC2086  # the globs are meant to expand
  "$stormsim" merge $MERGE --out "$out" --quiet
  code=$?
else
  [ -n "${SCENARIO:-}" ] || { echo "SCENARIO is required (the scenario file to run)" >&2; exit 2; }
  if [ "${VALIDATE:-true}" = "true" ]; then
    "$stormsim" validate "$SCENARIO" || exit $?
  fi
  name=$(basename "$SCENARIO" .json)
  out="${OUT:-results/$name}"
  if [ -n "${SHARD:-}" ] && [ -z "${OUT:-}" ]; then out="results/$name/shard-${SHARD%/*}-of-${SHARD#*/}"; fi
  args=(run "$SCENARIO" --out "$out" --replications "$replications" --quiet)
  [ -n "${SHARD:-}" ] && args+=(--shard "$SHARD")
  # shellcheck disable=SC2206  # ARGS is split on spaces on purpose
  [ -n "${ARGS:-}" ] && args+=($ARGS)
  "$stormsim" "${args[@]}"
  code=$?
  if [ -n "${SHARD:-}" ]; then exit $code; fi
fi
if [ $code -ne 0 ] && [ $code -ne 4 ]; then exit $code; fi

{
  echo "### stormsim: $(basename "$out")"
  echo
  if [ -f "$out/summary.json" ]; then
    python3 - "$out/summary.json" <<'PY' || echo "(python3 unavailable: see $out/summary.csv)"
import json, sys
d = json.load(open(sys.argv[1]))
reps = d["replications"]
cols = [("success_rate", "success", lambda x: f"{100 * x:.2f}%"), ("amplification", "amplification", lambda x: f"{x:.3f}"),
        ("latency_p99_ms", "p99 ms", lambda x: f"{x:.1f}"), ("recovered", "recovered", lambda x: f"{x:g}")]
def cell(s, key, fmt):
    v = s.get(key + "_mean", s.get(key)) if reps > 1 else s.get(key)
    if v is None: return ""
    text = fmt(v)
    ci = s.get(key + "_ci95")
    if reps > 1 and ci is not None and key != "latency_p99_ms":
        text += " ± " + (f"{100 * ci:.2f}" if key == "success_rate" else f"{ci:.3g}")
    return text
shown = [c for c in cols if any(cell(v["summary"], c[0], c[2]) for v in d["variants"])]
print(f"seed {d['seed']}, {reps} replication(s)" + (" (means ± 95% interval)" if reps > 1 else ""))
print()
print("| variant | " + " | ".join(c[1] for c in shown) + " |")
print("|---|" + "---:|" * len(shown))
for v in d["variants"]:
    print(f"| {v['name']} | " + " | ".join(cell(v["summary"], c[0], c[2]) for c in shown) + " |")
missed = [(v["name"], e) for v in d["variants"] for e in v["expectations"] if not e["met"]]
print()
if missed:
    print(f"**{len(missed)} expectation(s) missed:**")
    for name, e in missed:
        bound = " and ".join(x for x in [f">= {e['min']}" if e["min"] is not None else "", f"<= {e['max']}" if e["max"] is not None else ""] if x)
        print(f"- {name}: {e['metric']} = {e['value']} (expected {bound})")
elif any(v["expectations"] for v in d["variants"]):
    print("All expectations met.")
PY
  fi
} >> "$summary"

if [ -n "${BASELINE:-}" ]; then
  gate=()
  [ -n "${FAIL_IF:-}" ] && gate=(--fail-if "$FAIL_IF")
  {
    echo
    echo "#### Compared with $(basename "$BASELINE")"
    echo
  } >> "$summary"
  "$stormsim" compare "$BASELINE" "$out" "${gate[@]}" --format markdown >> "$summary"
  compared=$?
  [ $compared -ne 0 ] && [ $code -eq 0 ] && code=$compared
fi
exit $code
