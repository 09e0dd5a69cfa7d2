import CLibSSH2

/// The SSH transport runs one thread per host. glibc gives threads that
/// allocate at the same time arenas of their own, up to 8 × cores of them,
/// and each keeps pages resident: at 100 hosts that is several megabytes of
/// memory held for nothing. A process that talks to many hosts calls this
/// once, before it starts sessions.
public enum MallocArenas {
    public static func limit(to count: Int32 = 2) {
        #if os(Linux)
        _ = mallopt(M_ARENA_MAX, count)
        #endif
    }
}
