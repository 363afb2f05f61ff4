#!/usr/bin/python3
"""Issue 15's independent measurement: `visitor-sso-admin verify` over N
unique signed responses (one process, one file per response) beside the bare
xmlsec1 loop over the same files (visitor_sso_bare_verify), interleaved:
bare, verify, bare, verify, ... Each verify runs on a fresh copy of the test
deployment, since its replay cache accepts each response once; its database
is created before the timed run, as a deployed site's is. Each process's
CPU time (user + sys, from wait4's rusage: its own threads included) and wall
time are measured; µs per response, the ratios and their medians are printed.

Exit status 1 when a count is wrong: bare must verify every file, verify must
accept every response exactly once (one "accepted": true line per file, each
file once, exit 0) and then refuse a replay of the first one
(saml.replay.detected). Timings are printed, never checked.

  run_verify.py --admin ADMIN --bare BARE --make MAKE [--responses=N] [--runs=R]
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def timed(argv, stdout_path):
    """Runs argv; returns (exit status, cpu seconds, wall seconds)."""
    with open(stdout_path, "wb") as out:
        start = time.monotonic()
        p = subprocess.Popen(argv, stdout=out)
        _, status, usage = os.wait4(p.pid, 0)
        wall = time.monotonic() - start
    p.returncode = os.waitstatus_to_exitcode(status)
    return p.returncode, usage.ru_utime + usage.ru_stime, wall


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--admin", required=True)
    ap.add_argument("--bare", required=True)
    ap.add_argument("--make", required=True)
    ap.add_argument("--responses", type=int, default=3000)
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()

    errors = []
    with tempfile.TemporaryDirectory(prefix="vsso-verify-bench-") as tmp:
        subprocess.run([args.make, f"--responses={args.responses}", tmp], check=True,
                       stdout=subprocess.DEVNULL)
        env = dict(line.strip().split("=", 1) for line in open(os.path.join(tmp, "run.env")))
        rdir = os.path.join(tmp, "responses")
        files = sorted(os.path.join(rdir, f) for f in os.listdir(rdir))
        cert = os.path.join(tmp, "deployment", "idp.crt")
        n = len(files)
        print(f"{n} unique signed responses of {os.path.getsize(files[0])} bytes, one file each; "
              f"load average at the start {loadavg()}")
        rows = []
        for run in range(1, args.runs + 1):
            out = os.path.join(tmp, "out.txt")
            rc, bare_cpu, bare_wall = timed([args.bare, "--cert", cert] + files, out)
            if rc != 0:
                errors.append(f"run {run}: bare loop exit {rc}: {open(out).read().strip()}")

            deploy = os.path.join(tmp, f"deployment-{run}")
            shutil.copytree(os.path.join(tmp, "deployment"), deploy)
            config = os.path.join(deploy, "visitor-sso.ini")
            # A deployed site has its database: it is created and migrated
            # here, untimed (certs list opens it and changes no row), so the
            # timed run measures verifying, not a first start.
            subprocess.run([args.admin, "certs", "list", "--config", config], check=True,
                           stdout=subprocess.DEVNULL)
            verify = [args.admin, "verify", "--config", config, "--now", env["NOW"],
                      "--request-id", env["REQUEST_ID"]]
            rc, ver_cpu, ver_wall = timed(verify + files, out)
            lines = [json.loads(line) for line in open(out)]
            accepted = [o["file"] for o in lines if o.get("accepted") is True]
            refused = [o for o in lines if o.get("accepted") is not True]
            if rc != 0 or len(lines) != n or sorted(accepted) != files:
                first = refused[0] if refused else {}
                errors.append(f"run {run}: verify exit {rc}, {len(lines)} lines, "
                              f"{len(accepted)} accepted of {n} ({len(set(accepted))} distinct); "
                              f"first refusal {first.get('code')}: {first.get('message')}")
            # The replay cache holds: the first response again is refused.
            again = subprocess.run(verify + files[:1], capture_output=True, text=True)
            code = json.loads(again.stdout).get("code") if again.stdout.strip() else None
            if again.returncode != 1 or code != "saml.replay.detected":
                errors.append(f"run {run}: a replay was not refused (exit {again.returncode}, "
                              f"code {code})")
            shutil.rmtree(deploy)

            us = lambda s: s * 1e6 / n
            rows.append((us(bare_cpu), us(bare_wall), us(ver_cpu), us(ver_wall),
                         ver_cpu / bare_cpu, ver_wall / bare_wall))
            r = rows[-1]
            print(f"run {run}: bare {r[0]:7.1f} µs cpu {r[1]:7.1f} µs wall | "
                  f"verify {r[2]:7.1f} µs cpu {r[3]:7.1f} µs wall | "
                  f"ratio {r[4]:.2f}x cpu {r[5]:.2f}x wall", flush=True)
        med = [statistics.median(c) for c in zip(*rows)]
        print(f"median of {len(rows)}: bare {med[0]:.1f} µs cpu {med[1]:.1f} µs wall | "
              f"verify {med[2]:.1f} µs cpu {med[3]:.1f} µs wall | "
              f"ratio {med[4]:.2f}x cpu {med[5]:.2f}x wall (issue 15 target: at most 1.30x)")
        print(f"load average at the end {loadavg()}")
    for e in errors:
        print("ERROR: " + e, file=sys.stderr)
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
