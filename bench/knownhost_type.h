/*
 * The known_hosts type mask for libssh2_knownhost_checkp() of a host key
 * whose type libssh2_session_hostkey() reported: a plain host name, the
 * key raw, and the key's own type. Shared by bench/direct_libssh2.c and
 * bench/direct_loop.c (included from beside them: no -I needed).
 */
#ifndef TERN_BENCH_KNOWNHOST_TYPE_H
#define TERN_BENCH_KNOWNHOST_TYPE_H

#include <libssh2.h>

static inline int knownhost_typemask(int keytype)
{
    int typemask = LIBSSH2_KNOWNHOST_TYPE_PLAIN | LIBSSH2_KNOWNHOST_KEYENC_RAW;
    switch (keytype) {
    case LIBSSH2_HOSTKEY_TYPE_ED25519: typemask |= LIBSSH2_KNOWNHOST_KEY_ED25519; break;
    case LIBSSH2_HOSTKEY_TYPE_ECDSA_256: typemask |= LIBSSH2_KNOWNHOST_KEY_ECDSA_256; break;
    case LIBSSH2_HOSTKEY_TYPE_RSA: typemask |= LIBSSH2_KNOWNHOST_KEY_SSHRSA; break;
    default: typemask |= LIBSSH2_KNOWNHOST_KEY_UNKNOWN; break;
    }
    return typemask;
}

#endif
