#!/usr/bin/env python3
"""Benchmark: Tern's SSH transport against a direct libssh2 loop and OpenSSH.

On the same lab hosts (10 sshd on 127.0.90.1-10, `tern lab up`), measures

  connect     a fresh connection up to the end of a first `true` on it
              (TCP, handshake, known_hosts, ed25519 key, one command);
  latency     one `true` at a time on a warm connection (p50 and p90);
  throughput  many `true` at once, in commands per second: 200 on one host,
              and 10 per host on all 10 hosts;

for three clients, side by side:

  Tern            bench/SSHBench (`tern-ssh-bench`): Tern's own SSHTransport,
                  settings from the lab's ssh_config as `tern --lab` makes them;
  direct libssh2  bench/direct_libssh2.c: blocking libssh2, TCP_NODELAY, one
                  command after another (it has no concurrency, so its
                  throughput is its sequential rate, on one host only);
  OpenSSH CM      `ssh` through a ControlMaster per host (ControlPersist=60);
                  connect is a fresh `ssh -o ControlMaster=no ... true`;
                  throughput runs at most --ssh-parallel `ssh` processes at once.

and prints one table, the issue's two targets (per-command latency within
1 ms of the direct libssh2 loop, and at least 3x lower than OpenSSH's
ControlMaster) as PASS/MISS, and Tern's peak RSS in its throughput run.

Needs root (the lab). Only loopback addresses are used. The lab lives in a
temporary folder and is always brought down. Every run is bounded in count
and in time (--timeout for the whole benchmark).

Usage: sudo python3 bench/ssh_bench.py [--connects N] [--commands N]
           [--concurrent N] [--ssh-parallel N] [--timeout S] [--no-build]
"""
import argparse
import json
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # bench/, from any working directory
sys.dont_write_bytecode = True  # no __pycache__ in bench/
import benchlab  # noqa: E402
from benchlab import BenchTimeout  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "bench", "out")
TERN = os.path.join(ROOT, ".build", "release", "tern")
TERN_BENCH = os.path.join(ROOT, ".build", "release", "tern-ssh-bench")
DIRECT = os.path.join(OUT, "direct_libssh2")
SUBNET = "127.0.90"
HOSTS = 10
STEP_TIMEOUT = 300  # seconds, for any one program run
LAB_TIMEOUT = 120  # seconds, for `tern lab up` or `tern lab down`


def build():
    env = dict(os.environ)
    env["PATH"] = "/opt/swift/usr/bin:" + env.get("PATH", "")
    for product in ("tern", "tern-ssh-bench"):
        subprocess.run(["swift", "build", "-c", "release", "--product", product], cwd=ROOT, check=True,
                       env=env, stdout=subprocess.DEVNULL, timeout=1800)
    os.makedirs(OUT, exist_ok=True)
    subprocess.run(["cc", "-O2", os.path.join(ROOT, "bench", "direct_libssh2.c"), "-lssh2", "-o", DIRECT],
                   cwd=ROOT, check=True, timeout=120)


def json_lines(text):
    return [json.loads(line) for line in text.splitlines() if line.startswith("{")]


def run_json(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True, timeout=STEP_TIMEOUT)
    if p.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {p.returncode}: {p.stderr.strip()}")
    return json_lines(p.stdout)


def run_json_rusage(cmd):
    """Like run_json, with the process's own peak RSS in MiB (os.wait4)."""
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + STEP_TIMEOUT
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            break
        if time.monotonic() > deadline:
            proc.kill()
            pid, status, usage = os.wait4(proc.pid, 0)
            proc.returncode = -9
            raise BenchTimeout(f"{' '.join(cmd)} ran over {STEP_TIMEOUT} s")
        time.sleep(0.02)
    proc.returncode = os.waitstatus_to_exitcode(status)
    out, err = proc.stdout.read(), proc.stderr.read()  # small: a few lines
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} exited with {proc.returncode}: {err.strip()}")
    return json_lines(out), usage.ru_maxrss / 1024.0  # KiB on Linux


def spawn(argv):
    """Starts a process with as little harness overhead as Python allows."""
    devnull = os.open(os.devnull, os.O_RDWR)
    try:
        fa = [(os.POSIX_SPAWN_DUP2, devnull, 0), (os.POSIX_SPAWN_DUP2, devnull, 1), (os.POSIX_SPAWN_DUP2, devnull, 2)]
        return os.posix_spawn(argv[0], argv, os.environ, file_actions=fa)
    finally:
        os.close(devnull)


def timed_run(argv):
    """Wall time in µs of one process run to completion; fails on non-zero exit."""
    t0 = time.perf_counter_ns()
    pid = spawn(argv)
    _, status = os.waitpid(pid, 0)
    us = (time.perf_counter_ns() - t0) / 1000
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(argv)} exited with {os.waitstatus_to_exitcode(status)}")
    return us


