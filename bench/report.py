#!/usr/bin/python3
"""Turns visitor_sso_bench's JSON output into the tables of docs/performance.md.

    bench/report.py RESULTS.json

Single-thread ratios are paired: each iteration of nostore/store/acs first
verifies the same bytes the bare way, and both parts are timed apart (thread
CPU time, user + system, plus the CPU of the database's own thread for the
store: checkpoints and batched audit records);
wall time beside it), so both see the same load on a shared machine. Thread
scaling is wall-clock throughput, with the CPU parallelism achieved (CPU time
of both threads over wall time: 2.0 means neither thread ever waited, for the
other or for a CPU) beside it. Sites (issue 12): load, reload and hook
times per number of sites, the memory of the load, and the issue's checks.
Tables without results (e.g. after --benchmark_filter) are left out.
Exit status 0; targets missed are marked "no", not errors: the benchmark is
not a test.
"""
import json
import sys

SHAPES = ["typical_5k", "both_signed", "large_40k_100attrs"]
TARGET_CONSUME = 1.3
TARGET_CONSUME_PG = 2.0  # issue 15: PostgreSQL on loopback, a goal reported beside SQLite
TARGET_SCALING = 1.7
SITE_LOAD_RATIO = 15.0  # issue 12: 1,000 sites load in at most 15x the time of 100
SITE_MEMORY_MB = 400.0  # issue 12: 1,000 sites in under 400 MB
HISTORY_SIZE_ROWS = 10_000_000  # issue 15: the database for 10 M tags under 2 GB
HISTORY_SIZE_BYTES = 2e9
HOOK_GROWTH = 1.5  # hook cost at 10,000 vs 10 sites; above this it grows (noise stays below)
HOOK_TARGETS = {  # name: (label, p50 target in µs or None)
    "chat_start/signed_in": ("Chat start, signed-in visitor (10,000 sessions)", 20.0),
    # A chat this node started (ChatWillStart recorded its identity), and one
    # started on another node (the session read and parse); issue 15's target
    # is the median a host sees, both are shown against it.
    "routing/hook_100_rules": ("Routing hook, 100 rules, chat started on this node", 5.0),
    "routing/hook_100_rules_cold": ("Routing hook, 100 rules, chat started elsewhere "
                                    "(session read)", 5.0),
    "routing_pg/hook_100_rules": ("Routing hook, 100 rules, PostgreSQL, chat started on "
                                  "this node", None),
    "routing_pg/hook_100_rules_cold": ("Routing hook, 100 rules, PostgreSQL, chat started "
                                       "elsewhere (session read)", None),
    "routing/evaluate_100_rules": ("Routing rules alone, 100 rules", 5.0),
    "history/customer_id": ("History by customer ID, page of 20", 1000.0),
}


def us(value, unit):
    return value * {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}[unit]


def base_name(name):
    parts = [p for p in name.split("/") if ":" not in p and p not in ("real_time", "manual_time")]
    return "/".join(parts)


def load(path):
    """(name, threads) -> figures; the median over repetitions when the run
    had any (scripts/bench runs 5, randomly interleaved), else the one run."""
    with open(path) as f:
        data = json.load(f)
    runs, medians = {}, {}
    for b in data["benchmarks"]:
        run_type = b.get("run_type", "iteration")
        if run_type == "aggregate" and b.get("aggregate_name") != "median":
            continue
        key = (base_name(b.get("run_name", b["name"])), int(b.get("threads", 1)))
        unit = b.get("time_unit", "ns")
        entry = {
            "cpu": us(b["cpu_time"], unit),
            "real": us(b["real_time"], unit),
            "iterations": b["iterations"],
            "repetitions": b.get("repetitions", 1),
            "error": b.get("error_message") if b.get("error_occurred") else None,
        }
        for k, v in b.items():
            if k in ("bytes", "p50_us", "p99_us", "rows", "bare_cpu_us", "cpu_us", "x_bare",
                     "bare_wall_us", "wall_us", "wall_x_bare", "checkpoints", "batches", "background_us",
                     "write_wait_us", "write_hold_us", "writes_per_txn", "sites", "rss_mb",
                     "peak_mb", "heap_mb", "sites_small", "small_p50_us", "x_small", "db_bytes"):
                entry[k] = v
        if run_type == "aggregate":
            medians[key] = entry
        elif entry["error"] or key not in runs:
            runs[key] = entry
    errors = {k: v for k, v in runs.items() if v["error"]}
    runs.update(medians)
    runs.update(errors)
    return data.get("context", {}), runs


