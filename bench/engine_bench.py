#!/usr/bin/env python3
"""Benchmark: `tern apply` on lab hosts against a direct libssh2 loop.

On N lab hosts (`tern lab up`: 10 on 127.0.95.1-10, 100 on 127.0.96.1-100),
runs a generated playbook of 10 checked shell steps and 1 file step on every
host:

  s1..s10  run "touch /tmp/tern-bench/sK", creates: "/tmp/tern-bench/sK"
           (s1 also makes the folder)
  conf     write_file "/tmp/tern-bench/app.conf", content naming the host,
           mode "0644"

and measures, for each of these clients:

  tern apply (chained)       the steps chained (s2 after s1, ..., conf after s10)
  tern apply (independent)   no `after` at all: the 11 first checks of a host
                             become ready together and go as one command
                             (every apply then makes the folder itself; the
                             file is /tmp/tern-bench-app.conf)
  tern apply --no-batch      the chained playbook, every check its own command
  direct libssh2 loop        bench/direct_loop.c: one thread and one blocking
                             libssh2 session per host; on its host, the chained
                             playbook's commands one by one: a step's check
                             (`test -e`), and when it fails the apply and the
                             check again; for the file, Tern's own file check
                             (sha256 and mode) and when it fails `cat` into a
                             temporary file, chmod, mv, and the check again

two runs:

  first run     on fresh hosts: everything changes (before each repetition
                /tmp/tern-bench is removed on every host with `tern run`);
  no-op re-run  right after: everything is ok, nothing changes;

the wall time of the client process from fork to reaped (median of --runs,
interleaved: each repetition runs every client once) and its peak RSS
(ru_maxrss from wait4, the client alone; sshd is not counted). Both come
from the small meter in bench/direct_loop.c (`--measure`), not from Python:
a child of Python inherits Python's own peak RSS as its floor (~15 MiB).

Every tern run must exit 0 and report (JSON Lines, `--json`) that every
node changed in a first run, and that none did in a no-op re-run; the direct
loop reports the same counts. Tern writes its run logs (--log-dir) into the
lab's temporary folder, on the file system of /tmp, as a user's run would
(into .tern/runs); their cost is part of its time. Once per lab, `tern plan`
checks that the direct loop's first run left the hosts exactly as Tern
wants them. The remote commands of a run are Tern's own count (the
`remote_commands` of its run_finished event: the commands and file
transfers it sent to the hosts, a batch of checks counting once) and the
direct loop's own; the details table shows their median over the runs.

Prints a markdown table (and one of details) and the issue's targets as
PASS/MISS:
(1) the no-op re-run of `tern apply` faster than the direct loop,
(2) 100 hosts in under 2 s and under 50 MB peak client memory (chained,
both runs).

Needs root (the lab). Only loopback addresses are used. Each lab lives in a
temporary folder and is always brought down. Every run is bounded in time
(--timeout for the whole benchmark; a client run is killed after 120 s).

Usage: sudo python3 bench/engine_bench.py [--hosts 10,100] [--runs N]
           [--no-build] [--timeout S] [--log-dir DIR]
"""
import argparse
import hashlib
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
SCRATCH = os.path.join(ROOT, ".build-bench")
TERN = os.path.join(SCRATCH, "release", "tern")
STDLIB = os.path.join(ROOT, "stdlib")
DIRECT = os.path.join(OUT, "direct_loop")
STEPS = 10
NODES_PER_HOST = STEPS + 1
RUN_TIMEOUT = 120  # seconds, for any one client run
LAB_TIMEOUT = 300  # seconds, for `tern lab up` or `tern lab down`
MB = 1_000_000  # the issue's "50 MB"

CLIENTS = (
    ("chained", "tern apply (chained)"),
    ("independent", "tern apply (independent)"),
    ("nobatch", "tern apply --no-batch (chained)"),
    ("direct", "direct libssh2 loop"),
)
PHASES = (("first", "first run"), ("noop", "no-op re-run"))


