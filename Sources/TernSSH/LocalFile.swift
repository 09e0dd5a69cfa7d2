#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The few file operations the SSH layer's pure parts need (read a config,
/// a known_hosts file or a key; append a known_hosts line; expand a glob),
/// over POSIX calls so that failures carry the system's reason.
enum LocalFile {
    /// A failed file operation: the path and `strerror` of the cause.
    struct Failure: Error, Sendable {
        let path: String
        let reason: String
    }

    /// The file's bytes; nil when it does not exist.
    static func contents(_ path: String) throws(Failure) -> [UInt8]? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT || errno == ENOTDIR { return nil }
            throw failure(path)
        }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path) }
        if info.st_mode & S_IFMT == S_IFDIR { throw Failure(path: path, reason: "is a directory") }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            if count == 0 { return bytes }
            bytes += chunk[0..<count]
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var info = stat()
        return stat(path, &info) == 0 && info.st_mode & S_IFMT == S_IFDIR
    }

    /// Appends `bytes` with a single `write` (so that concurrent appends of
    /// whole lines do not interleave), creating the file with `mode` and any
    /// missing directories with `directoryMode`. A newline is written first
    /// when the file does not already end with one.
    static func appendLine(_ bytes: [UInt8], to path: String, mode: mode_t, directoryMode: mode_t) throws(Failure) {
        try makeParentDirectories(of: path, mode: directoryMode)
        let fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, mode)  // read: the last byte
        guard fd >= 0 else { throw failure(path) }
        defer { close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw failure(path) }
        var line = bytes
        if info.st_size > 0 {
            var last: UInt8 = 0
            if pread(fd, &last, 1, off_t(info.st_size - 1)) == 1 && last != UInt8(ascii: "\n") {
                line.insert(UInt8(ascii: "\n"), at: 0)
            }
        }
        var written = 0
        while written < line.count {
            let count = line[written...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if count < 0 {
                if errno == EINTR { continue }
                throw failure(path)
            }
            written += count
        }
    }

    /// The paths that a shell glob matches, sorted; none when nothing does.
    static func expandGlob(_ pattern: String) throws(Failure) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        let status = glob(pattern, 0, nil, &result)
        if status == GLOB_NOMATCH { return [] }
        guard status == 0 else { throw Failure(path: pattern, reason: "glob failed (\(status))") }
        return (0..<Int(result.gl_pathc)).compactMap { index in
            result.gl_pathv[index].map { String(cString: $0) }
        }
    }

    private static func makeParentDirectories(of path: String, mode: mode_t) throws(Failure) {
        var components = path.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        guard !components.isEmpty else { return }
        var prefix = path.hasPrefix("/") ? "" : "."
        if path.hasPrefix("/") { components = components.dropFirst() }
        for component in components where !component.isEmpty {
            prefix += "/" + component
            if mkdir(prefix, mode) != 0 && errno != EEXIST { throw failure(prefix) }
        }
    }

    private static func failure(_ path: String) -> Failure {
        Failure(path: path, reason: String(cString: strerror(errno)))
    }
}