def fmt(x, digits=1):
    return "—" if x is None else f"{x:,.{digits}f}"


def yes_no(ok):
    return "yes" if ok else "**no**"


def sites_table(runs):
    """Issue 12, Scale: the "Sites" table and its three checks."""
    sizes = sorted({int(name.rsplit("/", 1)[1]) for name, _ in runs
                    if name.startswith("sites/") and name.rsplit("/", 1)[1].isdigit()})
    if not sizes:
        return

    def get(kind, n):
        r = runs.get((f"sites/{kind}/{n}", 1))
        return r if r and not r["error"] else None

    print()
    print("### Sites (a platform file and N site files; ms per load, µs per site, "
          "MiB, ns per hook call)")
    print()
    print("load: `PluginImpl::Configure` on a fresh database; parse: `config::LoadPlatform` "
          "alone; reload: `Reload` with every file unchanged. Memory (VmRSS/VmHWM of "
          "/proc/self/status, heap trimmed before the load): RSS = growth by the end of "
          "Configure, peak = highest growth during it; heap = bytes malloc handed out and "
          "did not get back (mallinfo2), i.e. what the loaded sites hold. Hooks: median per call for a signed-in visitor of the middle site.")
    print()
    print("| sites | parse | load | load per site (µs) | RSS | peak | heap | reload | "
          "reload per site (µs) | ChatWillStart (ns) | VisitorInfoWillRender (ns) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        parse, load, reload = get("parse", n), get("load", n), get("reload", n)
        start, info = get("chat_start", n), get("visitor_info", n)
        ms = lambda r: fmt(r["real"] / 1e3, 1 if r["real"] >= 1e4 else 2) if r else "—"
        per_site = lambda r: fmt(r["real"] / n, 1) if r else "—"
        ns = lambda r: fmt(r["p50_us"] * 1e3, 0) if r and "p50_us" in r else "—"
        mem = lambda key: fmt(load.get(key), 1) if load else "—"
        print(f"| {n:,} | {ms(parse)} | {ms(load)} | {per_site(load)} | {mem('rss_mb')} | "
              f"{mem('peak_mb')} | {mem('heap_mb')} | {ms(reload)} | {per_site(reload)} | "
              f"{ns(start)} | {ns(info)} |")
    print()
    load_100, load_1000 = get("load", 100), get("load", 1000)
    if load_100 and load_1000:
        ratio = load_1000["real"] / load_100["real"]
        print(f"- 1,000 sites load in <= {SITE_LOAD_RATIO:.0f}x the time of 100: {ratio:.1f}x "
              f"({yes_no(ratio <= SITE_LOAD_RATIO)})")
    else:
        print("- 1,000 sites load in <= 15x the time of 100: not measured (no 100 or 1,000 run)")
    if load_1000 and "peak_mb" in load_1000 and "heap_mb" in load_1000:
        peak, heap = load_1000["peak_mb"], load_1000["heap_mb"]
        print(f"- 1,000 sites in < {SITE_MEMORY_MB:.0f} MB: {peak:.1f} MB peak RSS growth of the "
              f"load, {heap:.1f} MB heap held after it "
              f"({yes_no(max(peak, heap) < SITE_MEMORY_MB)})")
    else:
        print("- 1,000 sites in < 400 MB: not measured (no 1,000 run)")
    lo, hi = sizes[0], sizes[-1]
    for kind, label in (("chat_start", "ChatWillStart"), ("visitor_info", "VisitorInfoWillRender"),
                        ("routing", "ChatWillBeRouted, 100 rules, chat started on this node"),
                        ("routing_cold", "ChatWillBeRouted, 100 rules, chat started elsewhere"),
                        ("history", "SearchHistory by customer ID, page of 20")):
        paired = runs.get((f"sites/paired/{kind}", 1))
        if paired and not paired["error"] and "x_small" in paired:
            ratio = paired["x_small"]
            how = (f"paired: {fmt(paired['small_p50_us'] * 1e3, 0)} vs "
                   f"{fmt(paired['p50_us'] * 1e3, 0)} ns, calls to both in turns")
            lo_n, hi_n = int(paired["sites_small"]), int(paired["sites"])
        else:
            a, b = get(kind, lo), get(kind, hi)
            if not (a and b and lo != hi and "p50_us" in a and "p50_us" in b):
                continue
            ratio, how, lo_n, hi_n = b["p50_us"] / a["p50_us"], "medians of separate runs", lo, hi
        print(f"- hook cost at {hi_n:,} vs {lo_n:,} sites ({label}): {ratio:.2f}x ({how}; "
              f"{yes_no(ratio <= HOOK_GROWTH)}: at most {HOOK_GROWTH}x counts as not growing)")

def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    context, runs = load(sys.argv[1])
    errors = [f"{k[0]} threads:{k[1]}: {v['error']}" for k, v in runs.items() if v["error"]]

    reps = max((r["repetitions"] for r in runs.values()), default=1)
    print(f"Run {context.get('date', '?')} on {context.get('host_name', '?')}: "
          f"{context.get('num_cpus', '?')} CPUs at {context.get('mhz_per_cpu', '?')} MHz, "
          f"load average at start {', '.join(f'{x:.2f}' for x in context.get('load_avg', []))}; "
          + (f"medians of {reps} repetitions, randomly interleaved" if reps > 1 else "one run each"))
    has = lambda prefixes: any(k[0].startswith(prefixes) for k in runs)
    if has(("bare/", "nostore/", "store", "acs/")):
        consume_tables(runs)
    if has(tuple(HOOK_TARGETS)):
        hook_table(runs)
    sites_table(runs)
    targets_summary(runs)
    if errors:
        print()
        print("Benchmarks that failed:")
        for e in errors:
            print(f"- {e}")
        return 1
    return 0


def consume_tables(runs):
    print()
    print("### Consume path, one thread (µs per response; ratio to bare on the same bytes, "
          "interleaved)")
    print()
    print("store: decode, parse, verify, every rule, replay insert, audit record, mapping "
          "(issue 15's full consume). store_session: the same plus the session's JSON and "
          "upsert, i.e. all the ACS does once the RelayState is taken. *_pg: the same on "
          "PostgreSQL over loopback (only when a server was given); its CPU column counts this "
          "process only, not the server's, so compare its wall-clock ratio.")
    print()
    print("| path | shape | bytes | bare CPU | path CPU | **× bare** "
          f"(≤ {TARGET_CONSUME}; PostgreSQL: wall clock ≤ {TARGET_CONSUME_PG}) | met | "
          "× bare, wall clock | store thread CPU | in transactions | 2-thread bound |")
    print("|---|---|---:|---:|---:|---:|:-:|---:|---:|---:|---:|")
    rows = []
    for path in ("nostore", "store", "store_session", "store_pg", "store_session_pg"):
        rows += [(path, shape) for shape in SHAPES]
    rows.append(("acs (whole POST)", "typical_5k"))
    for path, shape in rows:
        name = ("acs/" if path.startswith("acs") else f"{path}/") + shape
        r = runs.get((name, 1))
        if not r or "x_bare" not in r:
            continue
        ratio = r["x_bare"]
        if path.endswith("_pg"):
            # The server's CPU is not in this process: the wall clock is the honest ratio.
            met = yes_no(r["wall_x_bare"] <= TARGET_CONSUME_PG)
        else:
            met = yes_no(ratio <= TARGET_CONSUME) if path.startswith("store") else "n/a"
        # Share of the response's wall time spent in write transactions,
        # which threads of one process take in turns; Amdahl's bound for two.
        share = r["write_hold_us"] / r["wall_us"] if "write_hold_us" in r and r["wall_us"] else None
        bound = 1 / (share + (1 - share) / 2) if share is not None else None
        print(f"| {path} | {shape} | {fmt(r.get('bytes'), 0)} | {fmt(r['bare_cpu_us'])} | "
              f"{fmt(r['cpu_us'])} | **{ratio:.2f}** | {met} | {r['wall_x_bare']:.2f} | "
              f"{fmt(r.get('background_us'))} | "
              f"{'—' if share is None else f'{100 * share:.0f} %'} | {fmt(bound, 2)} |")
    print()
    print("Store thread CPU: µs per response spent by the database's own thread "
          "(checkpoints, audit batches), included in path CPU. In transactions: share of "
          "the response's wall time inside write transactions, which the threads of one "
          "process take in turns; 2-thread bound: Amdahl's limit that share sets.")
    print()
    print("### Two threads (wall-clock throughput, responses per second)")
    print()
    print("The machine is shared: bare/<shape> shows the speedup it allowed during the run; "
          "'of bare's' is the path's speedup over bare's.")
    print()
    print(f"| benchmark | 1 thread | 2 threads | speedup (≥ {TARGET_SCALING}) | met | "
          "of bare's | CPU parallelism (2 = no waiting) |")
    print("|---|---:|---:|---:|:-:|---:|---:|")
    names = []
    for shape in SHAPES:
        names += [f"bare/{shape}", f"nostore/{shape}", f"store/{shape}",
                  f"store_session/{shape}", f"store_pg/{shape}", f"store_session_pg/{shape}"]
    names.append("acs/typical_5k")
    for name in names:
        one, two = runs.get((name, 1)), runs.get((name, 2))
        if not one or not two:
            continue
        speedup = one["real"] / two["real"]
        target = name.startswith(("store", "acs/"))
        bare_one = runs.get((f"bare/{name.split('/', 1)[1]}", 1))
        bare_two = runs.get((f"bare/{name.split('/', 1)[1]}", 2))
        of_bare = (speedup / (bare_one["real"] / bare_two["real"])
                   if bare_one and bare_two and not name.startswith("bare/") else None)
        print(f"| {name} | {1e6 / one['real']:,.0f} | {1e6 / two['real']:,.0f} | {speedup:.2f} | "
              f"{yes_no(speedup >= TARGET_SCALING) if target else 'ref.'} | "
              f"{fmt(of_bare, 2)} | {two['cpu'] / two['real']:.2f} |")


def hook_table(runs):
    print()
    print("### Chat hooks (each call timed; µs)")
    print()
    print("| hook | median | p99 | target (median) | met |")
    print("|---|---:|---:|---:|:-:|")
    for name, (label, target) in HOOK_TARGETS.items():
        r = runs.get((name, 1))
        if not r or "p50_us" not in r:
            continue
        if "rows" in r:
            label += f" over {r['rows']:,.0f} tags"
        if r.get("db_bytes"):
            label += f" (database {db_size(r)})"
        if target is None:  # reported only (PostgreSQL)
            print(f"| {label} | {fmt(r['p50_us'], 2)} | {fmt(r['p99_us'], 2)} | — | ref. |")
            continue
        print(f"| {label} | {fmt(r['p50_us'], 2)} | {fmt(r['p99_us'], 2)} | ≤ {fmt(target, 0)} | "
              f"{yes_no(r['p50_us'] <= target)} |")


def db_size(r):
    """History's database: bytes (file + WAL after the generator closed it)
    and bytes per tag."""
    return f"{r['db_bytes'] / 1e9:.2f} GB, {r['db_bytes'] / max(r.get('rows', 1), 1):.0f} B/tag"


def targets_summary(runs):
    """Issue 15's targets, each from this run's own figures: met, missed, or
    not measured (a benchmark left out by the filter)."""
    rows = []

    def shapes_of(prefix, key, test, fmt_one):
        got = [(shape, runs.get((f"{prefix}/{shape}", 1))) for shape in SHAPES]
        got = [(shape, r) for shape, r in got if r and key in r]
        if not got:
            return None
        text = ", ".join(f"{shape} {fmt_one(r[key])}" for shape, r in got)
        if not all(test(r[key]) for _, r in got):
            return text, False
        return text, True if len(got) == len(SHAPES) else None

    rows.append((f"full consume, SQLite, ≤ {TARGET_CONSUME}x bare (CPU, paired)",
                 shapes_of("store", "x_bare", lambda x: x <= TARGET_CONSUME,
                           lambda x: f"{x:.2f}x")))
    rows.append((f"full consume, PostgreSQL, ≤ {TARGET_CONSUME_PG}x bare (wall clock, paired)",
                 shapes_of("store_pg", "wall_x_bare", lambda x: x <= TARGET_CONSUME_PG,
                           lambda x: f"{x:.2f}x")))
    scaling = []
    for shape in SHAPES:
        one, two = runs.get((f"store/{shape}", 1)), runs.get((f"store/{shape}", 2))
        if one and two and not one["error"] and not two["error"]:
            scaling.append((shape, one["real"] / two["real"]))
    rows.append((f"consume, 2 threads ≥ {TARGET_SCALING}x one thread (SQLite)",
                 (", ".join(f"{shape} {x:.2f}x" for shape, x in scaling),
                  False if any(x < TARGET_SCALING for _, x in scaling)
                  else (True if len(scaling) == len(SHAPES) else None))
                 if scaling else None))
    for name, (label, target) in HOOK_TARGETS.items():
        if target is None:
            continue
        r = runs.get((name, 1))
        measured = None
        if r and "p50_us" in r:
            over = f" over {r['rows']:,.0f} tags" if "rows" in r else ""
            measured = (f"median {fmt(r['p50_us'], 2)} µs{over}", r["p50_us"] <= target)
        rows.append((f"{label}: median ≤ {fmt(target, 0)} µs", measured))
    history = runs.get(("history/customer_id", 1))
    size = None
    # Only a 10 M run decides it (a smaller one shows its size in the hooks table).
    if history and history.get("db_bytes") and history.get("rows", 0) >= HISTORY_SIZE_ROWS:
        size = (db_size(history) + f" over {history['rows']:,.0f} tags",
                history["db_bytes"] < HISTORY_SIZE_BYTES)
    rows.append((f"History database for {HISTORY_SIZE_ROWS:,} tags < "
                 f"{HISTORY_SIZE_BYTES / 1e9:.0f} GB", size))
    grows = []
    for kind in ("chat_start", "visitor_info", "routing", "routing_cold", "history"):
        paired = runs.get((f"sites/paired/{kind}", 1))
        if paired and not paired["error"] and "x_small" in paired:
            grows.append((kind, paired["x_small"]))
    rows.append(("10,000 sites: no hook grows by more than 10 %",
                 (", ".join(f"{kind} {x:.2f}x" for kind, x in grows),
                  all(x <= 1.10 for _, x in grows)) if grows else None))
    print()
    print("### Targets of issue 15 in this run")
    print()
    print("| target | measured | met |")
    print("|---|---|:-:|")
    for label, measured in rows:
        if measured is None:
            print(f"| {label} | not measured in this run | — |")
        elif measured[1] is None:  # met so far, but a shape was left out
            print(f"| {label} | {measured[0]} | not every shape ran |")
        else:
            print(f"| {label} | {measured[0]} | {yes_no(measured[1])} |")


if __name__ == "__main__":
    sys.exit(main())
