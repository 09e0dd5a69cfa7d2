#ifndef TERN_CLIBEDIT_SHIM_H
#define TERN_CLIBEDIT_SHIM_H
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <editline/readline.h>

/* libedit's settings are global variables; these setters keep Swift's
 * strict concurrency checking off them (they are set once, before the
 * first readline). */
static inline void tern_set_completion(rl_compentry_func_t *f) { rl_completion_entry_function = f; }

/* ---- Ctrl-C at the prompt ------------------------------------------------
 *
 * Wanted: Ctrl-C while a line is being edited drops that line and readline
 * returns, like bash; the process goes on.
 *
 * What libedit does by itself: while it reads (rl_catch_signals, on by
 * default) its own SIGINT handler puts the terminal back in cooked mode,
 * reinstalls the handler that was there before readline and sends the
 * signal again (kill(0, SIGINT)). With the default disposition in force that
 * ends the process. A handler of ours alone is not enough either: the
 * signal may be delivered to any thread that does not block it, so the
 * read() libedit is blocked in is not reliably interrupted (EINTR), and
 * jumping out of the handler (siglongjmp) would leave libedit's state and
 * the terminal half-changed, possibly from the wrong thread.
 *
 * So: a self-pipe. Our SIGINT handler only write()s a byte to a pipe
 * (async-signal-safe, whatever thread runs it). libedit reads keys through
 * rl_getc_function, which poll()s the terminal and the pipe: a byte on the
 * pipe makes it report end of input, so el_gets ends through its normal
 * path (terminal restored, its handlers removed) and readline returns NULL;
 * tern_take_interrupt() tells that apart from Ctrl-D. (A Ctrl-C pressed
 * while no line is read, say while an input is evaluated, ends the next
 * line at once: the key is never lost, however late its handler runs.)
 * libedit's own handling of the other signals (SIGTSTP/SIGCONT, SIGWINCH,
 * SIGTERM...) stays on: its SIGINT handler restores the terminal and passes
 * the signal on to ours. While `on ...` runs, Repl.swift's ReplInterrupt
 * owns SIGINT and puts ours back after. Keys are decoded from UTF-8 here
 * (libedit's own reader did that; rl_getc_function's int is taken as a
 * wchar_t).
 *
 * The state below has internal linkage: use these functions from one Swift
 * file only (LineEditor.swift). */

static int tern_interrupt_pipe[2] = { -1, -1 };
/* Set by tern_getc (the reading thread) once the pipe had a byte; stays set
 * until tern_take_interrupt(), so every later read of the same readline
 * call ends too (e.g. a completion's "y or n" question). */
static int tern_interrupt_seen = 0;
/* One byte read too far while decoding UTF-8, for the next call. */
static int tern_pending_byte = -1;
/* The terminal again, opened non-blocking: Ctrl-C makes the terminal
 * discard its unread input, so a read() after poll() said "readable" may
 * find nothing; on the (shared) standard input it would then block, past
 * the interrupt. O_NONBLOCK on our own open file description leaves the
 * shell's standard input as it is. -1: not available (see tern_read_byte). */
static int tern_input_fd = -1;

static void tern_sigint_handler(int signo) {
    int saved = errno;
    (void)signo;
    if (tern_interrupt_pipe[1] >= 0) {
        ssize_t r = write(tern_interrupt_pipe[1], "i", 1);
        (void)r; /* a full pipe already holds an interrupt */
    }
    errno = saved;
}

static inline void tern_drain_interrupts(void) {
    char buf[64];
    if (tern_interrupt_pipe[0] < 0) return;
    while (read(tern_interrupt_pipe[0], buf, sizeof buf) > 0) {}
}

/* One byte of the terminal, or -1 at end of input / on an error, or -2 when
 * Ctrl-C came first. */
