#!/usr/bin/env python3
"""Benchmark: check and plan a generated playbook of 1,000 steps over 100 hosts.

Builds tern in release mode, generates the playbook (and its inventory) into
bench/out/, then runs `tern check` and `tern graph` on it several times,
printing the median wall time and the peak resident memory of each command.
Target (issue 2): under 1 s and under 200 MB.

Usage: python3 bench/plan_bench.py [--runs N] [--no-build]
"""
import argparse
import os
import resource
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")


def generate(shape: str) -> str:
    """Writes a playbook; `wide` puts every step on all 100 hosts (100,000
    nodes), `mixed` alternates all hosts and groups of 10 (55,000 nodes)."""
    os.makedirs(OUT, exist_ok=True)
    lines = ["use pkg, file", ""]
    for h in range(100):
        lines.append(f'host node{h} {{ address: "node{h}.example.com", zone: {h % 3 + 1}, devices: ["/dev/vdb"] }}')
    for g in range(10):
        members = ", ".join(f"node{g * 10 + i}" for i in range(10))
        lines.append(f"group rack{g} {{ hosts: [{members}], rack: {g} }}")
    lines += ["", 'param prefix = "/srv/bench"', ""]
    for s in range(1000):
        target = "all" if shape == "wide" or s % 2 == 0 else f"rack{s % 10}"
        after = ""
        deps = [d for d in (s - 1, s - 7) if d >= 0]
        if deps:
            after = " after " + ", ".join(f"s{d}" for d in deps)
        lines.append(f"step s{s} on {target}{after} {{")
        lines.append(f'  pkg.installed "package-{s % 50}"')
        lines.append(f'  run "touch ${{prefix}}/{s}/${{host.name}}", creates: "${{prefix}}/{s}/${{host.name}}"')
        lines.append("}")
    path = os.path.join(OUT, f"bench-{shape}.tern")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def run_with_rusage(cmd):
    """Runs cmd with os.wait4 to get its own peak RSS (not the sum of children)."""
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 1)
        os.execvp(cmd[0], cmd)
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    if os.waitstatus_to_exitcode(status) != 0:
        sys.exit(f"{' '.join(cmd)} exited with {os.waitstatus_to_exitcode(status)}")
    return wall, usage.ru_maxrss / 1024.0  # ru_maxrss is KiB on Linux


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    if not args.no_build:
        subprocess.run(["swift", "build", "-c", "release", "--product", "tern"], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
    tern = os.path.join(ROOT, ".build", "release", "tern")
    stdlib = os.path.join(ROOT, "stdlib")
    rows = []
    for shape in ("mixed", "wide"):
        playbook = generate(shape)
        for label, cmd in (
            ("check", [tern, "check", "--stdlib", stdlib, playbook]),
            ("graph (text)", [tern, "graph", "--stdlib", stdlib, playbook]),
            ("graph (json)", [tern, "graph", "--stdlib", stdlib, "--format", "json", playbook]),
        ):
            samples = [run_with_rusage(cmd) for _ in range(args.runs)]
            walls = [w for w, _ in samples]
            rss = max(m for _, m in samples)
            rows.append((shape, label, statistics.median(walls), min(walls), rss))
    nodes = {"mixed": "55,000", "wide": "100,000"}
    print(f"tern plan benchmark: 1,000 steps over 100 hosts, {args.runs} runs each (release build)")
    print(f"{'playbook':<8} {'nodes':>8}  {'command':<13} {'median s':>9} {'min s':>7} {'peak MiB':>9}")
    for shape, label, med, mn, rss in rows:
        print(f"{shape:<8} {nodes[shape]:>8}  {label:<13} {med:9.3f} {mn:7.3f} {rss:9.1f}")
    print("target: check and plan under 1 s and under 200 MB")


if __name__ == "__main__":
    main()
