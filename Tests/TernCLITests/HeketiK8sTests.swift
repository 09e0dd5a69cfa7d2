import Foundation
import Testing

/// The heketi and Kubernetes parts of `playbooks/glusterfs-heketi.tern`,
/// tested without heketi (archived, not packaged by Debian) and without a
/// Kubernetes API server, with the real `tern` binary:
///
/// - the files the playbook writes — heketi's configuration and topology,
///   the Secret, StorageClass and claim — against heketi's documented
///   formats and, offline, against the Kubernetes 1.25 schemas
///   (`kubernetes-validate --strict`, from PyPI);
/// - the commands of every heketi and k8s action, as golden files
///   (`TERN_RECORD=1` rewrites them; review the diff before committing);
/// - that no key shows in any output of `tern check` or `tern graph`, and that
///   no secret is ever on a command line (heketi-cli reads its key from a
///   root-only file into `HEKETI_CLI_KEY`);
/// - the version preflight with the real kubectl against a stand-in API
///   server (`Tests/TernCLITests/Fixtures/fake_kube_api.py`) that only answers `/version`;
/// - the topology and volume checks against a stub heketi-cli that prints
///   what heketi's own source (`pkg/glusterfs/api/types.go`,
///   `client/cli/go/cmds/volume.go`) says the real one prints.
///
/// `tern graph --format json` gives a file's size but not its content, and
/// text output masks a file that holds a secret as a whole. So the tests
/// render the playbook's documents with a copy of the playbook in which the
/// two `secret` lines read the same variables as plain strings, plus one step
/// that prints each document; the byte counts, and for files without a
/// secret the first lines, are then checked against the unchanged playbook's
/// graph, so the documents tested are the ones the playbook writes.
@Suite struct HeketiK8sTests {
    static let adminKey = "adm1n-Kx7q-93fe-Tern"
    static let userKey = "us3r-Kp2w-51ab-Tern"
    static let environment = ["HEKETI_ADMIN_KEY": adminKey, "HEKETI_USER_KEY": userKey]
    static let playbook = "playbooks/glusterfs-heketi.tern"
    static let inventory = "playbooks/inventory/glfs-example.tern"
    static let golden = TernProcess.repository.appendingPathComponent("Tests/TernCLITests/HeketiK8s")
    static var recording: Bool { ProcessInfo.processInfo.environment["TERN_RECORD"] != nil }

    /// Where the playbook writes each document, in `Documents` order.
    static let paths = [
        "/etc/heketi/heketi.json",
        "/etc/heketi/topology.json",
        "/etc/tern/manifests/secret-default-heketi-secret.yaml",
        "/etc/tern/manifests/storageclass-glusterfs.yaml",
        "/etc/tern/manifests/persistentvolumeclaim-default-gluster-claim.yaml",
    ]

    /// The playbook's documents, as the files hold them.
    struct Documents {
        var heketiConfig: String
        var topology: String
        var secret: String
        var storageClass: String
        var claim: String
        var all: [String] { [heketiConfig, topology, secret, storageClass, claim] }
    }

    // MARK: - running tern

    static func graph(_ format: String = "json", _ extra: [String] = [], playbook: String = playbook) throws -> TernProcess.Result {
        try TernProcess.run(["graph", "--format", format] + extra + [playbook], environment: environment)
    }

    static func graphJSON(_ extra: [String] = []) throws -> [String: Any] {
        let r = try graph("json", extra)
        try #require(r.status == 0, "\(r.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    }

    static func nodes(_ graph: [String: Any]) -> [[String: Any]] {
        graph["nodes"] as? [[String: Any]] ?? []
    }

    static func actions(_ graph: [String: Any]) -> [[String: Any]] {
        nodes(graph).flatMap { $0["actions"] as? [[String: Any]] ?? [] }
    }

    static func fileAction(_ graph: [String: Any], path: String) throws -> [String: Any] {
        try #require(actions(graph).first { $0["kind"] as? String == "file" && $0["path"] as? String == path },
                     "no file action writes \(path)")
    }

