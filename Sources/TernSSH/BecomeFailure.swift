import TernEngine

/// How `sudo -n` says it would have needed a password.
enum BecomeFailure {
    static let messages = ["sudo: a password is required", "sudo: a terminal is required to read the password"]

    /// Whether a command run through `sudo -n` failed for want of a password.
    static func needsPassword(_ result: CommandResult) -> Bool {
        guard result.exitStatus == 1, result.signal == nil else { return false }
        let stderr = result.stderrText
        return messages.contains { stderr.contains($0) }
    }
}