class BenchFailure(RuntimeError):
    pass


def subnet_for(hosts):
    """The issue's own subnets: 127.0.95 for 10 hosts, 127.0.96 for 100 (and
    other counts: up to 10 on .95, more on .96; labs run one after another)."""
    return "127.0.95" if hosts <= 10 else "127.0.96"


def build():
    env = dict(os.environ)
    env["PATH"] = "/opt/swift/usr/bin:" + env.get("PATH", "")
    for attempt in range(3):
        p = subprocess.run(["swift", "build", "-c", "release", "--product", "tern", "--scratch-path", SCRATCH],
                           cwd=ROOT, env=env, capture_output=True, text=True, timeout=1800)
        if p.returncode == 0:
            break
        # Others may be editing the sources: swift build then stops with
        # "was modified during the build"; try again a little later.
        if "modified during the build" not in p.stdout + p.stderr or attempt == 2:
            raise BenchFailure(f"swift build failed ({p.returncode}):\n{(p.stdout + p.stderr)[-4000:]}")
        time.sleep(10)
    os.makedirs(OUT, exist_ok=True)
    subprocess.run(["cc", "-O2", os.path.join(ROOT, "bench", "direct_loop.c"), "-lssh2", "-lpthread", "-o", DIRECT],
                   cwd=ROOT, check=True, timeout=120)


# --- the playbooks and the direct loop's actions ---------------------------

def conf_content(host):
    return f"name = {host}\nport = 8080\n"


def playbook(chained):
    """The playbook's text. Chained: s2 after s1, ..., conf after s10."""
    lines = []
    for k in range(1, STEPS + 1):
        after = f" after s{k - 1}" if chained and k > 1 else ""
        path = f"/tmp/tern-bench/s{k}"
        command = f"touch {path}" if chained and k > 1 else f"mkdir -p /tmp/tern-bench && touch {path}"
        lines += [f"step s{k} on lab{after} {{", f'  run "{command}", creates: "{path}"', "}"]
    after = f" after s{STEPS}" if chained else ""
    conf = "/tmp/tern-bench/app.conf" if chained else "/tmp/tern-bench-app.conf"
    lines += [f"step conf on lab{after} {{",
              f'  write_file "{conf}", content: "name = ${{host.name}}\\nport = 8080\\n", mode: "0644"',
              "}"]
    return "\n".join(lines) + "\n"


def direct_actions(host):
    """The chained playbook's actions on one host, as Tern runs them: (check,
    apply, stdin of the apply). The file check is Tern's own (FileCheck)."""
    actions = []
    for k in range(1, STEPS + 1):
        path = f"/tmp/tern-bench/s{k}"
        command = f"touch {path}" if k > 1 else f"mkdir -p /tmp/tern-bench && touch {path}"
        actions.append((f"test -e {path}", command, ""))
    content = conf_content(host)
    digest = hashlib.sha256(content.encode()).hexdigest()
    f = "/tmp/tern-bench/app.conf"
    check = (f"f={f}; [ -f \"$f\" ] && [ \"$(sha256sum < \"$f\")\" = '{digest}  -' ]"
             f" && [ \"$(stat -c %a -- \"$f\")\" = 644 ]")
    write = f"f={f}; t=/tmp/tern-bench/.direct-$$; cat > \"$t\" && chmod 0644 \"$t\" && mv -f -- \"$t\" \"$f\""
    actions.append((check, write, content))
    return actions


def write_direct_inputs(lab, hosts):
    folder = os.path.join(lab, "direct")
    os.makedirs(folder, exist_ok=True)
    lines = []
    for name, address, port in hosts:
        path = os.path.join(folder, name + ".actions")
        with open(path, "wb") as f:
            for check, apply, stdin in direct_actions(name):
                for field in (check, apply, stdin):
                    if "\0" in field:
                        raise BenchFailure("a NUL in an action")
                    f.write(field.encode() + b"\0")
        lines.append(f"{name} {address} {port} {path}")
    hosts_file = os.path.join(folder, "hosts")
    with open(hosts_file, "w") as f:
        f.write("\n".join(lines) + "\n")
    return hosts_file