    static func command(_ graph: [String: Any], label prefix: String, _ key: String = "check") throws -> String {
        let action = try #require(actions(graph).first { ($0["label"] as? String)?.hasPrefix(prefix) == true && $0["kind"] as? String == "command" },
                                  "no command action labelled \(prefix)…")
        return try #require(action[key] as? String)
    }

    /// The playbook's documents, rendered by a copy of it whose secrets are
    /// plain strings and which prints each document (base64, one bare shell
    /// word) in a step of its own.
    static func render(_ extra: [String] = []) throws -> Documents {
        var text = try String(contentsOf: TernProcess.repository.appendingPathComponent(playbook), encoding: .utf8)
        for (name, variable) in [("admin_key", "HEKETI_ADMIN_KEY"), ("user_key", "HEKETI_USER_KEY")] {
            let line = "secret \(name) from env \"\(variable)\""
            try #require(text.contains(line), "the playbook no longer says \(line)")
            text = text.replacingOccurrences(of: line, with: "let \(name) = env(\"\(variable)\")")
        }
        text += """

            step tern_test_render on glfs.first {
              action check: "true", apply: "echo ${base64(pretty_json(heketi_conf))}"
              action check: "true", apply: "echo ${base64(pretty_json(heketi_topology))}"
              action check: "true", apply: "echo ${base64(yaml(k8s_secret))}"
              action check: "true", apply: "echo ${base64(yaml(k8s_class))}"
              action check: "true", apply: "echo ${base64(yaml(k8s_claim))}"
            }

            """
        let dir = try Scratch()
        let path = dir.path + "/render.tern"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let inventory = TernProcess.repository.appendingPathComponent(Self.inventory).path
        let r = try graph("json", ["-i", inventory] + extra, playbook: path)
        try #require(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let node = try #require(nodes(json).first { $0["step"] as? String == "tern_test_render" })
        let texts = try (node["actions"] as? [[String: Any]] ?? []).map { action -> String in
            let apply = try #require(action["apply"] as? String)
            let word = String(apply.dropFirst("echo ".count))
            let data = try #require(Data(base64Encoded: word), "not base64: \(apply)")
            return String(decoding: data, as: UTF8.self)
        }
        try #require(texts.count == 5)
        return Documents(heketiConfig: texts[0], topology: texts[1], secret: texts[2], storageClass: texts[3], claim: texts[4])
    }

    static func parse(_ json: String) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    }

    // MARK: - the rendered documents are the playbook's files

    /// The rendering gives the files of the unchanged playbook: the same
    /// sizes, and where a file holds no secret, the same lines.
    @Test func renderedDocumentsAreThePlaybooksFiles() throws {
        let docs = try Self.render()
        let graph = try Self.graphJSON()
        for (path, doc) in zip(Self.paths, docs.all) {
            let file = try Self.fileAction(graph, path: path)
            #expect(file["content_known"] as? Bool == true, "\(path)")
            #expect(file["content_bytes"] as? Int == doc.utf8.count, "\(path): the playbook writes another text")
        }
        // Text output shows a file's line count and first lines, unless it
        // holds a secret; then the whole body is one `***`.
        let text = try Self.graph("text").stdout
        for (path, doc) in [(Self.paths[1], docs.topology), (Self.paths[3], docs.storageClass), (Self.paths[4], docs.claim)] {
            let lines = doc.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
            let mode = try Self.fileAction(graph, path: path)["mode"] as? String ?? "?"
            let expected = "path=\(path) mode=\(mode)\n      content: \(lines.count) lines\n"
                + lines.prefix(12).map { "        | \($0)\n" }.joined()
            #expect(text.contains(expected), "\(path): the text graph shows other content")
        }
        for path in [Self.paths[0], Self.paths[2]] {
            #expect(text.contains("path=\(path) mode=0600 owner=root\n      content: 1 line\n        | ***\n")
                    || text.contains("path=\(path) mode=0600\n      content: 1 line\n        | ***\n"), "\(path) is not masked whole")
        }
    }

    /// The Ansible version of the example inventory describes the same
    /// cluster, so the playbook writes the same files from it.
    @Test func ansibleInventoryGivesTheSameFiles() throws {
        let fromTern = try Self.graphJSON()
        let fromINI = try Self.graphJSON(["-i", "playbooks/inventory/glfs-example.ini"])
        for path in Self.paths + ["/etc/heketi/admin.key"] {
            let a = try Self.fileAction(fromTern, path: path), b = try Self.fileAction(fromINI, path: path)
            #expect(a["content_bytes"] as? Int == b["content_bytes"] as? Int, "\(path)")
        }
        #expect(try Self.command(fromINI, label: "heketi.volume", "apply") == Self.command(fromTern, label: "heketi.volume", "apply"))
    }

    /// `-p kubernetes=false` keeps the cluster steps in the plan but skips
    /// them; the heketi steps stay.
    @Test func kubernetesFalseSkipsTheClusterSteps() throws {
        let graph = try Self.graphJSON(["-p", "kubernetes=false"])
        for node in Self.nodes(graph) {
            let skipped = ["preflight", "storage_class", "claim_bound"].contains(node["step"] as? String ?? "")
            #expect((node["condition"] as? String == "never") == skipped, "\(node["id"] ?? "")")
        }
    }

    // MARK: - heketi's formats

    /// heketi's configuration as heketi's Go code reads it: a field of
    /// another JSON type (a number for `port`, a string for `use_auth`) fails
    /// the decoding, as it fails heketi's.
    struct HeketiConfig: Decodable {
        struct Key: Decodable { var key: String }
        struct JWT: Decodable { var admin: Key; var user: Key }
        struct SSHExec: Decodable { var keyfile: String; var user: String; var port: String; var fstab: String; var sudo: Bool? }
        struct GlusterFS: Decodable { var executor: String; var sshexec: SSHExec; var db: String; var loglevel: String }
        var port: String
        var use_auth: Bool
        var jwt: JWT
        var glusterfs: GlusterFS
    }

    /// heketi's topology file as `heketi-cli topology load` reads it
    /// (client/cli/go/cmds/topology.go: a device is a path or an object).
    struct Topology: Decodable {
        struct Hostnames: Decodable { var manage: [String]; var storage: [String] }
        struct NodeAdd: Decodable { var zone: Int; var hostnames: Hostnames }
        enum Device: Decodable, Equatable {
            case path(String)
            case object(name: String, destroydata: Bool?)
            struct Object: Decodable { var name: String; var destroydata: Bool? }
            init(from decoder: Decoder) throws {
                if let path = try? decoder.singleValueContainer().decode(String.self) {
                    self = .path(path)
                } else {
                    let o = try Object(from: decoder)
                    self = .object(name: o.name, destroydata: o.destroydata)
                }
            }
            var name: String {
                switch self {
                case .path(let p): return p
                case .object(let n, _): return n
                }
            }
        }
        struct Node: Decodable { var node: NodeAdd; var devices: [Device] }
        struct Cluster: Decodable { var nodes: [Node] }
        var clusters: [Cluster]
    }

    /// docs/admin/server.md and etc/heketi.json of heketi: `port` a string,
    /// `use_auth` a bool, `jwt.admin.key` and `jwt.user.key`,
    /// `glusterfs.executor`, `glusterfs.sshexec.{keyfile,user,port,fstab,sudo}`
    /// (port a string), `glusterfs.db`, `glusterfs.loglevel`; no other keys
    /// than documented ones.
    @Test func heketiConfigFollowsHeketisDocumentedFormat() throws {
        let text = try Self.render().heketiConfig
        let config = try JSONDecoder().decode(HeketiConfig.self, from: Data(text.utf8))
        #expect(config.port == "8080")
        #expect(config.use_auth == true)
        #expect(config.jwt.admin.key == Self.adminKey)
        #expect(config.jwt.user.key == Self.userKey)
        #expect(config.glusterfs.executor == "ssh")
        #expect(config.glusterfs.db == "/var/lib/heketi/heketi.db")
        #expect(["none", "critical", "error", "warning", "info", "debug"].contains(config.glusterfs.loglevel))
        let ssh = config.glusterfs.sshexec
        #expect(ssh.keyfile == "/etc/heketi/heketi_key")
        #expect(ssh.user == "root")
        #expect(ssh.port == "22")
        #expect(ssh.fstab == "/etc/fstab")
        #expect(ssh.sudo == false)

        let raw = try Self.parse(text)
        #expect(Set(raw.keys) == ["port", "use_auth", "jwt", "glusterfs"])
        let gluster = try #require(raw["glusterfs"] as? [String: Any])
        #expect(Set(gluster.keys) == ["executor", "sshexec", "db", "loglevel"])
        #expect(Set((gluster["sshexec"] as? [String: Any] ?? [:]).keys) == ["keyfile", "user", "port", "fstab", "sudo"])

        let other = try JSONDecoder().decode(HeketiConfig.self, from: Data(try Self.render(
            ["-p", "heketi_port=18080", "-p", "ssh_user=heketi", "-p", "ssh_port=2222"]).heketiConfig.utf8))
        #expect(other.port == "18080")
        #expect(other.glusterfs.sshexec.user == "heketi")
        #expect(other.glusterfs.sshexec.port == "2222")
        #expect(other.glusterfs.sshexec.sudo == true, "a user other than root needs sudo")
    }

    /// docs/admin/topology.md and `heketi-cli topology load`: clusters[] of
    /// nodes[] of {node: {hostnames: {manage: [..], storage: [..]}, zone: an
    /// int of 1 or more}, devices: [a path, or {name, destroydata}]}; device
    /// names match heketi's `^/[a-zA-Z0-9_.:/-]+$`.
    @Test func topologyFollowsHeketisDocumentedFormat() throws {
        let text = try Self.render().topology
        let topology = try JSONDecoder().decode(Topology.self, from: Data(text.utf8))
        #expect(topology.clusters.count == 1)
        let nodes = topology.clusters[0].nodes
        #expect(nodes.count == 3)
        for (i, node) in nodes.enumerated() {
            let address = "gluster\(i + 1).example.com"
            #expect(node.node.hostnames.manage == [address])
            #expect(node.node.hostnames.storage == [address])
            #expect(node.node.zone == i + 1, "the zone comes from the inventory")
            #expect(node.devices == [.path("/dev/vdb")], "devices are plain paths by default")
            for device in node.devices {
                #expect(device.name.wholeMatch(of: #/\/[a-zA-Z0-9_.:\/-]+/#) != nil)
            }
        }
        let raw = try Self.parse(text)
        #expect(Array(raw.keys) == ["clusters"])
        let rawNodes = ((raw["clusters"] as? [[String: Any]])?.first?["nodes"] as? [[String: Any]]) ?? []
        for entry in rawNodes {
            #expect(Set(entry.keys) == ["node", "devices"])
            #expect(Set((entry["node"] as? [String: Any] ?? [:]).keys) == ["hostnames", "zone"])
        }

        let wiped = try JSONDecoder().decode(Topology.self, from: Data(try Self.render(["-p", "destroy_data=true"]).topology.utf8))
        for node in wiped.clusters[0].nodes {
            #expect(node.devices == [.object(name: "/dev/vdb", destroydata: true)])
        }
    }

    // MARK: - Kubernetes manifests

    /// The Secret, StorageClass and claim validate against the Kubernetes
    /// 1.25 schemas (the last release with the in-tree GlusterFS provisioner)
    /// in strict mode, which refuses unknown fields.
    @Test func manifestsValidateStrictlyAgainstKubernetes125() throws {
        let docs = try Self.render()
        let dir = try Scratch()
        var files: [String] = []
        for (name, text) in [("secret.yaml", docs.secret), ("storageclass.yaml", docs.storageClass), ("pvc.yaml", docs.claim)] {
            let path = dir.path + "/" + name
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            files.append(path)
        }
        let r = try HeketiShell.run(["python3", "-m", "kubernetes_validate", "--strict", "--kubernetes-version", "1.25", "--no-warn"] + files)
        if r.stderr.contains("No module named kubernetes_validate") {
            Issue.record("kubernetes-validate is not installed: python3 -m pip install kubernetes-validate (scripts/setup)")
            return
        }
        #expect(r.status == 0, "\(r.stdout)\(r.stderr)")
        for name in ["secret/heketi-secret", "storageclass/glusterfs", "persistentvolumeclaim/gluster-claim"] {
            #expect(r.stdout.contains("passed for resource \(name) against version 1.25"), "\(r.stdout)")
        }

        // What the schema does not say: the values the provisioner needs.
        let secret = try Self.yaml(docs.secret)
        #expect(secret["type"] as? String == "kubernetes.io/glusterfs")
        let encoded = try #require((secret["data"] as? [String: Any])?["key"] as? String)
        #expect(Data(base64Encoded: encoded).map { String(decoding: $0, as: UTF8.self) } == Self.adminKey)
        let metadata = try #require(secret["metadata"] as? [String: Any])
        let storageClass = try Self.yaml(docs.storageClass)
        #expect(storageClass["provisioner"] as? String == "kubernetes.io/glusterfs")
        let parameters = try #require(storageClass["parameters"] as? [String: Any])
        #expect(parameters["resturl"] as? String == "http://gluster1.example.com:8080")
        #expect(parameters["restuser"] as? String == "admin")
        #expect(parameters["volumetype"] as? String == "replicate:3")
        #expect(parameters["secretName"] as? String == metadata["name"] as? String)
        #expect(parameters["secretNamespace"] as? String == metadata["namespace"] as? String)
        let claim = try Self.yaml(docs.claim)
        let spec = try #require(claim["spec"] as? [String: Any])
        #expect(spec["storageClassName"] as? String == (storageClass["metadata"] as? [String: Any])?["name"] as? String)
        #expect(spec["accessModes"] as? [String] == ["ReadWriteMany"])
        #expect(((spec["resources"] as? [String: Any])?["requests"] as? [String: Any])?["storage"] as? String == "30Gi")
    }

    /// A YAML document as PyYAML reads it.
    static func yaml(_ text: String) throws -> [String: Any] {
        let r = try HeketiShell.run(["python3", "-c", "import sys,yaml,json; print(json.dumps(yaml.safe_load(sys.stdin.read())))"], stdin: text)
        try #require(r.status == 0, "\(r.stderr)")
        return try parse(r.stdout)
    }

    // MARK: - the planned commands (golden)

    /// Every heketi and k8s action of the plan — its commands, or the file it
    /// writes (path, mode, owner, size) — node by node, as text: the
    /// commands as the shell on the host receives them.
    @Test func plannedHeketiAndKubernetesActionsMatchGolden() throws {
        let graph = try Self.graphJSON()
        var text = ""
        var planned: [String] = []
        func field(_ value: Any?) -> String { (value as? String) ?? "-" }
        func line(_ prefix: String, _ command: String) {
            text += prefix + command.replacingOccurrences(of: "\n", with: "\n" + String(repeating: " ", count: prefix.count)) + "\n"
        }
        for node in Self.nodes(graph) {
            let actions = (node["actions"] as? [[String: Any]] ?? []).filter {
                let label = $0["label"] as? String ?? ""
                return label.hasPrefix("heketi.") || label.hasPrefix("k8s.")
            }
            guard !actions.isEmpty else { continue }
            planned.append(field(node["id"]))
            text += (text.isEmpty ? "" : "\n") + field(node["id"]) + "\n"
            for a in actions {
                let lock = (a["lock"] as? String).map { "  lock=\($0)" } ?? ""
                let notify = (a["notify"] as? [String] ?? []).map { "  notify=\($0)" }.joined()
                if a["kind"] as? String == "file" {
                    text += "  > \(field(a["label"]))\(lock)\(notify)\n"
                    text += "    path=\(field(a["path"])) mode=\(field(a["mode"])) owner=\(field(a["owner"])) group=\(field(a["group"]))"
                        + " bytes=\((a["content_bytes"] as? Int).map(String.init) ?? "?")\n"
                } else {
                    text += "  $ \(field(a["label"]))\(lock)\(notify)\n"
                    line("    check: ", (a["check"] as? String) ?? "(none: runs every time)")
                    line("    apply: ", field(a["apply"]))
                }
            }
        }
        #expect(planned == ["preflight@kube1", "heketi_installed@gluster1", "heketi_config@gluster1", "restart_heketi@gluster1",
                            "heketi_up@gluster1", "topology@gluster1", "volume@gluster1", "storage_class@kube1", "claim_bound@kube1"])
        Self.checkGolden(text, "planned-actions.txt")
    }

    /// The documents, as golden files (with this test's keys).
    @Test func renderedDocumentsMatchGolden() throws {
        let docs = try Self.render()
        for (name, text) in zip(["heketi.json", "topology.json", "secret.yaml", "storageclass.yaml", "pvc.yaml"], docs.all) {
            Self.checkGolden(text, name)
        }
    }

    static func checkGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let path = golden.appendingPathComponent(name).path
        if recording {
            try? FileManager.default.createDirectory(at: golden, withIntermediateDirectories: true)
            try? actual.write(toFile: path, atomically: true, encoding: .utf8)
            return
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            Issue.record("missing golden file \(path); run with TERN_RECORD=1 to create it", sourceLocation: sourceLocation)
            return
        }
        #expect(actual == String(decoding: data, as: UTF8.self), "output differs from \(path)", sourceLocation: sourceLocation)
    }

    // MARK: - secrets

    /// Neither key, nor the base64 of either (the Secret holds the admin key
    /// in base64), shows in anything `tern check` or `tern graph` prints.
    @Test func secretsAreMaskedInEveryOutput() throws {
        let base64Admin = Data(Self.adminKey.utf8).base64EncodedString()
        let forbidden = [Self.adminKey, Self.userKey, base64Admin, Data(Self.userKey.utf8).base64EncodedString()]
        var outputs: [(String, TernProcess.Result)] = []
        outputs.append(("check", try TernProcess.run(["check", Self.playbook], environment: Self.environment)))
        for format in ["text", "json", "dot", "mermaid"] {
            outputs.append(("graph \(format)", try Self.graph(format)))
        }
        for (name, r) in outputs {
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(!r.stdout.isEmpty, "\(name)")
            for secret in forbidden {
                #expect(!(r.stdout + r.stderr).contains(secret), "\(name) shows \(secret)")
            }
        }
        // The same search finds them where they are not secret: in the
        // rendering with plain strings.
        let docs = try Self.render()
        #expect(docs.secret.contains(base64Admin))
        #expect(docs.heketiConfig.contains(Self.adminKey) && docs.heketiConfig.contains(Self.userKey))
    }

    /// Without the keys in the environment, `tern check` warns and passes,
    /// as for any secret not set yet.
    @Test func checkWithoutTheKeysOnlyWarns() throws {
        let playbook = TernProcess.repository.appendingPathComponent(Self.playbook).path
        let r = try HeketiShell.run(["-u", "HEKETI_ADMIN_KEY", "-u", "HEKETI_USER_KEY", "NO_COLOR=1", TernProcess.executable, "check", playbook])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("ok — 12 steps, 16 nodes on 4 hosts, 2 warnings"), "\(r.stdout)")
        #expect(r.stderr.components(separatedBy: "[secret-missing]").count == 3, "\(r.stderr)")
    }

    /// No command carries a secret (it would be in the host's process list):
    /// every heketi-cli command gets its key from a root-only file through
    /// HEKETI_CLI_KEY, and the files holding a key are mode 0600.
    @Test func noSecretIsOnAnyCommandLine() throws {
        let graph = try Self.graphJSON()
        var heketiCommands = 0
        for action in Self.actions(graph) where action["kind"] as? String == "command" {
            for key in ["check", "apply"] {
                guard let command = action[key] as? String else { continue }
                #expect(!command.contains("***"), "a secret is on the command line of \(action["label"] ?? "")")
                if command.contains("heketi-cli topology") || command.contains("heketi-cli volume") {
                    heketiCommands += 1
                    #expect(command.contains(#"HEKETI_CLI_KEY="$(cat /etc/heketi/admin.key)" heketi-cli "#), "\(command)")
                    #expect(!command.contains("--secret"))
                }
            }
        }
        #expect(heketiCommands == 4, "topology check and load, volume check and create")
        let keyFile = try Self.fileAction(graph, path: "/etc/heketi/admin.key")
        #expect(keyFile["mode"] as? String == "0600")
        #expect(keyFile["owner"] as? String == "root")
        for path in ["/etc/heketi/heketi.json", Self.paths[2]] {
            #expect(try Self.fileAction(graph, path: path)["mode"] as? String == "0600", "\(path)")
        }
    }

    // MARK: - the version preflight, with the real kubectl

    /// `kubectl version -o json` against a stand-in API server of each
    /// version: 1.25 passes; 1.26 and later (also a provider's "27+") are
    /// refused with the reason and what to use instead.
    @Test(arguments: [
        ("1", "24", true), ("1", "25", true), ("1", "26", false), ("1", "27+", false), ("1", "30", false),
    ])
    func preflightRefusesKubernetes126AndLater(_ major: String, _ minor: String, _ accepted: Bool) throws {
        let dir = try Scratch()
        let server = try FakeKubeAPI(major: major, minor: minor)
        defer { server.stop() }
        let kubeconfig = dir.path + "/kubeconfig"
        try FakeKubeAPI.kubeconfig(port: server.port).write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let graph = try Self.graphJSON(["-p", "kubeconfig=\(kubeconfig)"])
        let check = try Self.command(graph, label: "k8s.glusterfs_provisioner_available")
        #expect(try Self.command(graph, label: "k8s.glusterfs_provisioner_available", "apply") == check)
        let r = try HeketiShell.run(["sh", "-c", check], environment: ["HOME": dir.path])
        if accepted {
            #expect(r.status == 0, "\(r.stderr)")
        } else {
            #expect(r.status == 1, "\(r.stderr)")
            let shown = minor.trimmingCharacters(in: CharacterSet.decimalDigits.inverted)
            #expect(r.stderr.contains("tern: the cluster runs Kubernetes 1.\(shown): the in-tree kubernetes.io/glusterfs provisioner was deprecated in 1.25 and removed in 1.26"), "\(r.stderr)")
            #expect(r.stderr.contains("never binds a claim"))
            #expect(r.stderr.contains("use a GlusterFS CSI driver"))
        }
    }

    /// With no API server to ask, the preflight fails rather than passes.
    @Test
    func preflightFailsWithoutAServer() throws {
        let dir = try Scratch()
        let kubeconfig = dir.path + "/kubeconfig"
        // A port nothing listens on: the stand-in's, after it stopped.
        let server = try FakeKubeAPI(major: "1", minor: "25")
        server.stop()
        try FakeKubeAPI.kubeconfig(port: server.port).write(toFile: kubeconfig, atomically: true, encoding: .utf8)
        let check = try Self.command(try Self.graphJSON(["-p", "kubeconfig=\(kubeconfig)"]), label: "k8s.glusterfs_provisioner_available")
        let r = try HeketiShell.run(["sh", "-c", check], environment: ["HOME": dir.path])
        #expect(r.status == 2, "\(r.stderr)")
        #expect(r.stderr.contains("tern: cannot read the Kubernetes server version"))
    }

    // MARK: - the heketi checks, against a stub heketi-cli

    /// A heketi-cli stand-in: records its arguments and HEKETI_CLI_*
    /// environment, and prints the canned output of `topology info --json` or
    /// `volume list` from its folder.
    static let stubCLI = """
        #!/bin/sh
        d=$(dirname "$0")
        printf '%s\\n' "$@" > "$d/argv"
        printf 'server=%s user=%s key=%s\\n' "$HEKETI_CLI_SERVER" "$HEKETI_CLI_USER" "$HEKETI_CLI_KEY" > "$d/env"
        case "$1 $2" in
          "topology info") cat "$d/topology-info.json" ;;
          "volume list") cat "$d/volume-list.txt" ;;
          *) exit 9 ;;
        esac

        """

    /// `heketi-cli topology info --json` as heketi prints it
    /// (api.TopologyInfoResponse), knowing these devices per node.
    static func topologyInfo(_ devices: [String: [String]]) throws -> String {
        let nodes: [[String: Any]] = devices.keys.sorted().enumerated().map { i, manage in
            [
                "zone": i + 1,
                "hostnames": ["manage": [manage], "storage": [manage]],
                "cluster": "c0ffee00c0ffee00c0ffee00c0ffee00",
                "id": String(format: "%032x", i + 1),
                "state": "online",
                "devices": devices[manage]!.enumerated().map { j, name -> [String: Any] in
                    ["name": name, "storage": ["total": 104_722_432, "free": 104_722_432, "used": 0],
                     "id": String(format: "%032x", 100 + j), "state": "online", "bricks": [] as [Any]]
                },
            ]
        }
        let info: [String: Any] = ["clusters": [["volumes": [] as [Any], "nodes": nodes, "id": "c0ffee00c0ffee00c0ffee00c0ffee00",
                                                 "block": true, "file": true]]]
        return String(decoding: try JSONSerialization.data(withJSONObject: info, options: [.sortedKeys]), as: UTF8.self)
    }

    /// The topology check passes exactly when heketi has every node and
    /// device of the file; the volume check exactly when a volume has that
    /// name; heketi-cli gets the key in its environment, never as an argument.
    @Test func heketiChecksAgainstAStubCLI() throws {
        let dir = try Scratch()
        let bin = dir.path + "/bin"
        try FileManager.default.createDirectory(atPath: bin, withIntermediateDirectories: true)
        try Self.stubCLI.write(toFile: bin + "/heketi-cli", atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: bin + "/heketi-cli")
        // The playbook's own files, under the scratch folder instead of /etc/heketi.
        try Self.adminKey.write(toFile: dir.path + "/admin.key", atomically: true, encoding: .utf8)
        try Self.render().topology.write(toFile: dir.path + "/topology.json", atomically: true, encoding: .utf8)
        let graph = try Self.graphJSON()
        func local(_ command: String) -> String { command.replacingOccurrences(of: "/etc/heketi/", with: dir.path + "/") }
        let topologyCheck = local(try Self.command(graph, label: "heketi.topology_loaded"))
        let volumeCheck = local(try Self.command(graph, label: "heketi.volume"))
        let env = ["PATH": bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]
        func run(_ command: String) throws -> HeketiShell.Result { try HeketiShell.run(["sh", "-c", command], environment: env) }

        let all = ["gluster1.example.com": ["/dev/vdb"], "gluster2.example.com": ["/dev/vdb"], "gluster3.example.com": ["/dev/vdb"]]
        try Self.topologyInfo(all).write(toFile: bin + "/topology-info.json", atomically: true, encoding: .utf8)
        var r = try run(topologyCheck)
        #expect(r.status == 0, "\(r.stderr)")
        let recorded = try String(contentsOfFile: bin + "/env", encoding: .utf8)
        #expect(recorded == "server=http://gluster1.example.com:8080 user=admin key=\(Self.adminKey)\n")
        #expect(try String(contentsOfFile: bin + "/argv", encoding: .utf8) == "topology\ninfo\n--json\n")

        var partial = all
        partial["gluster3.example.com"] = ["/dev/vdc"]
        partial["gluster2.example.com"] = nil
        try Self.topologyInfo(partial).write(toFile: bin + "/topology-info.json", atomically: true, encoding: .utf8)
        r = try run(topologyCheck)
        #expect(r.status == 1)
        #expect(r.stderr.contains("not in heketi yet: gluster2.example.com, gluster2.example.com:/dev/vdb, gluster3.example.com:/dev/vdb"), "\(r.stderr)")

        try "".write(toFile: bin + "/topology-info.json", atomically: true, encoding: .utf8)
        r = try run(topologyCheck)
        #expect(r.status == 1)
        #expect(r.stderr.contains("heketi-cli topology info printed no topology"), "\(r.stderr)")

        // `volume list`: "Id:%-35v Cluster:%-35v Name:%v" per volume.
        func volumes(_ names: [String]) throws {
            let lines = names.enumerated().map { i, name in
                "Id:" + String(format: "%032x", i + 1).padding(toLength: 35, withPad: " ", startingAt: 0)
                    + " Cluster:" + "c0ffee00c0ffee00c0ffee00c0ffee00".padding(toLength: 35, withPad: " ", startingAt: 0)
                    + " Name:" + name + "\n"
            }
            try lines.joined().write(toFile: bin + "/volume-list.txt", atomically: true, encoding: .utf8)
        }
        try volumes(["vol_1", "gv0", "heketidbstorage"])
        r = try run(volumeCheck)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try String(contentsOfFile: bin + "/argv", encoding: .utf8) == "volume\nlist\n")
        for others in [[], ["gv0-old", "xgv0", "gv"]] {
            try volumes(others)
            #expect(try run(volumeCheck).status == 1, "\(others)")
        }
    }
}

