/*
 * The baseline of bench/engine_bench.py: the playbook's commands run by a
 * direct libssh2 loop, with nothing of Tern.
 *
 * One thread (pthread) per host, each with its own blocking libssh2 session
 * (TCP_NODELAY, ed25519 host key checked against known_hosts, publickey
 * auth: the connection code of bench/direct_libssh2.c). On its host a thread
 * runs the actions one by one, in order, one command at a time, as Tern
 * would for one action: the check; if it fails (exit status not 0), the
 * apply, then the check again, which must pass now. Standard input, when an
 * action has some, goes to the apply (a file's content to `cat`).
 *
 * Build:  cc -O2 bench/direct_loop.c -lssh2 -lpthread -o bench/out/direct_loop
 * Usage:  direct_loop HOSTS_FILE USER KEYFILE KNOWN_HOSTS
 *   HOSTS_FILE  one host a line: NAME ADDRESS PORT ACTIONS_FILE
 *   ACTIONS_FILE  the host's actions, in order, as NUL-terminated fields,
 *               three per action: CHECK, APPLY, STDIN (of the apply; may
 *               be empty).
 * Output: one JSON object per host, then a summary line ("hosts"); times
 * in microseconds. Exit status 1 when anything failed on any host (the
 * messages on standard error), 64 for a wrong command line.
 *
 * Also the benchmark's process meter:
 *         direct_loop --measure RESULT_FILE TIMEOUT_S COMMAND [ARG...]
 *   forks and execs COMMAND (standard streams inherited), waits for it with
 *   wait4 and writes to RESULT_FILE one JSON object: wall_us (fork to
 *   reaped), maxrss_kib (COMMAND's peak RSS), cpu_us (its user + system
 *   CPU time), exit (its exit status, or
 *   128 + signal), killed (true when it ran over TIMEOUT_S seconds and was
 *   killed). A program started from Python cannot measure this itself: a
 *   child inherits the peak RSS of the process that forked it (the kernel
 *   keeps the old memory's high-water mark across exec), so every child of
 *   the Python harness would weigh at least as much as Python (~15 MiB,
 *   even /bin/true). Forked from this small program, the floor is ~1-2 MiB.
 *   SIGTERM to the meter kills COMMAND too. Exit status 0 when the result
 *   was written, whatever COMMAND's.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <signal.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "knownhost_type.h"

#define MAX_HOSTS 1024

static const char *user, *keyfile, *knownhosts;

struct action {
    const char *check, *apply, *input;
    size_t input_len;
};

struct host {
    char name[128], address[64], actions_path[4096];
    int port;
    struct action *actions;
    int nactions;
    char *actions_buf;
    /* results */
    int failed;
    char error[512];
    int commands, changed, ok;
    long long connect_us, total_us;
    pthread_t thread;
};

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Records the first error of a host; returns -1 for `return fail(...)`. */
static int fail(struct host *h, LIBSSH2_SESSION *s, const char *what) {
    if (h->failed) return -1;
    char *msg = NULL;
    if (s) libssh2_session_last_error(s, &msg, NULL, 0);
    snprintf(h->error, sizeof h->error, "%s: %s failed: %s", h->name, what, msg ? msg : strerror(errno));
    h->failed = 1;
    return -1;
}

struct conn {
    int fd;
    LIBSSH2_SESSION *session;
};