static inline int tern_read_byte(int fd) {
    if (tern_pending_byte >= 0) {
        int c = tern_pending_byte;
        tern_pending_byte = -1;
        return c;
    }
    if (tern_input_fd >= 0) fd = tern_input_fd;
    for (;;) {
        if (tern_interrupt_seen) return -2;
        struct pollfd p[2] = { { fd, POLLIN, 0 }, { tern_interrupt_pipe[0], POLLIN, 0 } };
        int n = poll(p, tern_interrupt_pipe[0] >= 0 ? 2 : 1, -1);
        if (n < 0) {
            if (errno == EINTR || errno == EAGAIN) continue;
            return -1;
        }
        if (tern_interrupt_pipe[0] >= 0 && (p[1].revents & POLLIN)) {
            tern_drain_interrupts();
            tern_interrupt_seen = 1;
            return -2;
        }
        if (p[0].revents & (POLLIN | POLLHUP | POLLERR | POLLNVAL)) {
            if (fd != tern_input_fd && tern_interrupt_pipe[0] >= 0) {
                /* Blocking standard input, nothing queued (input discarded
                 * by Ctrl-C, or an end of file): give the interrupt a moment
                 * to arrive before a read that may block. */
                int queued = 0;
                if (ioctl(fd, FIONREAD, &queued) == 0 && queued <= 0) {
                    struct pollfd q = { tern_interrupt_pipe[0], POLLIN, 0 };
                    if (poll(&q, 1, 20) > 0) continue;
                }
            }
            unsigned char c;
            ssize_t r = read(fd, &c, 1);
            if (r == 1) return c;
            if (r < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            return -1;
        }
    }
}

/* rl_getc_function: one character (a Unicode scalar, decoded from UTF-8:
 * libedit takes the int as a wchar_t), or -1, which libedit takes as the end
 * of input. */
static int tern_getc(FILE *stream) {
    int fd = fileno(stream ? stream : (rl_instream ? rl_instream : stdin));
    int c = tern_read_byte(fd);
    if (c < 0x80) return c < 0 ? -1 : c;
    int more, scalar, min;
    if (c >= 0xC2 && c <= 0xDF) { more = 1; scalar = c & 0x1F; min = 0x80; }
    else if (c >= 0xE0 && c <= 0xEF) { more = 2; scalar = c & 0x0F; min = 0x800; }
    else if (c >= 0xF0 && c <= 0xF4) { more = 3; scalar = c & 0x07; min = 0x10000; }
    else return 0xFFFD;
    while (more-- > 0) {
        int d = tern_read_byte(fd);
        if (d < 0) return -1;
        if ((d & 0xC0) != 0x80) {
            tern_pending_byte = d; /* not part of this character: the next one */
            return 0xFFFD;
        }
        scalar = (scalar << 6) | (d & 0x3F);
    }
    if (scalar < min || scalar > 0x10FFFF || (scalar >= 0xD800 && scalar <= 0xDFFF)) return 0xFFFD;
    return scalar;
}

/* Before the first readline (rl_initialize reads these settings): keys
 * through tern_getc, libedit's signal handling on, and our SIGINT handler
 * as the one libedit passes Ctrl-C on to. Leaves SIGINT alone when it is
 * ignored (started in the background, under nohup). Returns 0, or -1 when
 * Ctrl-C cannot be handled (then it keeps its default effect). */
static inline int tern_install_line_interrupt(void) {
    rl_getc_function = tern_getc;
    rl_catch_signals = 1;
    if (tern_input_fd < 0) {
        char path[64];
        struct stat in, again;
        snprintf(path, sizeof path, "/proc/self/fd/%d", STDIN_FILENO);
        const char *name = ttyname(STDIN_FILENO);
        int fd = open(name ? name : path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
        if (fd >= 0 && (fstat(STDIN_FILENO, &in) != 0 || fstat(fd, &again) != 0 || in.st_rdev != again.st_rdev || !isatty(fd))) {
            close(fd);
            fd = -1;
        }
        tern_input_fd = fd;
    }
    struct sigaction old;
    if (sigaction(SIGINT, NULL, &old) != 0 || old.sa_handler == SIG_IGN) return -1;
    if (tern_interrupt_pipe[0] < 0) {
        if (pipe(tern_interrupt_pipe) != 0) return -1;
        for (int i = 0; i < 2; i++) {
            fcntl(tern_interrupt_pipe[i], F_SETFD, FD_CLOEXEC);
            fcntl(tern_interrupt_pipe[i], F_SETFL, fcntl(tern_interrupt_pipe[i], F_GETFL) | O_NONBLOCK);
        }
    }
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = tern_sigint_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART; /* other threads' system calls go on undisturbed */
    return sigaction(SIGINT, &sa, NULL);
}

/* After a readline: whether Ctrl-C ended it (and forgets it). */
static inline int tern_take_interrupt(void) {
    int seen = tern_interrupt_seen;
    tern_interrupt_seen = 0;
    if (seen) tern_pending_byte = -1;
    return seen;
}
#endif
