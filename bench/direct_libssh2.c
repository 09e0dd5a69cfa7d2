/*
 * The baseline of bench/ssh_bench.py: a minimal, direct libssh2 client.
 *
 * Blocking mode, TCP_NODELAY, one command at a time; nothing of Tern. It is
 * what FIELD-NOTES calls "a minimal Swift + libssh2 program", in C, so that
 * the benchmark measures how much Tern's SSHTransport adds over libssh2.
 *
 * Build:  cc -O2 bench/direct_libssh2.c -lssh2 -o bench/out/direct_libssh2
 * Usage:  direct_libssh2 ADDRESS PORT USER KEYFILE KNOWN_HOSTS MODE N
 *   MODE connect     N fresh connections: TCP connect, handshake (ed25519
 *                    host key preferred), known_hosts check, publickey auth;
 *                    each is timed to "authenticated" and to the end of a
 *                    first `true` on it ("first").
 *   MODE latency     N sequential `true` on one session; each timed from
 *                    channel open to channel freed (open, exec, read stdout
 *                    and stderr to EOF, close, wait closed, exit status).
 *   MODE throughput  N `true` on one session one after another (this
 *                    program never overlaps commands); the whole run is timed.
 *   An optional 8th argument `quickack` re-arms TCP_QUICKACK around every
 *   recv (through libssh2's recv callback): an experiment, not the baseline.
 *   On a fresh connection sshd's reply to the first channel open waits for
 *   the client's delayed ACK (Nagle on the server, ~40 ms); quick ACKs
 *   remove that stall. The table's baseline never passes it.
 * Output: one JSON object per line, times in microseconds.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libssh2.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "knownhost_type.h"

static const char *address, *user, *keyfile, *knownhosts;
static int port;
static int quickack;

/* libssh2's recv callback with TCP_QUICKACK set before and after (Linux
 * clears it again on its own); see `quickack` above. */
static ssize_t quickack_recv(libssh2_socket_t fd, void *buf, size_t len, int flags, void **abstract) {
    (void)abstract;
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    ssize_t r = recv(fd, buf, len, flags);
    int saved = errno;
    setsockopt(fd, IPPROTO_TCP, TCP_QUICKACK, &one, sizeof one);
    return r < 0 ? -saved : r;
}

