/// Everything that can go wrong with a lab, each with the message a person
/// needs to fix it.
public enum LabError: Error, Sendable, Hashable, CustomStringConvertible {
    /// Namespaces and overlay mounts need root.
    case notRoot
    /// A program the lab runs is missing; `package` is the Debian package that has it.
    case missingTool(name: String, package: String)
    /// A field of `LabConfig` is out of range.
    case invalidConfig(String)
    /// The lab folder cannot hold the hosts' upper layers.
    case unsupportedDirectory(directory: String, reason: String)
    /// `status`, `stop` or `start` on a folder where no lab was brought up.
    case noLab(directory: String)
    /// `up` asked for other addresses or names than the lab already has.
    case incompatibleLab(directory: String, existing: String, requested: String)
    case unknownHost(name: String, known: [String])
    /// Something that is not this lab's host already listens on a host's address.
    case addressInUse(host: String, address: String, port: Int)
    /// A host's processes exited before its sshd answered.
    case hostFailedToStart(host: String, logPath: String, logTail: String)
    /// A host's processes run but its sshd did not answer in time.
    case hostNotReady(host: String, address: String, port: Int, seconds: Int, logPath: String, logTail: String)
    case hostWouldNotStop(host: String, pid: Int32)
    /// A helper program (ssh-keygen, mount) failed.
    case commandFailed(command: String, status: Int32, output: String)
    /// Reading or writing a file of the lab failed.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .notRoot:
            return "lab hosts need root: they use namespaces and overlay mounts; run as root or with sudo"
        case .missingTool(let name, let package):
            return "\(name) is not installed: lab hosts need it; install the Debian package \(package) (apt-get install \(package))"
        case .invalidConfig(let message):
            return message
        case .unsupportedDirectory(let directory, let reason):
            return "the lab folder \(directory) cannot hold the hosts' overlay layers: \(reason)"
        case .noLab(let directory):
            return "no lab in \(directory): start one with `tern lab up --dir \(directory)`"
        case .incompatibleLab(let directory, let existing, let requested):
            return "the lab in \(directory) uses \(existing), not \(requested): run `tern lab down --dir \(directory)` first, or use another --dir"
        case .unknownHost(let name, let known):
            return "the lab has no host '\(name)'; its hosts are \(known.joined(separator: ", "))"
        case .addressInUse(let host, let address, let port):
            return "\(address):\(port), the address of \(host), is already in use by a process that is not this lab's: stop it or choose another --subnet"
        case .hostFailedToStart(let host, let logPath, let logTail):
            return "\(host) exited while starting; the end of its log \(logPath):\n\(logTail)"
        case .hostNotReady(let host, let address, let port, let seconds, let logPath, let logTail):
            return "\(host)'s sshd did not answer on \(address):\(port) within \(seconds) s; the end of its log \(logPath):\n\(logTail)"
        case .hostWouldNotStop(let host, let pid):
            return "\(host) (pid \(pid)) did not stop, even after SIGKILL"
        case .commandFailed(let command, let status, let output):
            return "`\(command)` failed (exit status \(status))" + (output.isEmpty ? "" : ":\n\(output)")
        case .fileSystem(let path, let reason):
            return "\(path): \(reason)"
        }
    }
}
