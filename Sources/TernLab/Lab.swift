import Foundation
import Glibc

/// Local lab hosts: real OpenSSH servers on loopback addresses, each in its
/// own namespaces with its own writable view of the machine's filesystem.
///
/// Host K is an sshd listening on SUBNET.K, running as PID 1 of new mount,
/// UTS, IPC and PID namespaces, chrooted into an overlay whose lower layer is
/// `/` and whose upper layer is the host's folder in the lab folder (see
/// `HostSetup`). What one host writes, deletes or installs, the others and the
/// machine do not see. The network namespace is shared: every daemon in a
/// host must bind that host's address.
///
/// The lab folder records the hosts and their processes (`LabRecord`), so
/// each command may run in a new process; a lock serializes the commands that
/// change a lab. `up` is idempotent: running hosts are kept, stopped and new
/// ones started, all at once, then awaited together (`SSHBanner`). `stop` and
/// `start` keep a host's folder, so a restarted host has its keys and its
/// files; `down` stops every host and deletes the hosts' folders, keeping only
/// the client key.
public enum Lab {
    /// How long a host may take from start to its SSH banner.
    static let readinessTimeout: Double = 20

    /// Brings the lab up: the hosts of `config` (and any more the lab already
    /// has) running and answering SSH, and the client files written.
    public static func up(_ config: LabConfig) throws -> LabState {
        let tools = try Prerequisites.check()
        try config.validate()
        let layout = try openDirectory(config.directory, create: true)
        return try withLock(layout) {
            var record = try LabRecord.load(layout)
                ?? LabRecord(subnet: config.subnet, namePrefix: config.namePrefix, port: config.port, hosts: [])
            guard record.subnet == config.subnet, record.namePrefix == config.namePrefix, record.port == config.port else {
                throw LabError.incompatibleLab(
                    directory: layout.directory,
                    existing: LabRecord.addressing(subnet: record.subnet, namePrefix: record.namePrefix, port: record.port),
                    requested: LabRecord.addressing(subnet: config.subnet, namePrefix: config.namePrefix, port: config.port))
            }
            while record.hosts.count < config.hosts {
                let k = record.hosts.count + 1
                record.hosts.append(HostRecord(name: config.name(ofHost: k), address: config.address(ofHost: k), port: config.port))
            }
            try ensureClientKey(layout, tools: tools)
            let stopped = record.hosts.indices.filter { !(record.hosts[$0].process?.isRunning ?? false) }
            if !stopped.isEmpty { try start(stopped, of: &record, layout: layout, tools: tools) }
            try writeClientFiles(record, layout: layout)
            try record.save(layout)
            return state(record, layout: layout)
        }
    }

    /// The lab in `directory` as it is now. Needs no root.
    public static func status(directory: String) throws -> LabState {
        let layout = try openDirectory(directory, create: false)
        guard let record = try LabRecord.load(layout) else { throw LabError.noLab(directory: layout.directory) }
        return state(record, layout: layout)
    }

    /// Stops every host and deletes the hosts' folders, known_hosts,
    /// ssh_config and inventory; keeps the client key. No lab: nothing to do.
    public static func down(directory: String) throws {
        guard geteuid() == 0 else { throw LabError.notRoot }
        guard FileSystem.exists(directory) else { return }
        let layout = try openDirectory(directory, create: false)
        try withLock(layout) {
            guard let record = try LabRecord.load(layout) else { return }
            try stop(record.hosts.filter { $0.process != nil })
            for path in [layout.hostsDirectory, layout.knownHosts, layout.sshConfig, layout.inventory, layout.hostScript, layout.stateFile] {
                try FileSystem.remove(path)
            }
        }
    }

    /// Stops one host; its folder (keys, files) stays for `start`.
    public static func stop(host name: String, directory: String) throws {
        guard geteuid() == 0 else { throw LabError.notRoot }
        let layout = try openDirectory(directory, create: false)
        try withLock(layout) {
            var record = try loadExisting(layout)
            let i = try index(of: name, in: record)
            try stop([record.hosts[i]])
            record.hosts[i].process = nil
            try record.save(layout)
        }
    }