static long long now_us(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

static void die_session(LIBSSH2_SESSION *s, const char *what) {
    char *msg = NULL;
    if (s) libssh2_session_last_error(s, &msg, NULL, 0);
    fprintf(stderr, "direct_libssh2: %s failed: %s\n", what, msg ? msg : strerror(errno));
    exit(1);
}

struct conn {
    int fd;
    LIBSSH2_SESSION *session;
};

static struct conn open_connection(void) {
    struct conn c = {-1, NULL};
    c.fd = socket(AF_INET, SOCK_STREAM, 0);
    if (c.fd < 0) die_session(NULL, "socket");
    int one = 1;
    setsockopt(c.fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    struct sockaddr_in sin;
    memset(&sin, 0, sizeof sin);
    sin.sin_family = AF_INET;
    sin.sin_port = htons((unsigned short)port);
    if (inet_pton(AF_INET, address, &sin.sin_addr) != 1) die_session(NULL, "inet_pton");
    if (connect(c.fd, (struct sockaddr *)&sin, sizeof sin) != 0) die_session(NULL, "connect");

    c.session = libssh2_session_init();
    if (!c.session) die_session(NULL, "libssh2_session_init");
    libssh2_session_set_blocking(c.session, 1);
    if (quickack) libssh2_session_callback_set(c.session, LIBSSH2_CALLBACK_RECV, (void *)quickack_recv);
    /* libssh2 prefers ECDSA; known_hosts (lab) holds ed25519. */
    if (libssh2_session_method_pref(c.session, LIBSSH2_METHOD_HOSTKEY, "ssh-ed25519") != 0)
        die_session(c.session, "method_pref");
    if (libssh2_session_handshake(c.session, c.fd) != 0) die_session(c.session, "handshake");

    size_t keylen = 0;
    int keytype = 0;
    const char *key = libssh2_session_hostkey(c.session, &keylen, &keytype);
    if (!key) die_session(c.session, "hostkey");
    LIBSSH2_KNOWNHOSTS *kh = libssh2_knownhost_init(c.session);
    if (!kh) die_session(c.session, "knownhost_init");
    if (libssh2_knownhost_readfile(kh, knownhosts, LIBSSH2_KNOWNHOST_FILE_OPENSSH) < 0)
        die_session(c.session, "knownhost_readfile");
    int typemask = knownhost_typemask(keytype);
    struct libssh2_knownhost *found = NULL;
    int check = libssh2_knownhost_checkp(kh, address, port, key, keylen, typemask, &found);
    libssh2_knownhost_free(kh);
    if (check != LIBSSH2_KNOWNHOST_CHECK_MATCH) {
        fprintf(stderr, "direct_libssh2: host key of %s not verified (check=%d)\n", address, check);
        exit(1);
    }

    if (libssh2_userauth_publickey_fromfile_ex(c.session, user, (unsigned)strlen(user), NULL, keyfile, NULL) != 0)
        die_session(c.session, "publickey auth");
    return c;
}

static void close_connection(struct conn c) {
    libssh2_session_disconnect_ex(c.session, SSH_DISCONNECT_BY_APPLICATION, "bye", "");
    libssh2_session_free(c.session);
    close(c.fd);
}

/* One command: channel open, exec, read both streams to EOF, close, exit status. */
static int run_command(LIBSSH2_SESSION *s, const char *command) {
    LIBSSH2_CHANNEL *ch = libssh2_channel_open_ex(s, "session", sizeof "session" - 1,
                                                  LIBSSH2_CHANNEL_WINDOW_DEFAULT, LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
    if (!ch) die_session(s, "channel open");
    if (libssh2_channel_process_startup(ch, "exec", sizeof "exec" - 1, command, (unsigned)strlen(command)) != 0)
        die_session(s, "exec");
    char buf[16384];
    ssize_t n;
    /* `true` writes nothing, so reading stdout then stderr cannot deadlock. */
    while ((n = libssh2_channel_read_ex(ch, 0, buf, sizeof buf)) > 0) {}
    if (n < 0) die_session(s, "read stdout");
    while ((n = libssh2_channel_read_ex(ch, SSH_EXTENDED_DATA_STDERR, buf, sizeof buf)) > 0) {}
    if (n < 0) die_session(s, "read stderr");
    if (libssh2_channel_close(ch) != 0) die_session(s, "channel close");
    if (libssh2_channel_wait_closed(ch) != 0) die_session(s, "channel wait closed");
    int status = libssh2_channel_get_exit_status(ch);
    libssh2_channel_free(ch);
    return status;
}

int main(int argc, char **argv) {
    if (argc != 8 && !(argc == 9 && strcmp(argv[8], "quickack") == 0)) {
        fprintf(stderr, "usage: %s ADDRESS PORT USER KEYFILE KNOWN_HOSTS connect|latency|throughput N [quickack]\n", argv[0]);
        return 64;
    }
    address = argv[1];
    port = atoi(argv[2]);
    user = argv[3];
    keyfile = argv[4];
    knownhosts = argv[5];
    const char *mode = argv[6];
    int n = atoi(argv[7]);
    quickack = argc == 9;
    if (libssh2_init(0) != 0) die_session(NULL, "libssh2_init");

    if (strcmp(mode, "connect") == 0) {
        for (int i = 0; i < n; i++) {
            long long t0 = now_us();
            struct conn c = open_connection();
            long long t1 = now_us();
            int status = run_command(c.session, "true");
            long long t2 = now_us();
            close_connection(c);
            if (status != 0) { fprintf(stderr, "direct_libssh2: true exited %d\n", status); return 1; }
            printf("{\"mode\":\"connect\",\"i\":%d,\"authenticated_us\":%lld,\"first_us\":%lld}\n", i, t1 - t0, t2 - t0);
        }
    } else if (strcmp(mode, "latency") == 0) {
        struct conn c = open_connection();
        for (int i = 0; i < 5; i++) run_command(c.session, "true"); /* warm up */
        for (int i = 0; i < n; i++) {
            long long t0 = now_us();
            int status = run_command(c.session, "true");
            long long t1 = now_us();
            if (status != 0) { fprintf(stderr, "direct_libssh2: true exited %d\n", status); return 1; }
            printf("{\"mode\":\"latency\",\"i\":%d,\"us\":%lld}\n", i, t1 - t0);
        }
        close_connection(c);
    } else if (strcmp(mode, "throughput") == 0) {
        struct conn c = open_connection();
        for (int i = 0; i < 5; i++) run_command(c.session, "true");
        long long t0 = now_us();
        int failed = 0;
        for (int i = 0; i < n; i++) failed += run_command(c.session, "true") != 0;
        long long t1 = now_us();
        close_connection(c);
        printf("{\"mode\":\"throughput\",\"commands\":%d,\"failed\":%d,\"total_us\":%lld}\n", n, failed, t1 - t0);
    } else {
        fprintf(stderr, "direct_libssh2: unknown mode %s\n", mode);
        return 64;
    }
    libssh2_exit();
    return 0;
}
