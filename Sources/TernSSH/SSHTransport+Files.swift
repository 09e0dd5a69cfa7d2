import TernEngine
import TernPlan

/// File transfer over SFTP, made atomic with a rename.
///
/// An upload writes a temporary file next to the destination (`.tern-`
/// and a random suffix, so a rename stays within one file system), syncs it
/// to disk, sets its mode, then replaces the destination with `mv -f` run as
/// a command — SFTP v3 cannot rename onto an existing file with OpenSSH,
/// while rename(2) does so atomically: a reader sees the old file or the new
/// one, never a part. Owner and group are set on the temporary file before
/// the rename, so the destination never exists with the wrong owner.
///
/// With `become`, the login user cannot write the destination: the bytes go
/// to a temporary file in /tmp (mode 0600, readable by root, which is whom
/// `become` usually names), and `sudo -n` installs them next to the
/// destination with the mode, owner and group, then renames them into place.
extension SSHTransport {
    /// The mode of an uploaded file when the options give none.
    public static let defaultFileMode = 0o644

    public func upload(_ data: [UInt8], to path: String, options: UploadOptions, on host: PlanHost) async throws(TransportError) {
        let driver = driver(for: host)
        let name = driver.settings.name
        let mode = try Self.fileMode(options.mode, host: name, path: path)
        let modeText = "0" + String(mode, radix: 8)
        let temporary = Self.directory(of: path) + "/.tern-" + Self.randomSuffix()

        if let user = options.become {
            let staging = "/tmp/.tern-" + Self.randomSuffix()
            try await driver.perform(SFTPWriteOperation(data: data, path: staging, destination: path, mode: 0o600, hostName: name))
            var install = ["install", "-m", modeText]
            if let owner = options.owner { install += ["-o", owner] }
            if let group = options.group { install += ["-g", group] }
            install += ["--", staging, temporary]
            let script =
                ShellQuote.join(install) + " && " + ShellQuote.join(["mv", "-f", "--", temporary, path])
                + " || { rc=$?; rm -f -- \(ShellQuote.quote(temporary)); exit $rc; }"
            let command =
                CommandRequest(script, become: user).shellCommand
                + "; rc=$?; rm -f -- \(ShellQuote.quote(staging)); exit $rc"
            let result = try await driver.perform(ExecOperation(CommandRequest(command), hostName: name))
            if BecomeFailure.needsPassword(result) { throw .becomeNeedsPassword(host: name, user: user) }
            try Self.check(result, host: name, path: path)
            return
        }

        try await driver.perform(SFTPWriteOperation(data: data, path: temporary, destination: path, mode: mode, hostName: name))
        var steps: [String] = []
        switch (options.owner, options.group) {
        case (let owner?, let group?): steps.append(ShellQuote.join(["chown", "--", "\(owner):\(group)", temporary]))
        case (let owner?, nil): steps.append(ShellQuote.join(["chown", "--", owner, temporary]))
        case (nil, let group?): steps.append(ShellQuote.join(["chgrp", "--", group, temporary]))
        case (nil, nil): break
        }
        steps.append(ShellQuote.join(["mv", "-f", "--", temporary, path]))
        let command =
            steps.joined(separator: " && ") + " || { rc=$?; rm -f -- \(ShellQuote.quote(temporary)); exit $rc; }"
        let result = try await driver.perform(ExecOperation(CommandRequest(command), hostName: name))
        try Self.check(result, host: name, path: path)
    }

    public func download(_ path: String, on host: PlanHost) async throws(TransportError) -> [UInt8] {
        let driver = driver(for: host)
        return try await driver.perform(SFTPReadOperation(path: path, hostName: driver.settings.name))
    }

    /// The mode as a number: octal digits, with or without a leading 0.
    static func fileMode(_ text: String?, host: String, path: String) throws(TransportError) -> Int {
        guard let text else { return defaultFileMode }
        guard !text.isEmpty, text.count <= 5, let mode = Int(text, radix: 8), mode <= 0o7777 else {
            throw .fileTransfer(host: host, path: path, reason: "the mode must be octal digits such as 0644, not '\(text)'")
        }
        return mode
    }

    /// The directory part of a path, as the temporary file's place.
    static func directory(of path: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." }
        if slash == path.startIndex { return "" }
        return String(path[..<slash])
    }

    static func randomSuffix() -> String {
        var generator = SystemRandomNumberGenerator()
        let value = generator.next() as UInt64
        let hex = String(value, radix: 16)
        return String(repeating: "0", count: 16 - hex.count) + hex
    }

    private static func check(_ result: CommandResult, host: String, path: String) throws(TransportError) {
        guard !result.succeeded else { return }
        var reason = result.stderrText.split(separator: "\n").last.map(String.init) ?? ""
        if reason.isEmpty {
            reason = result.signal.map { "replacing the file was killed by SIG\($0)" } ?? "replacing the file failed with status \(result.exitStatus)"
        }
        throw .fileTransfer(host: host, path: path, reason: reason)
    }
}
