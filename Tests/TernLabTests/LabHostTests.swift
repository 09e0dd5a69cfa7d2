import Foundation
import Glibc
import Testing
@testable import TernLab

/// What a lab host is: a real sshd on its own address, with its own name and
/// its own writable view of the machine's filesystem. Subnet 127.0.77.
@Suite(.serialized)
struct LabHostTests {
    @Test func upStartsHostsThatOpenSSHReachesByName() throws {
        try withLab(subnet: "127.0.77", hosts: 3) { state throws in
            #expect(state.hosts.map(\.name) == ["lab1", "lab2", "lab3"])
            #expect(state.hosts.map(\.address) == ["127.0.77.1", "127.0.77.2", "127.0.77.3"])
            #expect(state.hosts.allSatisfy { $0.running && $0.pid != nil })

            // StrictHostKeyChecking is on: this passes only with the keys known in advance.
            let result = try ssh(state, "lab2", "hostname")
            #expect(result.status == 0, "\(result.output)")
            #expect(result.output == "lab2")

            var info = stat()
            #expect(stat(state.privateKeyPath, &info) == 0)
            #expect(info.st_mode & 0o777 == 0o600)
            let knownHosts = try #require(FileSystem.read(state.knownHostsPath))
            #expect(knownHosts.split(separator: "\n").filter { $0.hasPrefix("lab2,127.0.77.2 ") }.count == 2)
        }
    }

    @Test func aFileWrittenOnOneHostIsSeenNowhereElse() throws {
        try withLab(subnet: "127.0.77", hosts: 2) { state throws in
            let path = "/var/tmp/tern-lab-marker-\(UInt64.random(in: 0...UInt64.max))"
            #expect(try ssh(state, "lab1", "echo written-on-lab1 > \(path) && echo also > /root/marker").status == 0)
            #expect(try ssh(state, "lab1", "cat \(path)").output == "written-on-lab1")
            #expect(try ssh(state, "lab2", "test -e \(path) || test -e /root/marker").status == 1)
            #expect(!FileSystem.exists(path))
            #expect(!FileSystem.exists("/root/marker") || FileSystem.read("/root/marker") != "also\n")
        }
    }

    @Test func theMachinesPackagesAreThereAndRootIsEmpty() throws {
        try withLab(subnet: "127.0.77", hosts: 1) { state throws in
            let packages = try ssh(state, "lab1", "dpkg-query -W -f '${Status}' openssh-server")
            #expect(packages.output == "install ok installed")
            // An opaque /root: only the lab's authorized key, none of the machine's dotfiles.
            #expect(try ssh(state, "lab1", "ls -A /root /root/.ssh").output == "/root:\n.ssh\n\n/root/.ssh:\nauthorized_keys")
            #expect(try ssh(state, "lab1", "getent hosts lab1").output == "127.0.77.1      lab1")
        }
    }

    @Test func upIsIdempotentAndOnlyGrows() throws {
        try withLab(subnet: "127.0.77", hosts: 2) { first throws in
            let again = try Lab.up(LabConfig(directory: first.directory, hosts: 2, subnet: "127.0.77"))
            #expect(again.hosts == first.hosts)
            let knownHosts = FileSystem.read(first.knownHostsPath)

            let grown = try Lab.up(LabConfig(directory: first.directory, hosts: 3, subnet: "127.0.77"))
            #expect(Array(grown.hosts.prefix(2)) == first.hosts)
            #expect(grown.hosts.count == 3 && grown.hosts[2].running)
            #expect(try ssh(grown, "lab3", "hostname").output == "lab3")
            // The older hosts learn the new one's name.
            #expect(try ssh(grown, "lab1", "getent hosts lab3").output == "127.0.77.3      lab3")
            #expect(FileSystem.read(first.knownHostsPath)?.hasPrefix(knownHosts ?? "-") == true)
            #expect(FileSystem.read(grown.inventoryPath)?.contains("group lab { hosts: [lab1, lab2, lab3] }") == true)

            let smaller = try Lab.up(LabConfig(directory: first.directory, hosts: 1, subnet: "127.0.77"))
            #expect(smaller.hosts == grown.hosts)

            #expect(throws: LabError.self) {
                try Lab.up(LabConfig(directory: first.directory, hosts: 3, subnet: "127.0.78"))
            }
        }
    }
}

