import TernPlan

extension PlanSketch {
    /// The secret used by `gluster`; no rendering may ever contain it.
    static let adminKey = "s3cr3t-Adm1n-K3y"

    /// A small GlusterFS bootstrap that uses every feature a renderer shows:
    /// `after` and data edges, options, a checked command with a lock, a
    /// command without a check, a file known now and one known only at run
    /// time, a skipped node, a deferred condition, and a secret in a command
    /// and in a file body.
    static var gluster: PlanSketch {
        var keyOptions = StepOptions()
        keyOptions.retries = 2
        keyOptions.delayMillis = 5000
        keyOptions.become = "root"
        var topologyOptions = StepOptions()
        topologyOptions.timeoutMillis = 90_000
        topologyOptions.once = true

        return PlanSketch(hosts: ["lab1", "lab2"], [
            StepSketch(
                name: "glusterd", on: ["lab1", "lab2"],
                actions: [
                    .command(
                        "pkg.installed \"glusterfs-server\"",
                        check: Template([.text("dpkg-query -W "), .word("glusterfs-server")]),
                        apply: Template([.text("apt-get install -y "), .word("glusterfs-server")]), lock: "pkg"),
                ]),
            StepSketch(
                name: "heketi_key", on: ["lab1"], after: ["glusterd"], options: keyOptions,
                actions: [
                    .command(
                        "ssh.keypair \"/etc/heketi/heketi_key\"",
                        check: Template([.text("test -f "), .word("/etc/heketi/heketi_key")]),
                        apply: Template([.text("ssh-keygen -q -t rsa -N '' -f "), .word("/etc/heketi/heketi_key")])),
                ]),
            StepSketch(
                name: "trust", on: ["lab1", "lab2"],
                actions: [
                    .file(
                        "ssh.authorized_key user: \"root\"",
                        FileSpec(
                            path: "/root/.ssh/authorized_keys",
                            content: Template([
                                .deferred(.readFile(host: "lab1", path: "/etc/heketi/heketi_key.pub", after: ["heketi_key"]), secret: false)
                            ]),
                            mode: "0600", owner: "root")),
                ],
                reads: [ReadSketch("heketi_key@lab1")],
                conditions: [
                    "lab2": .deferred(.call(.eq, [.fact(host: "lab2", name: "os"), .value(.string("debian"))]))
                ]),
            StepSketch(
                name: "topology", on: ["lab1"], after: ["trust"], options: topologyOptions,
                actions: [
                    .file(
                        "file.content \"/etc/heketi/heketi.json\"",
                        FileSpec(
                            path: "/etc/heketi/heketi.json",
                            content: Template([.text("{\"admin\": \""), .secret(adminKey), .text("\"}\n")]),
                            mode: "0640", owner: "heketi", group: "heketi")),
                    .command(
                        "heketi.topology glfs, key: admin_key", check: nil,
                        apply: Template([
                            .text("heketi-cli --secret "), .secret(adminKey), .text(" topology load --json="),
                            .word("/etc/heketi/topology.json"),
                        ])),
                ]),
            StepSketch(
                name: "cleanup", on: ["lab2"],
                actions: [.command("run \"rm -rf /tmp/heketi\"", check: nil, apply: .text("rm -rf /tmp/heketi"))],
                conditions: ["lab2": .never]),
        ])
    }
}
