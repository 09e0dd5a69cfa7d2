import Foundation
import Glibc

/// The few file operations the lab needs, on plain paths, with errors that
/// name the path. Reads go through `read(2)` because files in /proc report a
/// size of zero.
enum FileSystem {
    /// The whole file, or nil when it cannot be read (it does not exist, say).
    static func read(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n > 0 { bytes.append(contentsOf: buffer[0..<n]) }
            else if n == 0 { break }
            else if errno != EINTR { return nil }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Replaces the file atomically (a temporary file renamed over it) with the given mode.
    static func write(_ path: String, _ contents: String, mode: mode_t = 0o644) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode)
        guard fd >= 0 else { throw LabError.fileSystem(path: path, reason: errnoText()) }
        var ok = fchmod(fd, mode) == 0
        let bytes = Array(contents.utf8)
        var offset = 0
        while ok && offset < bytes.count {
            let n = bytes[offset...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n > 0 { offset += n } else if n < 0 && errno != EINTR { ok = false }
        }
        let reason = errnoText()
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            throw LabError.fileSystem(path: path, reason: ok ? errnoText() : reason)
        }
    }

    static func exists(_ path: String) -> Bool { access(path, F_OK) == 0 }

    /// Creates the folder and its missing parents; existing ones are left as they are.
    static func makeDirectory(_ path: String, mode: mode_t = 0o755) throws {
        if exists(path) { return }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, parent != path { try makeDirectory(parent) }
        guard mkdir(path, mode) == 0 || errno == EEXIST else { throw LabError.fileSystem(path: path, reason: errnoText()) }
        // mkdir applies the umask; the mode matters for overlay upper folders.
        guard chmod(path, mode) == 0 else { throw LabError.fileSystem(path: path, reason: errnoText()) }
    }

    /// Removes a file or a whole tree; a missing path is not an error.
    static func remove(_ path: String) throws {
        guard exists(path) || isSymbolicLink(path) else { return }
        do {
            try FileManager.default.removeItem(atPath: path)
        } catch {
            throw LabError.fileSystem(path: path, reason: "cannot remove: \(error.localizedDescription)")
        }
    }

    static func isSymbolicLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// The canonical absolute path of an existing file.
    static func realPath(_ path: String) throws -> String {
        guard let resolved = realpath(path, nil) else { throw LabError.fileSystem(path: path, reason: errnoText()) }
        defer { free(resolved) }
        return String(cString: resolved)
    }

    private typealias SetXattr = @convention(c) (UnsafePointer<CChar>, UnsafePointer<CChar>, UnsafeRawPointer, Int, Int32) -> Int32

    /// setxattr(2), looked up at run time because Swift's Glibc module does not
    /// import sys/xattr.h.
    static func setExtendedAttribute(_ path: String, name: String, value: String) throws {
        guard let symbol = dlsym(nil, "setxattr") else {
            throw LabError.fileSystem(path: path, reason: "setxattr is not available in this C library")
        }
        let setxattr = unsafeBitCast(symbol, to: SetXattr.self)
        let bytes = Array(value.utf8)
        let rc = bytes.withUnsafeBytes { raw in
            path.withCString { p in name.withCString { n in setxattr(p, n, raw.baseAddress ?? UnsafeRawPointer(p), raw.count, 0) } }
        }
        guard rc == 0 else { throw LabError.fileSystem(path: path, reason: "cannot set \(name): \(errnoText())") }
    }

    /// The type of the filesystem that holds `path` ("ext4", "overlay", ...),
    /// from the longest mount point in /proc/self/mountinfo that contains it.
    static func fileSystemType(of path: String) -> String? {
        guard let mountinfo = read("/proc/self/mountinfo") else { return nil }
        var best: (length: Int, type: String)?
        for line in mountinfo.split(separator: "\n") {
            let halves = line.components(separatedBy: " - ")
            let fields = halves[0].split(separator: " ")
            guard halves.count >= 2, fields.count >= 5, let type = halves[1].split(separator: " ").first else { continue }
            let mountPoint = unescapeMountinfo(String(fields[4]))
            let contains = mountPoint == "/" || path == mountPoint || path.hasPrefix(mountPoint + "/")
            if contains, mountPoint.count >= (best?.length ?? -1) { best = (mountPoint.count, String(type)) }
        }
        return best?.type
    }

    /// mountinfo writes space, tab, newline and backslash as \ooo octal escapes.
    static func unescapeMountinfo(_ field: String) -> String {
        guard field.contains("\\") else { return field }
        var out: [UInt8] = []
        let bytes = Array(field.utf8)
        var i = 0
        while i < bytes.count {
            if bytes[i] == UInt8(ascii: "\\"), i + 4 <= bytes.count,
               let value = UInt8(String(decoding: bytes[(i + 1)..<(i + 4)], as: UTF8.self), radix: 8) {
                out.append(value)
                i += 4
            } else {
                out.append(bytes[i])
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