static int open_connection(struct host *h, struct conn *c) {
    c->fd = -1;
    c->session = NULL;
    c->fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c->fd < 0) return fail(h, NULL, "socket");
    int one = 1;
    setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)h->port);
    if (inet_pton(AF_INET, h->address, &sin.sin_addr) != 1) return fail(h, NULL, "inet_pton");
    if (connect(c->fd, (struct sockaddr *)&sin, sizeof sin) != 0) return fail(h, NULL, "connect");

    c->session = libssh2_session_init();
    if (!c->session) return fail(h, NULL, "libssh2_session_init");
    libssh2_session_set_blocking(c->session, 1);
    /* libssh2 prefers ECDSA; known_hosts (lab) holds ed25519. */
    if (libssh2_session_method_pref(c->session, LIBSSH2_METHOD_HOSTKEY, "ssh-ed25519") != 0)
        return fail(h, c->session, "method_pref");
    if (libssh2_session_handshake(c->session, c->fd) != 0) return fail(h, c->session, "handshake");

    size_t keylen = 0;
    int keytype = 0;
    const char *key = libssh2_session_hostkey(c->session, &keylen, &keytype);
    if (!key) return fail(h, c->session, "hostkey");
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(c->session);
    if (!kh) return fail(h, c->session, "knownhost_init");
    if (libssh2_knownhost_readfile(kh, knownhosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0) {
        libssh2_knownhost_free(kh);
        return fail(h, c->session, "knownhost_readfile");
    }
    int typemask = knownhost_typemask(keytype);
    struct libssh2_knownhost *found = NULL;
    int check = libssh2_knownhost_checkp(kh, h->address, h->port, key, keylen, typemask, &found);
    libssh2_knownhost_free(kh);
    if (check != LIBSSH2_KNOWNHOST_CHECK_MATCH) {
        errno = 0;
        snprintf(h->error, sizeof h->error, "%s: host key of %s not verified (check=%d)", h->name, h->address, check);
        h->failed = 1;
        return -1;
    }

    if (libssh2_userauth_publickey_fromfile_ex(c->session, user, (unsigned)strlen(user), NULL, keyfile, NULL) != 0)
        return fail(h, c->session, "publickey auth");
    return 0;
}

static void close_connection(struct conn *c) {
    if (c->session) {
        libssh2_session_disconnect_ex(c->session, SSH_DISCONNECT_BY_APPLICATION, "bye", "");
        libssh2_session_free(c->session);
    }
    if (c->fd >= 0) close(c->fd);
}

/* One command: channel open, exec, write stdin (if any) and EOF, read both
 * streams to EOF, close, exit status. The playbook's commands print little,
 * so reading stdout then stderr cannot fill a window and deadlock. Returns
 * the exit status, or -1 (the error recorded) when the session failed. */
