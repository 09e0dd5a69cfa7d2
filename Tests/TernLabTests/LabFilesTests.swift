import Testing
@testable import TernLab

/// The files a lab writes, and the checks it makes before starting anything:
/// pure functions, no root needed.
@Suite struct LabFilesTests {
    let layout = LabLayout(directory: "/var/lib/tern-lab")
    let hosts = [
        HostRecord(name: "lab1", address: "127.0.1.1", port: 22),
        HostRecord(name: "lab2", address: "127.0.1.2", port: 22),
    ]

    @Test func inventoryListsEveryHostAndTheGroupLab() {
        let text = LabFiles.inventory(hosts, layout: layout)
        #expect(text.contains(#"host lab1 { address: "127.0.1.1", port: 22, user: "root", gluster_address: "127.0.1.1" }"#))
        #expect(text.contains(#"host lab2 { address: "127.0.1.2", port: 22, user: "root", gluster_address: "127.0.1.2" }"#))
        #expect(text.hasSuffix("group lab { hosts: [lab1, lab2] }\n"))
    }

    @Test func knownHostsNamesEachKeyByHostNameAndAddress() {
        let text = LabFiles.knownHosts([
            (hosts[0], ["ssh-ed25519 AAAAC3Nza root@lab1\n", "ecdsa-sha2-nistp256 AAAAE2Vj root@lab1"]),
            (HostRecord(name: "lab9", address: "127.0.1.9", port: 2222), ["ssh-ed25519 AAAAC3Nzb root@lab9"]),
        ])
        let lines = text.split(separator: "\n").filter { !$0.hasPrefix("#") }
        #expect(lines == [
            "lab1,127.0.1.1 ssh-ed25519 AAAAC3Nza",
            "lab1,127.0.1.1 ecdsa-sha2-nistp256 AAAAE2Vj",
            "[lab9]:2222,[127.0.1.9]:2222 ssh-ed25519 AAAAC3Nzb",
        ])
    }

    @Test func sshConfigGivesOpenSSHEverythingItNeeds() {
        let text = LabFiles.sshConfig(hosts, layout: layout)
        let lab2 = text.components(separatedBy: "Host lab2\n")[1]
        for line in [
            "HostName 127.0.1.2", "Port 22", "User root", #"IdentityFile "/var/lib/tern-lab/id_ed25519""#,
            "IdentitiesOnly yes", #"UserKnownHostsFile "/var/lib/tern-lab/known_hosts""#, "StrictHostKeyChecking yes",
        ] {
            #expect(lab2.contains("    \(line)\n"), "missing: \(line)")
        }
    }

    @Test func sshdConfigHasTheMeasuredSettings() {
        let lines = Set(HostSetup.sshdConfig(name: "lab3", address: "127.0.1.3", port: 22).split(separator: "\n").map(String.init))
        #expect(lines.isSuperset(of: [
            "ListenAddress 127.0.1.3:22", "HostKey /etc/ssh/ssh_host_ed25519_key", "HostKey /etc/ssh/ssh_host_ecdsa_key",
            "KexAlgorithms curve25519-sha256", "MaxStartups 200:30:400", "MaxSessions 100", "UsePAM no", "UseDNS no",
            "PidFile /run/sshd.pid", "Subsystem sftp internal-sftp", "PermitRootLogin prohibit-password",
        ]))
    }

    @Test func hostsFileKeepsItsOwnLinesAndReplacesTheLabBlock() {
        let machine = "127.0.0.1 localhost\n::1 localhost\n"
        let once = LabFiles.mergeHostsFile(machine, block: LabFiles.hostsBlock(hosts))
        #expect(once == machine + "# tern lab hosts: begin\n127.0.1.1 lab1\n127.0.1.2 lab2\n# tern lab hosts: end\n")
        let grown = hosts + [HostRecord(name: "lab3", address: "127.0.1.3", port: 22)]
        let twice = LabFiles.mergeHostsFile(once + "127.0.9.5 added-by-a-playbook\n", block: LabFiles.hostsBlock(grown))
        #expect(twice == machine + "127.0.9.5 added-by-a-playbook\n" + LabFiles.hostsBlock(grown))
        #expect(LabFiles.mergeHostsFile(twice, block: LabFiles.hostsBlock(grown)) == twice)
    }

    @Test(arguments: [
        (LabConfig(directory: "/tmp/l", hosts: 0), "between 1 and 254"),
        (LabConfig(directory: "/tmp/l", hosts: 255), "between 1 and 254"),
        (LabConfig(directory: "/tmp/l", hosts: 3, subnet: "10.0.1"), "loopback"),
        (LabConfig(directory: "/tmp/l", hosts: 3, subnet: "127.0"), "loopback"),
        (LabConfig(directory: "/tmp/l", hosts: 3, subnet: "127.0.256"), "loopback"),
        (LabConfig(directory: "/tmp/l", hosts: 3, subnet: "127.0.1.5"), "loopback"),
        (LabConfig(directory: "/tmp/l", hosts: 3, namePrefix: "1lab"), "prefix"),
        (LabConfig(directory: "/tmp/l", hosts: 3, port: 0), "port"),
        (LabConfig(directory: "/tmp/a,b", hosts: 3), "overlayfs mount options"),
        (LabConfig(directory: "/tmp/a:b", hosts: 3), "overlayfs mount options"),
    ])
    func invalidConfigsAreRefused(config: LabConfig, message: String) {
        #expect {
            try config.validate()
        } throws: { error in
            "\(error)".contains(message)
        }
    }

    @Test func validConfigNamesAndAddressesHosts() throws {
        let config = LabConfig(directory: "/tmp/lab", hosts: 3, subnet: "127.0.77")
        try config.validate()
        #expect(config.name(ofHost: 2) == "lab2")
        #expect(config.address(ofHost: 2) == "127.0.77.2")
    }

    @Test func notRootIsToldToUseRoot() {
        #expect(throws: LabError.notRoot) { try Prerequisites.check(effectiveUser: 1000, isExecutable: { _ in true }) }
        #expect(LabError.notRoot.description
            == "lab hosts need root: they use namespaces and overlay mounts; run as root or with sudo")
    }

    @Test(arguments: [("sshd", "openssh-server"), ("unshare", "util-linux"), ("ssh-keygen", "openssh-client")])
    func aMissingProgramNamesItsDebianPackage(program: String, package: String) {
        #expect(throws: LabError.missingTool(name: program, package: package)) {
            try Prerequisites.check(effectiveUser: 0, isExecutable: { !$0.hasSuffix("/" + program) })
        }
        #expect(LabError.missingTool(name: program, package: package).description.contains("apt-get install \(package)"))
    }

    @Test func procStatIsReadFromTheLastParenthesis() throws {
        let line = "4242 (sshd: a) (b)) S 17 4242 4242 0 -1 4194560 100 0 0 0 1 2 0 0 20 0 1 0 987654 1000 200"
        let stat = try #require(ProcStat(line: line))
        #expect(stat.pid == 4242)
        #expect(stat.state == "S")
        #expect(stat.parent == 17)
        #expect(stat.startTime == 987654)
        #expect(!stat.hasExited)
    }

    @Test func mountinfoEscapesAreDecoded() {
        #expect(FileSystem.unescapeMountinfo(#"/mnt/with\040space"#) == "/mnt/with space")
        #expect(FileSystem.unescapeMountinfo("/plain") == "/plain")
    }
}
