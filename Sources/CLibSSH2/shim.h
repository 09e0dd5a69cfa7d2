#ifndef TERN_CLIBSSH2_SHIM_H
#define TERN_CLIBSSH2_SHIM_H
#include <libssh2.h>
#include <libssh2_sftp.h>
#include <libssh2_publickey.h>
/* OPENSSL_thread_stop: see SessionDriver's ThreadEntry. */
#include <openssl/crypto.h>
#if defined(__linux__)
/* mallopt(M_ARENA_MAX): see TernSSH's MallocArenas.swift. */
#include <malloc.h>
#endif
#endif