def run_bounded(commands, parallel):
    """Runs every argv in `commands`, at most `parallel` at once; wall µs."""
    t0 = time.perf_counter_ns()
    pending = list(commands)
    running = set()
    failed = 0
    while pending or running:
        while pending and len(running) < parallel:
            running.add(spawn(pending.pop()))
        pid, status = os.wait()
        if pid in running:
            running.discard(pid)
            failed += os.waitstatus_to_exitcode(status) != 0
    if failed:
        raise RuntimeError(f"{failed} of {len(commands)} ssh commands failed")
    return (time.perf_counter_ns() - t0) / 1000


def percentile(values, p):
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (k - lo)


def lab_hosts(lab):
    text = open(os.path.join(lab, "inventory.tern")).read()
    hosts = re.findall(r'host (\S+) \{ address: "([^"]+)", port: (\d+)', text)
    if len(hosts) != HOSTS or not all(a.startswith(SUBNET + ".") for _, a, _ in hosts):
        raise RuntimeError(f"unexpected lab inventory: {hosts}")
    return [(name, address, int(port)) for name, address, port in hosts]


def bench_direct(lab, hosts, args):
    _, address, port = hosts[0]
    base = [DIRECT, address, str(port), "root", os.path.join(lab, "id_ed25519"), os.path.join(lab, "known_hosts")]
    connect = run_json(base + ["connect", str(args.connects)])
    latency = run_json(base + ["latency", str(args.commands)])
    throughput = run_json(base + ["throughput", str(args.concurrent)])[0]
    quick = run_json(base + ["connect", str(args.connects), "quickack"])
    return {
        "connect": [r["first_us"] for r in connect],
        "authenticated": [r["authenticated_us"] for r in connect],
        "connect_quickack": [r["first_us"] for r in quick],
        "latency": [r["us"] for r in latency],
        "tput_one": throughput["commands"] / (throughput["total_us"] / 1e6),
    }


def bench_tern(lab, hosts, args):
    base = [TERN_BENCH, "--ssh-config", os.path.join(lab, "ssh_config")]
    for name, address, _ in hosts:
        base += ["--host", f"{name}={address}"]
    connect = run_json(base + ["connect", str(args.connects)])
    latency = run_json(base + ["latency", str(args.commands)])
    throughput, rss = run_json_rusage(base + ["throughput", str(args.concurrent)])
    one = [r for r in throughput if r["shape"] == "one-host"]
    spread = [r for r in throughput if r["shape"] == "all-hosts"]
    return {
        "connect": [r["first_us"] for r in connect],
        "second": [r["second_us"] for r in connect],
        "latency": [r["us"] for r in latency],
        "tput_one": statistics.median(r["commands"] / (r["total_us"] / 1e6) for r in one),
        "tput_all": statistics.median(r["commands"] / (r["total_us"] / 1e6) for r in spread),
        "rss": rss,
    }


def bench_openssh(lab, hosts, args):
    ssh = shutil.which("ssh") or "/usr/bin/ssh"
    common = [ssh, "-F", os.path.join(lab, "ssh_config"), "-o", "BatchMode=yes", "-o", "ConnectTimeout=5"]
    cm = common + ["-o", "ControlMaster=auto", "-o", "ControlPath=" + os.path.join(lab, "cm-%n"),
                   "-o", "ControlPersist=60"]
    names = [name for name, _, _ in hosts]
    first = names[0]
    try:
        connect = [timed_run(common + ["-o", "ControlMaster=no", "-o", "ControlPath=none", first, "true"])
                   for _ in range(args.connects)]
        for name in names:  # the first call through each master establishes it
            timed_run(cm + [name, "true"])
        for _ in range(5):
            timed_run(cm + [first, "true"])
        latency = [timed_run(cm + [first, "true"]) for _ in range(args.commands)]
        one = [args.concurrent / (run_bounded([cm + [first, "true"]] * args.concurrent, args.ssh_parallel) / 1e6)
               for _ in range(3)]
        spread_cmds = [cm + [name, "true"] for name in names for _ in range(10)]
        spread = [len(spread_cmds) / (run_bounded(spread_cmds, args.ssh_parallel) / 1e6) for _ in range(3)]
        # What this harness itself costs to start and reap one process.
        spawn_cost = statistics.median(timed_run(["/bin/true"]) for _ in range(50))
    finally:
        for name in names:
            subprocess.run(cm + ["-O", "exit", name], capture_output=True, timeout=10)
    return {
        "connect": connect,
        "latency": latency,
        "tput_one": statistics.median(one),
        "tput_all": statistics.median(spread),
        "spawn_cost": spawn_cost,
    }


def ms(us):
    return f"{us / 1000:.2f} ms"


