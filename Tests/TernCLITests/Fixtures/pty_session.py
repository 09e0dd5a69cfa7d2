#!/usr/bin/env python3
"""Drives a program through a real pseudo-terminal, as a person at a keyboard.

Usage: pty_session.py SCRIPT.json   (or the script on standard input)

The script is a JSON object:

  {
    "argv": ["/path/to/tern", "repl", ...],   # the program and its arguments
    "env": {"NAME": "value"},                 # added to (or, null, removed from) the environment
    "cwd": "/some/dir",                       # optional
    "columns": 100, "rows": 30,               # the terminal's size (optional)
    "deadline": 60,                           # seconds for the whole session
    "steps": [ ... ]
  }

Steps, run in order; every wait is bounded by its "timeout" (seconds,
default 15):

  {"send": "text"}                  write keys ("\t" TAB, "\r" Enter,
                                    "\u0003" Ctrl-C, "\u0004" Ctrl-D,
                                    "\u001b[A" Up arrow), once the terminal is
                                    in the line editor's (non-canonical) mode,
                                    so nothing is typed ahead into a cooked
                                    terminal; with "now": true at once (e.g.
                                    Ctrl-C while a command runs)
  {"expect": "text"}                wait until the output after the last match
                                    contains text (escape sequences and
                                    carriage returns removed); the next expect
                                    searches after it
  {"expect_all": ["a", "b"]}        wait until all appear (in any order)
                                    after the last match
  {"poll": ["cmd", "arg"], "interval": 0.1}
                                    run a command again and again until it
                                    exits 0 (the terminal is read meanwhile)
  {"run": ["cmd", "arg"]}           run a command once; it must exit 0
  {"exit": true}                    wait until the program exits

The first step that fails ends the session: the program is killed (SIGTERM,
then SIGKILL) and the report says which step failed and why. The report, on
standard output, is JSON:

  {"ok": bool, "failed_step": int|null, "error": str|null,
   "exit_status": int|null, "signal": int|null,
   "transcript": str (cleaned), "raw": str, "steps": [{"step": int, "seconds": float}]}
"""

import codecs
import json
import os
import pty
import re
import select
import signal
import struct
import subprocess
import sys
import termios
import fcntl
import time

# CSI (ESC [ ... final), OSC (ESC ] ... BEL/ST), and two-byte escapes (ESC =, ESC >, ESC 7 ...).
ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_=>78]")


def clean(text):
    text = ANSI.sub("", text)
    text = text.replace("\r", "")
    # Bells and backspaces from line editing do not count as output.
    return text.replace("\x07", "").replace("\x08", "")