    /// Starts one stopped host again, with the same keys and the same upper
    /// layer. A running host is left as it is.
    public static func start(host name: String, directory: String) throws {
        let tools = try Prerequisites.check()
        let layout = try openDirectory(directory, create: false)
        try withLock(layout) {
            var record = try loadExisting(layout)
            let i = try index(of: name, in: record)
            if record.hosts[i].process?.isRunning ?? false { return }
            try start([i], of: &record, layout: layout, tools: tools)
            try record.save(layout)
        }
    }

    // MARK: - Hosts

    /// Starts the hosts at `indices` of the record, all at once, and waits for
    /// every one to answer. On failure, stops the ones it started.
    private static func start(_ indices: [Int], of record: inout LabRecord, layout: LabLayout, tools: Prerequisites.Tools) throws {
        try Prerequisites.probeOverlay(layout, tools: tools)
        for i in indices {
            record.hosts[i].process = nil
            let host = record.hosts[i]
            if SSHBanner.isListening(address: host.address, port: host.port) {
                throw LabError.addressInUse(host: host.name, address: host.address, port: host.port)
            }
        }
        guard let publicKey = FileSystem.read(layout.publicKey) else {
            throw LabError.fileSystem(path: layout.publicKey, reason: "cannot read the client's public key")
        }
        for i in indices {
            let host = record.hosts[i]
            try HostSetup.prepare(layout.host(host.name), name: host.name, address: host.address, port: host.port, publicKey: publicKey, tools: tools)
        }
        try FileSystem.write(layout.hostScript, HostSetup.script, mode: 0o755)
        do {
            var targets: [SSHBanner.Target] = []
            for i in indices {
                let host = record.hosts[i]
                let folder = layout.host(host.name)
                let process = try HostProcess.start(
                    [tools.unshare, "--mount", "--uts", "--ipc", "--pid", "--fork", "--kill-child", "--propagation", "private",
                     "/bin/sh", layout.hostScript, folder.directory, host.name, layout.directory, tools.sshd],
                    logPath: folder.log)
                record.hosts[i].process = process
                targets.append(SSHBanner.Target(name: host.name, address: host.address, port: host.port, process: process, logPath: folder.log))
            }
            // Recorded before waiting, so that `down` finds them whatever happens next.
            try record.save(layout)
            try SSHBanner.waitForAll(targets, timeout: readinessTimeout)
            try updateHostsFiles(record)
        } catch {
            _ = HostProcess.stop(indices.compactMap { record.hosts[$0].process })
            for i in indices { record.hosts[i].process = nil }
            try? record.save(layout)
            throw error
        }
    }

    private static func stop(_ hosts: [HostRecord]) throws {
        let stuck = HostProcess.stop(hosts.compactMap(\.process))
        if let process = stuck.first, let host = hosts.first(where: { $0.process == process }) {
            throw LabError.hostWouldNotStop(host: host.name, pid: process.pid)
        }
    }

    /// Writes the lab's block of /etc/hosts into every running host, so that
    /// the hosts know each other by name (`gluster peer probe lab2`). Written
    /// through /proc/PID/root, the host's own view of its filesystem.
    private static func updateHostsFiles(_ record: LabRecord) throws {
        let table = ProcStat.all()
        let block = LabFiles.hostsBlock(record.hosts)
        for host in record.hosts {
            guard let process = host.process, process.isRunning, let initPID = process.namespaceInit(in: table) else { continue }
            let path = "/proc/\(initPID)/root/etc/hosts"
            let existing = FileSystem.read(path) ?? ""
            let merged = LabFiles.mergeHostsFile(existing, block: block)
            if merged != existing { try FileSystem.write(path, merged) }
        }
    }

    // MARK: - Files