# --- running things ---------------------------------------------------------

def machine_cpu():
    """(busy, total) jiffies of the whole machine, from /proc/stat."""
    with open("/proc/stat") as f:
        fields = [int(x) for x in f.readline().split()[1:]]
    idle = fields[3] + (fields[4] if len(fields) > 4 else 0)  # idle + iowait
    return sum(fields) - idle, sum(fields)


def measure(argv, out_path, err_path):
    """Runs argv to completion with its output in files, through the meter of
    bench/direct_loop.c (`--measure`: fork, exec, wait4), since a child of
    this Python process would inherit Python's peak RSS. Returns wall seconds
    (fork to reaped), exit code, peak RSS in MiB and CPU seconds of the
    process, and the share of the machine's CPU time that was busy."""
    result = out_path + ".measure"
    flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
    actions = [(os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
               (os.POSIX_SPAWN_OPEN, 1, out_path, flags, 0o644),
               (os.POSIX_SPAWN_OPEN, 2, err_path, flags, 0o644)]
    meter = [DIRECT, "--measure", result, str(RUN_TIMEOUT), *argv]
    busy0, total0 = machine_cpu()
    pid = os.posix_spawn(DIRECT, meter, os.environ, file_actions=actions)
    try:
        _, status = os.waitpid(pid, 0)
    except BaseException:  # the benchmark's own --timeout: the meter kills the client
        os.kill(pid, signal.SIGTERM)
        os.waitpid(pid, 0)
        raise
    busy1, total1 = machine_cpu()
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchFailure(f"the meter failed for {' '.join(argv)}:\n{tail(err_path)}")
    with open(result) as f:
        m = json.load(f)
    if m["killed"]:
        raise BenchTimeout(f"{' '.join(argv)} ran over {RUN_TIMEOUT} s")
    busy = (busy1 - busy0) / max(1, total1 - total0)
    return m["wall_us"] / 1e6, m["exit"], m["maxrss_kib"] / 1024.0, m["cpu_us"] / 1e6, busy


def tail(path, n=15):
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def json_lines(path):
    out = []
    with open(path) as f:
        for line in f:
            if line.startswith("{"):
                out.append(json.loads(line))
    return out


def tern(*args):
    return [TERN, *args[:1], "--stdlib", STDLIB, *args[1:]]


def lab_hosts(lab, count, subnet):
    text = open(os.path.join(lab, "inventory.tern")).read()
    hosts = re.findall(r'host (\S+) \{ address: "([^"]+)", port: (\d+)', text)
    if len(hosts) != count or not all(a.startswith(subnet + ".") for _, a, _ in hosts):
        raise BenchFailure(f"unexpected lab inventory: {hosts[:5]}...")
    return [(name, address, int(port)) for name, address, port in hosts]


def reset(lab):
    p = subprocess.run(tern("run", "--lab", "--lab-dir", lab, "all", "--",
                            "rm -rf /tmp/tern-bench /tmp/tern-bench-app.conf"),
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    if p.returncode != 0:
        raise BenchFailure(f"resetting the hosts failed ({p.returncode}):\n{p.stdout[-2000:]}{p.stderr}")


def check_playbooks(lab, paths):
    for path in paths:
        p = subprocess.run(tern("check", "-i", os.path.join(lab, "inventory.tern"), path),
                           capture_output=True, text=True, timeout=60)
        if p.returncode != 0:
            raise BenchFailure(f"tern check {path} failed ({p.returncode}):\n{p.stdout}{p.stderr}")


def plan_is_clean(lab, path, log_dir):
    """`tern plan` on the chained playbook: exit 0 is "nothing to do"."""
    p = subprocess.run(tern("plan", "--lab", "--lab-dir", lab, "--log-dir", log_dir, path),
                       capture_output=True, text=True, timeout=RUN_TIMEOUT)
    if p.returncode != 0:
        raise BenchFailure("after the direct loop's first run, `tern plan` wants changes "
                           f"(exit {p.returncode}): the loop did not do Tern's work:\n{p.stdout[-3000:]}{p.stderr}")


# --- one client run ---------------------------------------------------------

class Lab:
    def __init__(self, path, hosts, playbooks, direct_hosts, log_base):
        self.path = path
        self.hosts = hosts
        self.playbooks = playbooks
        self.direct_hosts = direct_hosts
        self.log_base = log_base
        self.count = 0


def run_client(lab, client, phase):
    """One run of a client; returns (wall s, peak MiB, details) after checking
    that it succeeded and changed what the phase expects."""
    info = {}
    lab.count += 1
    out = os.path.join(lab.path, f"out-{lab.count}.txt")
    err = os.path.join(lab.path, f"err-{lab.count}.txt")
    n = len(lab.hosts)
    expect_changed = n * NODES_PER_HOST if phase == "first" else 0
    expect_ok = n * NODES_PER_HOST - expect_changed

    if client == "direct":
        argv = [DIRECT, lab.direct_hosts, "root", os.path.join(lab.path, "id_ed25519"),
                os.path.join(lab.path, "known_hosts")]
        wall, code, rss, info["cpu"], info["busy"] = measure(argv, out, err)
        if code != 0:
            raise BenchFailure(f"direct_loop exited with {code}:\n{tail(err)}")
        summary = [e for e in json_lines(out) if "hosts" in e]
        if len(summary) != 1:
            raise BenchFailure(f"direct_loop printed no summary:\n{tail(out)}")
        s = summary[0]
        if s["failed"] or s["changed"] != expect_changed or s["ok"] != expect_ok:
            raise BenchFailure(f"direct_loop ({phase}): {s}; expected changed={expect_changed} ok={expect_ok}")
        info["commands"] = s["commands"]
        return wall, rss, info

    playbook_path = lab.playbooks["independent" if client == "independent" else "chained"]
    argv = tern("apply", "--lab", "--lab-dir", lab.path, "--log-dir", os.path.join(lab.log_base, client), "--json")
    if client == "nobatch":
        argv.append("--no-batch")
    argv.append(playbook_path)
    wall, code, rss, info["cpu"], info["busy"] = measure(argv, out, err)
    label = f"tern apply ({client}, {phase}, {n} hosts)"
    if code != 0:
        raise BenchFailure(f"{label} exited with {code}:\n{tail(out)}{tail(err)}")
    events = json_lines(out)
    started = [e for e in events if e.get("event") == "run_started"]
    finished = [e for e in events if e.get("event") == "run_finished"]
    if len(finished) != 1 or len(started) != 1:
        raise BenchFailure(f"{label}: no run_finished event:\n{tail(out)}")
    fin = finished[0]
    totals = {k: 0 for k in ("ok", "changed", "failed", "skipped", "unreachable", "cancelled")}
    for counts in fin["recap"].values():
        for k in totals:
            totals[k] += counts.get(k, 0)
    bad = {k: v for k, v in totals.items() if k not in ("ok", "changed") and v}
    if (fin["exit_status"] != 0 or bad or fin["interrupted"] or totals["changed"] != expect_changed
            or totals["ok"] != expect_ok):
        raise BenchFailure(f"{label}: recap {totals}, exit_status {fin['exit_status']}; "
                           f"expected changed={expect_changed} ok={expect_ok}")
    if phase == "noop" and totals["changed"] != 0:  # the issue's no-op condition, said once more
        raise BenchFailure(f"{label}: the no-op re-run changed {totals['changed']} nodes")
    if not isinstance(fin.get("remote_commands"), int):
        raise BenchFailure(f"{label}: run_finished has no remote_commands (an older tern?):\n{tail(out)}")
    info["commands"] = fin["remote_commands"]
    info["engine_s"] = fin["duration_ms"] / 1000.0
    return wall, rss, info


# --- the benchmark ----------------------------------------------------------

def bench_lab(count, args, results, extra):
    subnet = subnet_for(count)
    lab_path = tempfile.mkdtemp(prefix=f"tern-engine-bench-{count}.")
    up = False
    try:
        up = True  # a failed up may have started some hosts: always bring it down
        benchlab.lab_up(TERN, lab_path, count, subnet, LAB_TIMEOUT)
        hosts = lab_hosts(lab_path, count, subnet)
        playbooks = {}
        for variant, chained in (("chained", True), ("independent", False)):
            path = os.path.join(lab_path, f"bench-{variant}.tern")
            with open(path, "w") as f:
                f.write(playbook(chained))
            playbooks[variant] = path
        check_playbooks(lab_path, playbooks.values())
        log_base = os.path.join(args.log_dir, f"{count}-hosts") if args.log_dir else os.path.join(lab_path, "logs")
        lab = Lab(lab_path, hosts, playbooks, write_direct_inputs(lab_path, hosts), log_base)

        # Warm up (untimed): page cache, the hosts' first sshd forks.
        for client in ("chained", "direct"):
            reset(lab_path)
            run_client(lab, client, "first")
        for rep in range(args.runs):
            for client, label in CLIENTS:
                for phase, _ in PHASES:
                    if phase == "first":
                        reset(lab_path)
                    wall, rss, info = run_client(lab, client, phase)
                    results.setdefault((count, phase, client), []).append((wall, rss))
                    extra.setdefault((count, phase, client), []).append(info)
                    print(f"  {count} hosts, {label}, {phase} #{rep + 1}: {wall:.3f} s, {rss:.1f} MiB, "
                          f"CPU {info['cpu']:.2f} s, machine busy {info['busy'] * 100:.0f}%",
                          file=sys.stderr, flush=True)
                    if client == "direct" and phase == "first" and rep == 0:
                        plan_is_clean(lab_path, playbooks["chained"], os.path.join(lab_path, "plan-logs"))
    finally:
        down = benchlab.lab_down(TERN, lab_path, LAB_TIMEOUT) if up else True
        if down:
            shutil.rmtree(lab_path, ignore_errors=True)


def cell(samples):
    wall = statistics.median(w for w, _ in samples)
    rss = statistics.median(r for _, r in samples)
    return f"{wall:.3f} s / {rss:.1f} MiB"


def med(results, key, i):
    return statistics.median(s[i] for s in results[key])


def commands_cell(infos):
    """The median of the runs' remote commands, with their range when the
    runs did not all send the same number."""
    values = [i["commands"] for i in infos]
    text = f"{statistics.median(values):g} cmds"
    if min(values) != max(values):
        text += f" ({min(values)}-{max(values)})"
    return text


def report(counts, args, results, extra, load):
    end = os.getloadavg()
    print(f"tern apply benchmark: {', '.join(map(str, counts))} lab hosts "
          f"({', '.join(f'{c} on {subnet_for(c)}.1-{c}' for c in counts)}), "
          f"{STEPS} checked shell steps + 1 file step per host; {os.cpu_count()} cores, "
          f"load average {load[0]:.2f} at start, {end[0]:.2f} at the end")
    print(f"median of {args.runs} runs (interleaved); wall time from fork to exit; "
          "peak RSS of the client process (ru_maxrss via wait4)")
    print()
    header = ["hosts", "run"] + [label + " (wall s / peak MiB)" for _, label in CLIENTS]
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(["---:", ":---"] + ["---:"] * len(CLIENTS)) + "|")
    for count in counts:
        for phase, phase_label in PHASES:
            cells = [cell(results[(count, phase, c)]) for c, _ in CLIENTS]
            print(f"| {count} | {phase_label} | " + " | ".join(cells) + " |")
    print()
    print("Details (medians): remote commands per run over all hosts (Tern's own count, run_finished "
          "remote_commands: commands and file transfers sent to the hosts, a batch of checks counting once; "
          "the direct loop counts its own; a range follows when the runs differ); the client's CPU "
          "time (user + system); the machine's busy CPU share during the run (/proc/stat: sshd and the "
          "client); Tern's own run time (run_finished duration_ms: the engine, without process start, "
          "parsing and planning):")
    print()
    print("| hosts | run | " + " | ".join(label for _, label in CLIENTS) + " |")
    print("|---:|:---|" + "---:|" * len(CLIENTS))
    for count in counts:
        for phase, phase_label in PHASES:
            cells = []
            for c, _ in CLIENTS:
                infos = extra[(count, phase, c)]
                text = (f"{commands_cell(infos)}, CPU {statistics.median(i['cpu'] for i in infos):.2f} s, "
                        f"busy {statistics.median(i['busy'] for i in infos) * 100:.0f}%")
                if "engine_s" in infos[0]:
                    text += f", engine {statistics.median(i['engine_s'] for i in infos):.3f} s"
                cells.append(text)
            print(f"| {count} | {phase_label} | " + " | ".join(cells) + " |")
    print()

    for count in counts:
        t = med(results, (count, "noop", "chained"), 0)
        ti = med(results, (count, "noop", "independent"), 0)
        d = med(results, (count, "noop", "direct"), 0)
        print(f"target 1, {count} hosts: no-op re-run of tern apply (chained) faster than the direct loop: "
              f"{'PASS' if t < d else 'MISS'} ({t:.3f} s vs {d:.3f} s; "
              f"independent: {ti:.3f} s, {'faster' if ti < d else 'not faster'})")
    if 100 in counts:
        parts = []
        ok = True
        for phase, phase_label in PHASES:
            wall = med(results, (100, phase, "chained"), 0)
            rss = med(results, (100, phase, "chained"), 1)
            worst = max(r for _, r in results[(100, phase, "chained")])
            ok = ok and wall < 2.0 and worst * 1024 * 1024 < 50 * MB
            parts.append(f"{phase_label} {wall:.3f} s, {rss:.1f} MiB (max {worst:.1f} MiB)")
        print(f"target 2, 100 hosts under 2 s and under 50 MB (= {50 * MB / 1024 / 1024:.1f} MiB) peak client "
              f"memory, tern apply (chained): {'PASS' if ok else 'MISS'} ({'; '.join(parts)})")
    else:
        print("target 2 (100 hosts): not measured; run with --hosts including 100")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--hosts", default="10,100", help="lab sizes, comma-separated (default 10,100)")
    ap.add_argument("--runs", type=int, default=5, help="repetitions of every measurement (default 5)")
    ap.add_argument("--timeout", type=int, default=1800, help="seconds for the whole benchmark (default 1800)")
    ap.add_argument("--log-dir", help="keep Tern's run logs under DIR (default: in the lab's temporary folder, "
                                      "deleted with it)")
    ap.add_argument("--no-build", action="store_true")
    args = ap.parse_args()
    try:
        counts = [int(x) for x in args.hosts.split(",") if x.strip()]
    except ValueError:
        sys.exit("--hosts: comma-separated numbers, such as 10,100")
    if not counts or not all(1 <= c <= 254 for c in counts) or len(set(counts)) != len(counts):
        sys.exit("--hosts: distinct numbers from 1 to 254")
    if not 1 <= args.runs <= 100:
        sys.exit("--runs must be between 1 and 100")
    if args.log_dir:
        args.log_dir = os.path.abspath(args.log_dir)
    benchlab.prepare("engine_bench.py", args.timeout, None if args.no_build else build, (TERN, DIRECT))

    results, extra = {}, {}
    load = os.getloadavg()
    signal.alarm(args.timeout)
    try:
        for count in counts:
            bench_lab(count, args, results, extra)
    finally:
        signal.alarm(0)
    report(counts, args, results, extra, load)


if __name__ == "__main__":
    try:
        main()
    except (BenchTimeout, BenchFailure, RuntimeError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        sys.exit(f"engine_bench.py: {error}")