class Session:
    def __init__(self, script):
        self.script = script
        self.raw = ""  # decoded as it comes: a character split across reads stays whole
        self.decoder = codecs.getincrementaldecoder("utf-8")("replace")
        self.mark = 0  # where the next expect starts searching, in clean text
        self.exit_status = None
        self.signal = None
        env = dict(os.environ)
        env.setdefault("TERM", "xterm")
        for k, v in (script.get("env") or {}).items():
            if v is None:
                env.pop(k, None)
            else:
                env[k] = v
        pid, fd = pty.fork()
        if pid == 0:
            try:
                # A terminal session's defaults, whatever this script inherited
                # (a background job has SIGINT ignored; Python ignores SIGPIPE).
                for name in ("SIGINT", "SIGQUIT", "SIGTSTP", "SIGPIPE", "SIGXFSZ"):
                    signal.signal(getattr(signal, name), signal.SIG_DFL)
                signal.pthread_sigmask(signal.SIG_SETMASK, [])
                if script.get("cwd"):
                    os.chdir(script["cwd"])
                os.execve(script["argv"][0], script["argv"], env)
            finally:
                os._exit(127)
        self.pid, self.fd = pid, fd
        rows, cols = script.get("rows", 30), script.get("columns", 100)
        fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))

    def text(self):
        return clean(self.raw)

    def pump(self, seconds):
        """Reads what the program wrote for up to `seconds` (returns at the first data)."""
        if self.fd is None:
            time.sleep(max(0, min(seconds, 0.05)))
            self.reap()
            return
        try:
            ready, _, _ = select.select([self.fd], [], [], max(0, seconds))
        except InterruptedError:
            return
        if ready:
            try:
                data = os.read(self.fd, 65536)
            except OSError:  # EIO: the program closed the terminal
                data = b""
            if data:
                self.raw += self.decoder.decode(data)
            else:
                os.close(self.fd)
                self.fd = None
                self.reap()
        else:
            self.reap()

    def reap(self, block=False):
        if self.exit_status is not None or self.signal is not None:
            return True
        try:
            pid, status = os.waitpid(self.pid, 0 if block else os.WNOHANG)
        except ChildProcessError:
            return True
        if pid == 0:
            return False
        if os.WIFEXITED(status):
            self.exit_status = os.WEXITSTATUS(status)
        elif os.WIFSIGNALED(status):
            self.signal = os.WTERMSIG(status)
        return True

    def exited(self):
        return self.exit_status is not None or self.signal is not None

    def editing(self):
        """Whether the terminal is in the line editor's mode (not canonical):
        on Linux the master side reports the terminal's settings."""
        try:
            return not (termios.tcgetattr(self.fd)[3] & termios.ICANON)
        except termios.error:
            return False

    def wait_editing(self, timeout):
        end = time.monotonic() + timeout
        while not self.editing():
            if self.exited() or self.fd is None:
                raise StepError("the program ended before it read a line")
            if time.monotonic() >= end:
                raise StepError("the terminal was not in line-editing mode within %s s" % timeout)
            # Its output meanwhile; short waits: the mode changes without output.
            self.pump(0.01)

    def send(self, keys):
        if self.fd is None:
            raise StepError("the program closed the terminal before keys could be sent")
        data = keys.encode("utf-8")
        while data:
            _, ready, _ = select.select([], [self.fd], [], 5)
            if not ready:
                raise StepError("the terminal did not take input for 5 s")
            n = os.write(self.fd, data)
            data = data[n:]

    def wait_for(self, needles, timeout):
        end = time.monotonic() + timeout
        while True:
            text = self.text()
            after = text[self.mark:]
            positions = [after.find(n) for n in needles]
            if all(p >= 0 for p in positions):
                self.mark += max(p + len(n) for p, n in zip(positions, needles))
                return
            if self.exited() and self.fd is None:
                raise StepError("the program ended (status %s, signal %s) before %r appeared" % (self.exit_status, self.signal, needles))
            left = end - time.monotonic()
            if left <= 0:
                raise StepError("%r did not appear within %s s; after the last match: %r" % (needles, timeout, after[-2000:]))
            self.pump(min(left, 0.2))

    def poll(self, command, timeout, interval):
        end = time.monotonic() + timeout
        while True:
            left = end - time.monotonic()
            try:
                r = subprocess.run(command, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=max(1, left))
                if r.returncode == 0:
                    return
            except subprocess.TimeoutExpired:
                pass
            if time.monotonic() >= end:
                raise StepError("%r did not succeed within %s s" % (command, timeout))
            # Keep reading the terminal meanwhile, so the program never blocks on output.
            pause = time.monotonic() + interval
            while time.monotonic() < pause:
                self.pump(pause - time.monotonic())

    def run_once(self, command, timeout):
        r = subprocess.run(command, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout)
        if r.returncode != 0:
            raise StepError("%r exited %d: %s%s" % (command, r.returncode, r.stdout.decode(errors="replace"), r.stderr.decode(errors="replace")))

    def wait_exit(self, timeout):
        end = time.monotonic() + timeout
        while not self.exited():
            left = end - time.monotonic()
            if left <= 0:
                raise StepError("the program did not exit within %s s" % timeout)
            self.pump(min(left, 0.2))
        # What it wrote last, until the terminal closes (briefly).
        drain = time.monotonic() + 1
        while self.fd is not None and time.monotonic() < drain:
            self.pump(drain - time.monotonic())

    def kill(self):
        if self.exited():
            return
        for sig, grace in ((signal.SIGTERM, 3), (signal.SIGKILL, 5)):
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass
            end = time.monotonic() + grace
            while time.monotonic() < end:
                if self.reap():
                    return
                self.pump(0.05)


class StepError(Exception):
    pass


def main():
    if len(sys.argv) > 1:
        with open(sys.argv[1]) as f:
            script = json.load(f)
    else:
        script = json.load(sys.stdin)
    deadline = time.monotonic() + script.get("deadline", 60)
    session = Session(script)
    report = {"ok": True, "failed_step": None, "error": None, "steps": []}
    try:
        for i, step in enumerate(script["steps"]):
            started = time.monotonic()
            timeout = min(step.get("timeout", 15), max(0.1, deadline - started))
            try:
                if "send" in step:
                    if not step.get("now", False):
                        session.wait_editing(timeout)
                    session.send(step["send"])
                elif "expect" in step:
                    session.wait_for([step["expect"]], timeout)
                elif "expect_all" in step:
                    session.wait_for(step["expect_all"], timeout)
                elif "poll" in step:
                    session.poll(step["poll"], timeout, step.get("interval", 0.1))
                elif "run" in step:
                    session.run_once(step["run"], timeout)
                elif "exit" in step:
                    session.wait_exit(timeout)
                else:
                    raise StepError("unknown step %r" % step)
            except (StepError, OSError, subprocess.SubprocessError) as e:
                report.update(ok=False, failed_step=i, error="step %d %s: %s" % (i, json.dumps(step), e))
                break
            report["steps"].append({"step": i, "seconds": round(time.monotonic() - started, 3)})
    finally:
        if not session.exited():
            # Whatever is left of the output, briefly, then the program goes.
            end = time.monotonic() + 0.2
            while time.monotonic() < end and session.fd is not None and not session.exited():
                session.pump(end - time.monotonic())
            session.kill()
        if session.fd is not None:
            try:
                os.close(session.fd)
            except OSError:
                pass
    report["exit_status"] = session.exit_status
    report["signal"] = session.signal
    report["transcript"] = session.text()
    report["raw"] = session.raw + session.decoder.decode(b"", final=True)
    json.dump(report, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
