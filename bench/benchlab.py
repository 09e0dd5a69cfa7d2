"""What bench/engine_bench.py and bench/ssh_bench.py share: their lab
(`tern lab up` and `tern lab down`, always on loopback addresses
SUBNET.1-N, in a folder of the caller's) and their start (root, the
--timeout alarm, the build, the programs they need).

The scripts run as `python3 bench/SCRIPT.py` and put bench/ first on
sys.path themselves, so that `import benchlab` works from any folder.
"""
import os
import signal
import subprocess
import sys


def lab_up(tern, lab, hosts, subnet, timeout):
    """`tern lab up` of `hosts` hosts on SUBNET.1-N into the folder `lab`;
    raises RuntimeError when it fails (some hosts may be up then: bring the
    lab down anyway)."""
    p = subprocess.run([tern, "lab", "up", "--hosts", str(hosts), "--subnet", subnet, "--dir", lab],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise RuntimeError(f"tern lab up failed ({p.returncode}):\n{p.stdout}{p.stderr}")


def lab_down(tern, lab, timeout):
    """`tern lab down` of the lab in `lab`; True when it succeeded, otherwise
    a warning on standard error and False (keep the folder then: it is what
    `tern lab down --dir` needs to try again)."""
    p = subprocess.run([tern, "lab", "down", "--dir", lab], capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        print(f"warning: tern lab down --dir {lab} failed ({p.returncode}): {p.stderr.strip()}", file=sys.stderr)
        return False
    return True


class BenchTimeout(Exception):
    """A run, or the whole benchmark (--timeout), took too long."""


def prepare(script, timeout, build, executables):
    """What both benchmarks do before their lab: insist on root (the lab
    starts sshd servers in namespaces), make SIGALRM raise BenchTimeout
    (the caller arms it with signal.alarm(timeout)), call `build` unless it
    is None (--no-build), and check that every one of `executables` is there."""
    if os.geteuid() != 0:
        sys.exit(f"{script} needs root: `tern lab up` starts sshd servers in namespaces")

    def expired(signum, frame):
        raise BenchTimeout(f"the benchmark ran over --timeout {timeout} s")

    signal.signal(signal.SIGALRM, expired)
    if build is not None:
        build()
    for path in executables:
        if not os.access(path, os.X_OK):
            sys.exit(f"{path} is missing: run without --no-build")