static int run_command(struct host *h, LIBSSH2_SESSION *s, const char *command, const char *input, size_t input_len) {
    h->commands++;
    LIBSSH2_CHANNEL *ch = libssh2_channel_open_ex(s, "session", sizeof "session" - 1,
                                                  LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
    if (!ch) return fail(h, s, "channel open");
    if (libssh2_channel_process_startup(ch, "exec", sizeof "exec" - 1, command, (unsigned)strlen(command)) != 0)
        return fail(h, s, "exec");
    size_t off = 0;
    while (off < input_len) {
        ssize_t w = libssh2_channel_write_ex(ch, 0, input + off, input_len - off);
        if (w < 0) return fail(h, s, "write stdin");
        off += (size_t)w;
    }
    if (libssh2_channel_send_eof(ch) != 0) return fail(h, s, "send eof");
    char buf[16384];
    ssize_t n;
    while ((n = libssh2_channel_read_ex(ch, 0, buf, sizeof buf)) > 0) {}
    if (n < 0) return fail(h, s, "read stdout");
    while ((n = libssh2_channel_read_ex(ch, SSH_EXTENDED_DATA_STDERR, buf, sizeof buf)) > 0) {}
    if (n < 0) return fail(h, s, "read stderr");
    if (libssh2_channel_close(ch) != 0) return fail(h, s, "channel close");
    if (libssh2_channel_wait_closed(ch) != 0) return fail(h, s, "channel wait closed");
    int status = libssh2_channel_get_exit_status(ch);
    libssh2_channel_free(ch);
    return status;
}

static void *host_main(void *arg) {
    struct host *h = arg;
    long long t0 = now_us();
    struct conn c;
    if (open_connection(h, &c) == 0) {
        h->connect_us = now_us() - t0;
        for (int i = 0; i < h->nactions && !h->failed; i++) {
            struct action *a = &h->actions[i];
            int st = run_command(h, c.session, a->check, NULL, 0);
            if (st < 0) break;
            if (st == 0) {
                h->ok++;
                continue;
            }
            st = run_command(h, c.session, a->apply, a->input, a->input_len);
            if (st < 0) break;
            if (st != 0) {
                snprintf(h->error, sizeof h->error, "%s: action %d: the apply failed with status %d", h->name, i + 1, st);
                h->failed = 1;
                break;
            }
            st = run_command(h, c.session, a->check, NULL, 0);
            if (st < 0) break;
            if (st != 0) {
                snprintf(h->error, sizeof h->error, "%s: action %d: did not converge (check status %d)", h->name, i + 1, st);
                h->failed = 1;
                break;
            }
            h->changed++;
        }
    }
    close_connection(&c);
    h->total_us = now_us() - t0;
    return NULL;
}

/* Reads a host's actions file: NUL-terminated fields, three per action. */
static int load_actions(struct host *h) {
    FILE *f = fopen(h->actions_path, "rb");
    if (!f) {
        fprintf(stderr, "direct_loop: %s: %s\n", h->actions_path, strerror(errno));
        return -1;
    }
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t r;
    while (buf && (r = fread(buf + len, 1, cap - len, f)) > 0) {
        len += r;
        if (len == cap) buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (!buf) return -1;
    int fields = 0;
    for (size_t i = 0; i < len; i++) fields += buf[i] == '\0';
    if (len == 0 || buf[len - 1] != '\0' || fields % 3 != 0) {
        fprintf(stderr, "direct_loop: %s: not NUL-terminated CHECK, APPLY, STDIN triples\n", h->actions_path);
        return -1;
    }
    h->nactions = fields / 3;
    h->actions = calloc((size_t)h->nactions, sizeof *h->actions);
    char *p = buf;
    for (int i = 0; i < h->nactions; i++) {
        h->actions[i].check = p;
        p += strlen(p) + 1;
        h->actions[i].apply = p;
        p += strlen(p) + 1;
        h->actions[i].input = p;
        h->actions[i].input_len = strlen(p);
        p += h->actions[i].input_len + 1;
    }
    h->actions_buf = buf;
    return 0;
}

static void json_string(const char *s) {
    putchar('"');
    for (; *s; s++) {
        if (*s == '"' || *s == '\\') printf("\\%c", *s);
        else if ((unsigned char)*s < 0x20) printf("\\u%04x", *s);
        else putchar(*s);
    }
    putchar('"');
}

static volatile sig_atomic_t measured_child = 0, measured_killed = 0;

static void kill_measured(int sig) {
    if (sig == SIGALRM) measured_killed = 1;
    if (measured_child > 0) kill((pid_t)measured_child, SIGKILL);
}

static int measure(int argc, char **argv) {
    if (argc < 5) {
        fprintf(stderr, "usage: %s --measure RESULT_FILE TIMEOUT_S COMMAND [ARG...]\n", argv[0]);
        return 64;
    }
    const char *result = argv[2];
    int timeout = atoi(argv[3]);
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = kill_measured;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    long long t0 = now_us();
    pid_t pid = fork();
    if (pid < 0) {
        perror("direct_loop: fork");
        return 1;
    }
    if (pid == 0) {
        signal(SIGALRM, SIG_DFL);
        signal(SIGTERM, SIG_DFL);
        signal(SIGINT, SIG_DFL);
        execv(argv[4], argv + 4);
        fprintf(stderr, "direct_loop: exec %s: %s\n", argv[4], strerror(errno));
        _exit(127);
    }
    measured_child = pid;
    if (timeout > 0) alarm((unsigned)timeout);
    int status = 0;
    struct rusage usage;
    pid_t r;
    while ((r = wait4(pid, &status, 0, &usage)) < 0 && errno == EINTR) {}
    long long wall = now_us() - t0;
    alarm(0);
    if (r < 0) {
        perror("direct_loop: wait4");
        return 1;
    }
    int code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    FILE *f = fopen(result, "w");
    if (!f) {
        fprintf(stderr, "direct_loop: %s: %s\n", result, strerror(errno));
        return 1;
    }
    long long cpu = (long long)(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000000LL + usage.ru_utime.tv_usec +
                    usage.ru_stime.tv_usec;
    fprintf(f, "{\"wall_us\":%lld,\"maxrss_kib\":%ld,\"cpu_us\":%lld,\"exit\":%d,\"killed\":%s}\n", wall,
            usage.ru_maxrss, cpu, code, measured_killed ? "true" : "false");
    return fclose(f) == 0 ? 0 : 1;
}

int main(int argc, char **argv) {
    if (argc >= 2 && strcmp(argv[1], "--measure") == 0) return measure(argc, argv);
    if (argc != 5) {
        fprintf(stderr, "usage: %s HOSTS_FILE USER KEYFILE KNOWN_HOSTS\n", argv[0]);
        return 64;
    }
    user = argv[2];
    keyfile = argv[3];
    knownhosts = argv[4];
    FILE *f = fopen(argv[1], "r");
    if (!f) {
        fprintf(stderr, "direct_loop: %s: %s\n", argv[1], strerror(errno));
        return 64;
    }
    static struct host hosts[MAX_HOSTS];
    int n = 0;
    char line[8192];
    while (fgets(line, sizeof line, f)) {
        if (line[0] == '\n' || line[0] == '#') continue;
        if (n == MAX_HOSTS) {
            fprintf(stderr, "direct_loop: more than %d hosts\n", MAX_HOSTS);
            return 64;
        }
        struct host *h = &hosts[n];
        if (sscanf(line, "%127s %63s %d %4095s", h->name, h->address, &h->port, h->actions_path) != 4) {
            fprintf(stderr, "direct_loop: %s: bad line: %s", argv[1], line);
            return 64;
        }
        if (load_actions(h) != 0) return 64;
        n++;
    }
    fclose(f);
    if (n == 0) {
        fprintf(stderr, "direct_loop: no hosts in %s\n", argv[1]);
        return 64;
    }

    /* libssh2_init is not thread-safe: once, before the threads. */
    if (libssh2_init(0) != 0) {
        fprintf(stderr, "direct_loop: libssh2_init failed\n");
        return 1;
    }
    long long t0 = now_us();
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 1024 * 1024);
    for (int i = 0; i < n; i++) {
        int e = pthread_create(&hosts[i].thread, &attr, host_main, &hosts[i]);
        if (e != 0) {
            fprintf(stderr, "direct_loop: pthread_create: %s\n", strerror(e));
            return 1;
        }
    }
    for (int i = 0; i < n; i++) pthread_join(hosts[i].thread, NULL);
    long long total = now_us() - t0;

    int failed = 0, commands = 0, changed = 0, ok = 0;
    for (int i = 0; i < n; i++) {
        struct host *h = &hosts[i];
        failed += h->failed;
        commands += h->commands;
        changed += h->changed;
        ok += h->ok;
        if (h->failed) fprintf(stderr, "direct_loop: %s\n", h->error);
        printf("{\"host\":");
        json_string(h->name);
        printf(",\"failed\":%s,\"commands\":%d,\"changed\":%d,\"ok\":%d,\"connect_us\":%lld,\"total_us\":%lld}\n",
               h->failed ? "true" : "false", h->commands, h->changed, h->ok, h->connect_us, h->total_us);
    }
    printf("{\"hosts\":%d,\"failed\":%d,\"commands\":%d,\"changed\":%d,\"ok\":%d,\"total_us\":%lld}\n",
           n, failed, commands, changed, ok, total);
    for (int i = 0; i < n; i++) {
        free(hosts[i].actions);
        free(hosts[i].actions_buf);
    }
    libssh2_exit();
    return failed ? 1 : 0;
}