/// A scratch folder, removed when the value is no longer used.
final class Scratch: @unchecked Sendable {
    let path: String
    init() throws {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("tern-heketi-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Runs a program (through /usr/bin/env, so PATH finds it) with a bounded wait.
enum HeketiShell {
    typealias Result = TernProcess.Result

    /// A program found on PATH (through /usr/bin/env), with `stdin` as its input.
    static func run(_ arguments: [String], stdin: String = "", environment: [String: String] = [:], timeout: Double = 60) throws -> Result {
        let dir = try Scratch()
        let input = dir.path + "/in"
        try stdin.write(toFile: input, atomically: true, encoding: .utf8)
        return try TernProcess.runProgram(
            "/usr/bin/env", arguments, environment: ["PYTHONIOENCODING": "utf-8"].merging(environment) { $1 }, timeout: timeout, stdin: input)
    }
}

/// Tests/TernCLITests/Fixtures/fake_kube_api.py: an HTTP server on 127.0.0.1 that answers
/// `/version` as a Kubernetes API server of the given version. It stops when
/// its standard input closes, or after 120 s.
final class FakeKubeAPI: @unchecked Sendable {
    let process = Process()
    let input = Pipe()
    let port: Int

    init(major: String, minor: String) throws {
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", TernProcess.repository.appendingPathComponent("Tests/TernCLITests/Fixtures/fake_kube_api.py").path, major, minor]
        process.standardInput = input
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let deadline = Date().addingTimeInterval(20)
        while !line.contains(UInt8(ascii: "\n")) && Date() < deadline {
            let chunk = output.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        guard let port = Int(String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)) else {
            process.terminate()
            throw CocoaError(.fileReadCorruptFile, userInfo: [NSLocalizedDescriptionKey: "fake_kube_api.py printed no port"])
        }
        self.port = port
    }

    func stop() {
        try? input.fileHandleForWriting.close()
        process.waitUntilExit()
    }

    static func kubeconfig(port: Int) -> String {
        """
        apiVersion: v1
        kind: Config
        clusters:
        - name: stand-in
          cluster:
            server: http://127.0.0.1:\(port)
        contexts:
        - name: stand-in
          context:
            cluster: stand-in
            user: stand-in
        current-context: stand-in
        users:
        - name: stand-in
          user: {}

        """
    }
}