    private static func ensureClientKey(_ layout: LabLayout, tools: Prerequisites.Tools) throws {
        if !FileSystem.exists(layout.privateKey) {
            try FileSystem.remove(layout.publicKey)
            try Subprocess.run([tools.sshKeygen, "-q", "-t", "ed25519", "-N", "", "-C", "tern-lab", "-f", layout.privateKey])
        } else if !FileSystem.exists(layout.publicKey) {
            try FileSystem.write(layout.publicKey, try Subprocess.run([tools.sshKeygen, "-y", "-f", layout.privateKey]))
        }
        guard chmod(layout.privateKey, 0o600) == 0 else { throw LabError.fileSystem(path: layout.privateKey, reason: errnoText()) }
    }

    private static func writeClientFiles(_ record: LabRecord, layout: LabLayout) throws {
        let keys = record.hosts.map { host in
            (host: host, publicKeys: HostKeyType.allCases.compactMap { FileSystem.read(layout.host(host.name).hostKey($0) + ".pub") })
        }
        try FileSystem.write(layout.knownHosts, LabFiles.knownHosts(keys))
        try FileSystem.write(layout.sshConfig, LabFiles.sshConfig(record.hosts, layout: layout))
        try FileSystem.write(layout.inventory, LabFiles.inventory(record.hosts, layout: layout))
    }

    // MARK: - The lab folder

    /// The lab folder as an absolute, canonical path; created when asked.
    private static func openDirectory(_ directory: String, create: Bool) throws -> LabLayout {
        try LabLayout.validate(directory: directory)
        let absolute = directory.hasPrefix("/") ? directory : FileManager.default.currentDirectoryPath + "/" + directory
        if create {
            if let entries = try? FileManager.default.contentsOfDirectory(atPath: absolute), !entries.isEmpty,
               !entries.contains("lab.json"), !entries.contains("id_ed25519") {
                throw LabError.unsupportedDirectory(directory: absolute, reason: "it already holds other files; use a new or empty folder")
            }
            try FileSystem.makeDirectory(absolute)
        } else if !FileSystem.exists(absolute) {
            throw LabError.noLab(directory: absolute)
        }
        let resolved = try FileSystem.realPath(absolute)
        try LabLayout.validate(directory: resolved)
        return LabLayout(directory: resolved)
    }

    private static func loadExisting(_ layout: LabLayout) throws -> LabRecord {
        guard let record = try LabRecord.load(layout) else { throw LabError.noLab(directory: layout.directory) }
        return record
    }

    private static func index(of name: String, in record: LabRecord) throws -> Int {
        guard let i = record.hosts.firstIndex(where: { $0.name == name }) else {
            throw LabError.unknownHost(name: name, known: record.hosts.map(\.name))
        }
        return i
    }

    /// Runs `body` holding the lab's lock (flock), so that two commands never
    /// change one lab at once.
    private static func withLock<T>(_ layout: LabLayout, _ body: () throws -> T) throws -> T {
        let fd = open(layout.lockFile, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw LabError.fileSystem(path: layout.lockFile, reason: errnoText()) }
        defer { close(fd) }
        while flock(fd, LOCK_EX) != 0 {
            guard errno == EINTR else { throw LabError.fileSystem(path: layout.lockFile, reason: errnoText()) }
        }
        return try body()
    }

    private static func state(_ record: LabRecord, layout: LabLayout) -> LabState {
        let hosts = record.hosts.map { host in
            let running = host.process?.isRunning ?? false
            return LabHost(name: host.name, address: host.address, port: host.port,
                           pid: running ? host.process?.pid : nil, running: running, logPath: layout.host(host.name).log)
        }
        return LabState(directory: layout.directory, subnet: record.subnet, hosts: hosts, privateKeyPath: layout.privateKey,
                        knownHostsPath: layout.knownHosts, inventoryPath: layout.inventory, sshConfigPath: layout.sshConfig)
    }
}