def print_table(tern, direct, ossh, args):
    cols = ("Tern", "direct libssh2", "OpenSSH CM")
    rows = [
        ("connect + first command (p50)",
         [ms(statistics.median(tern["connect"])), ms(statistics.median(direct["connect"])),
          ms(statistics.median(ossh["connect"]))]),
        ("latency p50",
         [ms(percentile(tern["latency"], 50)), ms(percentile(direct["latency"], 50)),
          ms(percentile(ossh["latency"], 50))]),
        ("latency p90",
         [ms(percentile(tern["latency"], 90)), ms(percentile(direct["latency"], 90)),
          ms(percentile(ossh["latency"], 90))]),
        (f"throughput, {args.concurrent} on lab1 (cmd/s)",
         [f"{tern['tput_one']:.0f}", f"{direct['tput_one']:.0f} (serial)", f"{ossh['tput_one']:.0f}"]),
        (f"throughput, 10 x {HOSTS} hosts (cmd/s)",
         [f"{tern['tput_all']:.0f}", "-", f"{ossh['tput_all']:.0f}"]),
    ]
    w0 = max(len(r[0]) for r in rows)
    w = [max(len(c), *(len(r[1][i]) for r in rows)) for i, c in enumerate(cols)]
    print(f"{'':<{w0}}  " + "  ".join(f"{c:>{w[i]}}" for i, c in enumerate(cols)))
    for label, cells in rows:
        print(f"{label:<{w0}}  " + "  ".join(f"{c:>{w[i]}}" for i, c in enumerate(cells)))

    t50, d50, o50 = (percentile(x["latency"], 50) for x in (tern, direct, ossh))
    gap = (t50 - d50) / 1000
    ratio = o50 / t50
    print()
    print(f"target: latency within 1 ms of direct libssh2: {'PASS' if gap <= 1.0 else 'MISS'} "
          f"(Tern p50 {t50 / 1000:.2f} ms - direct p50 {d50 / 1000:.2f} ms = {gap:+.2f} ms)")
    print(f"target: latency >= 3x lower than OpenSSH ControlMaster: {'PASS' if ratio >= 3.0 else 'MISS'} "
          f"(OpenSSH p50 {o50 / 1000:.2f} ms / Tern p50 {t50 / 1000:.2f} ms = {ratio:.2f}x; "
          f"direct libssh2 reaches {o50 / d50:.2f}x)")
    print()
    print(f"Tern peak RSS in its throughput run: {tern['rss']:.1f} MiB")
    tern_conn = statistics.median(tern["connect"]) - statistics.median(tern["second"])
    direct_conn = statistics.median(direct["connect"]) - percentile(direct["latency"], 50)
    print(f"connect alone (connect + first command - a warm command): Tern {ms(tern_conn)}, "
          f"direct libssh2 {ms(direct_conn)} (direct to authenticated: {ms(statistics.median(direct['authenticated']))})")
    print(f"direct libssh2 connect + first command with TCP_QUICKACK re-armed on every recv: "
          f"{ms(statistics.median(direct['connect_quickack']))} (vs {ms(statistics.median(direct['connect']))})")
    print(f"harness cost to spawn and reap a local /bin/true (inside every OpenSSH figure): "
          f"{ms(ossh['spawn_cost'])}")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--connects", type=int, default=10, help="fresh connections per client (default 10)")
    ap.add_argument("--commands", type=int, default=300, help="sequential commands for latency (default 300)")
    ap.add_argument("--concurrent", type=int, default=200, help="commands at once on one host (default 200)")
    ap.add_argument("--ssh-parallel", type=int, default=16,
                    help="most ssh processes at once in OpenSSH's throughput runs (default 16)")
    ap.add_argument("--timeout", type=int, default=900, help="seconds for the whole benchmark (default 900)")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    for name in ("connects", "commands", "concurrent", "ssh_parallel"):
        if not 1 <= getattr(args, name) <= 5000:
            sys.exit(f"--{name.replace('_', '-')} must be between 1 and 5000")
    benchlab.prepare("ssh_bench.py", args.timeout, None if args.no_build else build, (TERN, TERN_BENCH, DIRECT))

    lab = tempfile.mkdtemp(prefix="tern-ssh-bench.")
    signal.alarm(args.timeout)
    up = False
    try:
        up = True  # a failed up may have started some hosts: always bring it down
        benchlab.lab_up(TERN, lab, HOSTS, SUBNET, LAB_TIMEOUT)
        hosts = lab_hosts(lab)
        load = os.getloadavg()
        direct = bench_direct(lab, hosts, args)
        tern = bench_tern(lab, hosts, args)
        ossh = bench_openssh(lab, hosts, args)
    finally:
        signal.alarm(0)
        down = benchlab.lab_down(TERN, lab, LAB_TIMEOUT) if up else True
        if down:
            shutil.rmtree(lab, ignore_errors=True)

    print(f"tern SSH benchmark: {HOSTS} lab hosts on {SUBNET}.1-{HOSTS}, `true` as the command, "
          f"{os.cpu_count()} cores, load average {load[0]:.2f} at start")
    print(f"connect: {args.connects} fresh connections; latency: {args.commands} sequential commands after 5 warm-up; "
          f"throughput: median of 3 rounds (OpenSSH: at most {args.ssh_parallel} ssh processes at once)")
    print()
    print_table(tern, direct, ossh, args)


if __name__ == "__main__":
    try:
        main()
    except (BenchTimeout, RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        sys.exit(f"ssh_bench.py: {error}")