/// Stopping and starting hosts, and taking a lab down. Subnet 127.0.78.
@Suite(.serialized)
struct LabLifecycleTests {
    @Test func aStoppedHostRefusesConnectionsAndComesBackAsItWas() throws {
        try withLab(subnet: "127.0.78", hosts: 2) { state throws in
            #expect(try ssh(state, "lab1", "echo kept > /var/tmp/kept").status == 0)
            let knownHosts = FileSystem.read(state.knownHostsPath)

            try Lab.stop(host: "lab1", directory: state.directory)
            let stopped = try Lab.status(directory: state.directory)
            #expect(stopped.host(named: "lab1")?.running == false)
            #expect(stopped.host(named: "lab2")?.running == true)
            #expect(connectionIsRefused("127.0.78.1", port: 22))
            #expect(try ssh(state, "lab2", "hostname").output == "lab2")

            try Lab.start(host: "lab1", directory: state.directory)
            #expect(try Lab.status(directory: state.directory).host(named: "lab1")?.running == true)
            #expect(FileSystem.read(state.knownHostsPath) == knownHosts)
            // Same host key (strict checking against the same known_hosts), same upper layer.
            #expect(try ssh(state, "lab1", "cat /var/tmp/kept").output == "kept")

            #expect(throws: LabError.unknownHost(name: "lab9", known: ["lab1", "lab2"])) {
                try Lab.stop(host: "lab9", directory: state.directory)
            }
        }
    }

    @Test func downLeavesNoProcessListenerOrMountBehind() throws {
        let parent = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        let directory = parent + "/lab"
        defer { try? Lab.down(directory: directory) }
        let state = try Lab.up(LabConfig(directory: directory, hosts: 3, subnet: "127.0.78"))
        let pids = state.hosts.compactMap(\.pid)
        #expect(pids.count == 3)
        #expect(listeningSockets().filter { $0.address.hasPrefix("127.0.78.") }.count == 3)
        #expect(processesWithMounts(under: state.directory).count >= 3)

        try Lab.down(directory: directory)

        for pid in pids {
            let stat = ProcStat.read(pid)
            #expect(stat == nil || stat?.hasExited == true, "pid \(pid) still runs")
        }
        #expect(listeningSockets().filter { $0.address.hasPrefix("127.0.78.") }.isEmpty)
        #expect(processesWithMounts(under: state.directory).isEmpty)
        #expect(FileSystem.read("/proc/self/mountinfo")?.contains(state.directory) == false)
        #expect(!FileSystem.exists(state.directory + "/hosts"))
        #expect(FileSystem.exists(state.privateKeyPath))
        #expect(throws: LabError.noLab(directory: state.directory)) { try Lab.status(directory: directory) }
        try Lab.down(directory: directory)  // nothing left to do
    }
}

/// What `up` refuses, before any host starts. Subnet 127.0.79.
@Suite(.serialized)
struct LabRefusalTests {
    @Test func aFolderOnOverlayfsIsRefused() throws {
        let parent = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        for folder in ["lower", "upper", "work", "merged"] { try FileSystem.makeDirectory(parent + "/" + folder) }
        try Subprocess.run(["mount", "-t", "overlay", "overlay", "-o",
                            "lowerdir=\(parent)/lower,upperdir=\(parent)/upper,workdir=\(parent)/work", parent + "/merged"])
        defer { _ = try? Subprocess.run(["umount", parent + "/merged"]) }

        let directory = parent + "/merged/lab"
        defer { try? Lab.down(directory: directory) }
        #expect {
            try Lab.up(LabConfig(directory: directory, hosts: 1, subnet: "127.0.79"))
        } throws: { error in
            guard case LabError.unsupportedDirectory(_, let reason) = error else { return false }
            return reason.contains("it is on overlay")
        }
        #expect(connectionIsRefused("127.0.79.1", port: 22))
    }

    @Test func anAddressSomethingElseListensOnIsRefused() throws {
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        try #require(listener >= 0)
        defer { close(listener) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(22).bigEndian)
        inet_pton(AF_INET, "127.0.79.2", &address.sin_addr)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        try #require(bound == 0 && listen(listener, 1) == 0)

        let parent = try makeTemporaryFolder()
        let directory = parent + "/lab"
        defer {
            try? Lab.down(directory: directory)
            try? FileManager.default.removeItem(atPath: parent)
        }
        #expect(throws: LabError.addressInUse(host: "lab2", address: "127.0.79.2", port: 22)) {
            try Lab.up(LabConfig(directory: directory, hosts: 2, subnet: "127.0.79"))
        }
        #expect(connectionIsRefused("127.0.79.1", port: 22))
    }

    @Test func aFolderHoldingOtherFilesIsRefused() throws {
        let parent = try makeTemporaryFolder()
        defer { try? FileManager.default.removeItem(atPath: parent) }
        try FileSystem.write(parent + "/notes.txt", "mine\n")
        #expect {
            try Lab.up(LabConfig(directory: parent, hosts: 1, subnet: "127.0.79"))
        } throws: { error in
            "\(error)".contains("already holds other files")
        }
    }
}
