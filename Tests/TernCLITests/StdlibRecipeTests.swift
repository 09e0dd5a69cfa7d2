import Foundation
import Testing
import TernLab

/// Every recipe of the standard library (`stdlib/`) against real lab hosts:
/// a small playbook that uses it is applied (it changes something, and the
/// change is seen on the hosts with `tern run`), applied again (nothing
/// changes) and planned (nothing to do). Each test has a lab of its own,
/// three hosts on 127.0.74.x, torn down at the end; what a test installs or
/// starts stays inside its hosts' overlays and namespaces. Nothing here needs
/// the network: packages come from a small apt repository each test builds
/// inside its hosts with dpkg-deb.
@Suite(.serialized) struct StdlibRecipeTests {
    static let hosts = ["lab1", "lab2", "lab3"]

    /// One test's lab and scratch folder (the playbooks, the run logs).
    struct Site {
        let lab: LabState
        let scratch: String

        func write(_ text: String, as name: String = "p.tern") throws {
            try text.write(toFile: scratch + "/" + name, atomically: true, encoding: .utf8)
        }

        /// `tern plan` or `tern apply` of a playbook of the scratch folder,
        /// with the repository's standard library.
        func tern(_ mode: String, _ name: String = "p.tern", _ extra: [String] = []) throws -> TernProcess.Result {
            let stdlib = TernProcess.repository.appendingPathComponent("stdlib").path
            return try TernProcess.run(
                [mode, "--lab", "--lab-dir", lab.directory, "--log-dir", scratch + "/runs", "--connect-timeout", "5s", "--stdlib", stdlib]
                    + extra + [scratch + "/" + name],
                timeout: 120)
        }

        /// `tern run` of a shell command on some hosts.
        func run(_ targets: String, _ command: String) throws -> TernProcess.Result {
            try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, "--connect-timeout", "5s", targets, "--", command])
        }

        /// The standard output of a command on one host; records a failure
        /// when it fails.
        func output(_ host: String, _ command: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> String {
            let r = try run(host, command)
            #expect(r.status == 0, "\(host): \(command)\n\(r.stdout)\(r.stderr)", sourceLocation: sourceLocation)
            // A header line, the output (standard error as "stderr: ..."), a summary line.
            let lines = r.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
            guard lines.count >= 2 else { return "" }
            return lines.dropFirst().dropLast(2).filter { !$0.hasPrefix("stderr: ") }.joined(separator: "\n")
        }

        /// Expects a command's standard output on one host.
        func expectOutput(_ host: String, _ command: String, _ expected: String, sourceLocation: SourceLocation = #_sourceLocation) throws {
            let actual = try output(host, command, sourceLocation: sourceLocation)
            #expect(actual == expected, "\(host): \(command)", sourceLocation: sourceLocation)
        }

        /// Applies a playbook three times over: the first apply changes
        /// something, the second nothing, and a plan then has nothing to do.
        /// Returns the first apply.
        @discardableResult
        func converge(_ text: String, _ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws -> TernProcess.Result {
            try write(text)
            let first = try tern("apply", "p.tern", extra)
            #expect(first.status == 0, "first apply:\n\(first.stdout)\(first.stderr)", sourceLocation: sourceLocation)
            #expect((StdlibRecipeTests.changed(first.stdout) ?? 0) > 0, "the first apply changes something:\n\(first.stdout)", sourceLocation: sourceLocation)
            let second = try tern("apply", "p.tern", extra)
            #expect(second.status == 0, "second apply:\n\(second.stdout)\(second.stderr)", sourceLocation: sourceLocation)
            #expect(StdlibRecipeTests.changed(second.stdout) == 0, "the second apply changes nothing:\n\(second.stdout)", sourceLocation: sourceLocation)
            let plan = try tern("plan", "p.tern", extra)
            #expect(plan.status == 0, "plan:\n\(plan.stdout)\(plan.stderr)", sourceLocation: sourceLocation)
            #expect(plan.stdout.contains("nothing to do"), "plan:\n\(plan.stdout)", sourceLocation: sourceLocation)
            return first
        }

        /// After a change by hand: the plan sees it (exit 3), an apply
        /// repairs it, and the plan after that has nothing to do.
        func repairs(_ extra: [String] = [], sourceLocation: SourceLocation = #_sourceLocation) throws {
            let drift = try tern("plan", "p.tern", extra)
            #expect(drift.status == 3, "the plan sees the change by hand:\n\(drift.stdout)\(drift.stderr)", sourceLocation: sourceLocation)
            let fix = try tern("apply", "p.tern", extra)
            #expect(fix.status == 0, "\(fix.stdout)\(fix.stderr)", sourceLocation: sourceLocation)
            #expect((StdlibRecipeTests.changed(fix.stdout) ?? 0) > 0, "\(fix.stdout)", sourceLocation: sourceLocation)
            let plan = try tern("plan", "p.tern", extra)
            #expect(plan.status == 0 && plan.stdout.contains("nothing to do"), "\(plan.stdout)", sourceLocation: sourceLocation)
        }
    }

    /// The number of changed nodes in an apply's recap line
    /// (`apply: 3 changed, 0 ok in 0.14 s, 12 remote commands`).
    static func changed(_ output: String) -> Int? {
        guard let m = output.firstMatch(of: #/apply: (\d+) changed, \d+ ok/#) else { return nil }
        return Int(m.1)
    }


    /// A lab of three hosts on 127.0.74.x and a scratch folder; always torn down.
    func withSite(_ body: (Site) throws -> Void) throws {
        try TestLab.with(subnet: "127.0.74") { lab, scratch in try body(Site(lab: lab, scratch: scratch)) }
    }

    // MARK: - file

    @Test func fileContentWritesTheFileWithModeAndOwnerAndNotifies() throws {
        try withSite { site in
            try site.converge("""
                use file
                step motd on lab {
                  file.content "/etc/motd", content: "Managed by Tern on ${host.name}\\n", mode: "0640", owner: "nobody", group: "nogroup", notify: changed
                }
                handler changed on lab {
                  run "echo changed >> /var/tmp/notified"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "stat -c '%a %U %G' /etc/motd; cat /etc/motd; wc -l < /var/tmp/notified", "640 nobody nogroup\nManaged by Tern on \(h)\n1")
            }
        }
    }

    @Test func fileTemplateFillsInTheValues() throws {
        try withSite { site in
            try "name = ${name}\nport = ${port}\n# ${unknown} stays\n".write(toFile: site.scratch + "/app.conf.in", atomically: true, encoding: .utf8)
            try site.converge("""
                use file
                step config on lab {
                  file.template "/etc/app.conf", source: "app.conf.in", vars: {name: host.name, port: 8080}, mode: "0600", owner: "daemon"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "stat -c '%a %U' /etc/app.conf; cat /etc/app.conf", "600 daemon\nname = \(h)\nport = 8080\n# ${unknown} stays")
            }
        }
    }

    @Test func fileDirectoryMakesItWithModeOwnerAndGroup() throws {
        try withSite { site in
            try site.converge("""
                use file
                step dirs on lab {
                  file.directory "/srv/app/data/cache", mode: "2750", owner: "daemon", group: "nogroup"
                  file.directory "/srv/plain"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "stat -c '%a %U %G' /srv/app/data/cache; test -d /srv/plain && echo plain", "2750 daemon nogroup\nplain")
            }
            _ = try site.run("lab2", "chmod 0755 /srv/app/data/cache && chown root /srv/app/data/cache")
            try site.repairs()
            try site.expectOutput("lab2", "stat -c '%a %U %G' /srv/app/data/cache", "2750 daemon nogroup")

            try site.write("use file\nstep d on lab { file.directory \"/srv/x\", mode: \"u+rwx\" }\n", as: "bad.tern")
            let bad = try site.tern("apply", "bad.tern")
            #expect(bad.status == 65)
            #expect(bad.stderr.contains("a mode is 3 or 4 octal digits, such as \"0755\", not \"u+rwx\""), "\(bad.stderr)")
        }
    }

    @Test func fileLineReplacesInsertsOrAppendsOneLine() throws {
        try withSite { site in
            // An sshd-like file with the option twice and no final line
            // break, mode 0640 and owner daemon (kept); a symbolic link to
            // another file (followed); no /etc/new.conf (created).
            let setup = try site.run("lab", """
                printf '# options\\n#Port 22\\nPort 2222\\nUseDNS yes\\nPort 3333' > /etc/opts.conf && chmod 0640 /etc/opts.conf && chown daemon /etc/opts.conf
                printf '[main]\\nx = 1\\n[other]\\ny = 2\\n' > /srv/real.ini && ln -s /srv/real.ini /etc/link.ini
                """)
            #expect(setup.status == 0, "\(setup.stdout)")
            try site.converge("""
                use file
                step lines on lab {
                  file.line "/etc/opts.conf", line: "Port 22", match: "^#?Port[[:space:]]"
                  file.line "/etc/opts.conf", line: "PermitRootLogin no"
                  file.line "/etc/link.ini", line: "z = 3", after: "^\\\\[main\\\\]"
                  file.line "/etc/new.conf", line: "created = yes"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "cat /etc/opts.conf; stat -c '%a %U' /etc/opts.conf", "# options\nPort 22\nUseDNS yes\nPermitRootLogin no\n640 daemon")
                try site.expectOutput(h, "test -L /etc/link.ini && cat /srv/real.ini", "[main]\nz = 3\nx = 1\n[other]\ny = 2")
                try site.expectOutput(h, "stat -c %a /etc/new.conf; cat /etc/new.conf; ls /etc | grep -c tern- || true", "644\ncreated = yes\n0")
            }
            _ = try site.run("lab3", "sed -i 's/^Port 22$/Port 2200/' /etc/opts.conf")
            try site.repairs()
            try site.expectOutput("lab3", "grep -c '^Port' /etc/opts.conf; grep '^Port' /etc/opts.conf", "1\nPort 22")
        }
    }

    @Test func fileAbsentRemovesFilesLinksAndTrees() throws {
        try withSite { site in
            let setup = try site.run("lab", "mkdir -p /srv/old/a/b && touch /srv/old/a/b/c /etc/old.conf && ln -s /nowhere /etc/dangling")
            #expect(setup.status == 0)
            try site.converge("""
                use file
                step cleanup on lab {
                  file.absent "/srv/old"
                  file.absent "/etc/old.conf"
                  file.absent "/etc/dangling"
                  file.absent "/etc/never-there"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "ls -d /srv/old /etc/old.conf /etc/dangling 2>/dev/null | wc -l", "0")
            }
        }
    }

    // MARK: - pkg

    /// A shell script that builds, in `dir`, a flat apt repository holding
    /// the package tern-hello at `version` (one file,
    /// /usr/share/tern-hello/version), without the network.
    static func repository(_ dir: String, version: String) -> String {
        """
        set -e
        b=$(mktemp -d)
        mkdir -p "$b/DEBIAN" "$b/usr/share/tern-hello" \(dir)
        printf 'Package: tern-hello\\nVersion: \(version)\\nArchitecture: all\\nMaintainer: Tern tests <tern@example.invalid>\\nDescription: a package for the stdlib tests\\n' > "$b/DEBIAN/control"
        echo \(version) > "$b/usr/share/tern-hello/version"
        dpkg-deb --root-owner-group -Zgzip --build "$b" \(dir)/tern-hello_\(version)_all.deb >/dev/null
        cd \(dir)
        for f in *.deb; do dpkg-deb -f "$f"; echo "Filename: ./$f"; echo "Size: $(stat -c %s "$f")"; echo "SHA256: $(sha256sum "$f" | cut -d' ' -f1)"; echo; done > Packages
        rm -rf "$b"
        """
    }

    /// tern-hello 1.0 installed from /srv/tern-repo, by hand.
    static let installedByHand = repository("/srv/tern-repo", version: "1.0") + """

        echo 'deb [trusted=yes] file:/srv/tern-repo ./' > /etc/apt/sources.list.d/tern-test.list
        apt-get update -q -o Dir::Etc::sourcelist=/etc/apt/sources.list.d/tern-test.list -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0 >/dev/null 2>&1
        DEBIAN_FRONTEND=noninteractive apt-get install -y -q tern-hello >/dev/null 2>&1
        dpkg-query -W -f='${Version}\\n' tern-hello
        """

    @Test func pkgRepositoryAndInstalledInstallFromALocalRepository() throws {
        try withSite { site in
            let setup = try site.run("lab", Self.repository("/srv/tern-repo", version: "1.0"))
            #expect(setup.status == 0, "\(setup.stdout)")
            let first = try site.converge("""
                use pkg
                step repo on lab {
                  pkg.repository "tern-test", apt_source: "deb [trusted=yes] file:/srv/tern-repo ./", release_package: "centos-release-gluster"
                }
                step hello on lab after repo {
                  pkg.installed "tern-hello"
                }
                step already on lab {
                  pkg.installed ["openssh-client", "dpkg"]
                }
                """)
            for h in Self.hosts {
                #expect(flat(first.stdout).contains("ok already \(h)"), "installed packages are left alone:\n\(first.stdout)")
                try site.expectOutput(h, "dpkg-query -W -f='${Version} ${Status}\\n' tern-hello; cat /usr/share/tern-hello/version /etc/apt/sources.list.d/tern-test.list", "1.0 install ok installed\n1.0\ndeb [trusted=yes] file:/srv/tern-repo ./")
            }
            // The machine itself is untouched: the hosts' changes stay in their overlays.
            #expect(!FileManager.default.fileExists(atPath: "/etc/apt/sources.list.d/tern-test.list"))
        }
    }

    @Test func pkgAbsentRemovesOnlyWhatIsInstalled() throws {
        try withSite { site in
            let setup = try site.run("lab", Self.installedByHand)
            #expect(setup.status == 0 && setup.stdout.contains("1.0"), "\(setup.stdout)")
            try site.converge("""
                use pkg
                step gone on lab {
                  pkg.absent ["tern-hello", "tern-never-heard-of"]
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "dpkg-query -W -f='${Status}\\n' tern-hello 2>/dev/null | grep -c ' installed$' || true; test -e /usr/share/tern-hello/version || echo removed", "0\nremoved")
            }
        }
    }

    @Test func pkgLatestUpgradesFromANewerRepository() throws {
        try withSite { site in
            let setup = try site.run("lab", Self.installedByHand + "\n" + Self.repository("/srv/tern-repo-next", version: "1.1"))
            #expect(setup.status == 0 && setup.stdout.contains("1.0"), "\(setup.stdout)")
            try site.converge("""
                use pkg
                step next on lab {
                  pkg.repository "tern-next", apt_source: "deb [trusted=yes] file:/srv/tern-repo-next ./"
                }
                step newest on lab after next {
                  pkg.latest "tern-hello"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "dpkg-query -W -f='${Version}\\n' tern-hello; cat /usr/share/tern-hello/version", "1.1\n1.1")
            }
        }
    }

    // MARK: - service

    /// Two daemons on each host, which has no init system: one that stays
    /// in the foreground (tern records its pid), one that forks and writes
    /// its own pid file.
    static let daemons = """
        use service
        step daemons on lab {
          service.running "sleeper", enabled: true, command: "sleep 1000"
          service.running "forker", command: "sleep 1001 & echo $! > /run/forker.pid", pidfile: "/run/forker.pid"
          service.enabled "sleeper"
        }
        """

    static let bothAlive = "kill -0 \"$(cat /run/sleeper.pid)\" && kill -0 \"$(cat /run/forker.pid)\" && ps -eo args | grep -c '^sleep 100[01]$'"

    @Test func serviceRunningAndEnabledStartDaemonsWithoutAnInitSystem() throws {
        try withSite { site in
            try #require(try site.output("lab1", "test -d /run/systemd/system || echo none") == "none", "lab hosts have no init system")
            try site.converge(Self.daemons)
            var pids: [String: String] = [:]
            for h in Self.hosts {
                try site.expectOutput(h, Self.bothAlive, "2")
                try site.expectOutput(h, "test -f /var/log/tern-sleeper.log && echo logged", "logged")
                pids[h] = try site.output(h, "cat /run/sleeper.pid")
            }
            // A daemon that died is started again; the others are left alone.
            _ = try site.run("lab2", "kill -TERM -\"$(cat /run/sleeper.pid)\"")
            try site.repairs()
            try site.expectOutput("lab2", Self.bothAlive, "2")
            #expect(try site.output("lab2", "cat /run/sleeper.pid") != pids["lab2"], "a new daemon")
            try site.expectOutput("lab1", "cat /run/sleeper.pid", pids["lab1"] ?? "")
        }
    }

    @Test func serviceStoppedEndsTheDaemonAndItsChildren() throws {
        try withSite { site in
            try site.write(Self.daemons)
            let started = try site.tern("apply")
            #expect(started.status == 0, "\(started.stdout)")
            try site.converge("""
                use service
                step down on lab {
                  service.stopped "sleeper"
                  service.stopped "forker", pidfile: "/run/forker.pid"
                  service.stopped "never-started"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "ps -eo args | grep -c '^sleep 100[01]$' || true; ls /run/sleeper.pid /run/forker.pid 2>/dev/null | wc -l", "0\n0")
            }
        }
    }

    @Test func serviceRestartedInAHandlerRestartsWithoutAnInitSystem() throws {
        try withSite { site in
            let playbook = """
                use file, service
                param version = "1"
                step config on lab {
                  file.content "/etc/sleeper.conf", content: "version ${version}\\n", notify: restart
                }
                handler restart on lab {
                  service.restarted "sleeper", command: "sleep 1000"
                }
                step daemon on lab after config, restart {
                  service.running "sleeper", command: "sleep 1000"
                }
                """
            try site.converge(playbook)
            let before = try site.output("lab1", "cat /run/sleeper.pid")
            try site.expectOutput("lab1", "kill -0 \(before) && echo alive", "alive")
            // A new configuration: the handler restarts the daemon.
            let first = try site.converge(playbook, ["-p", "version=2"])
            #expect(flat(first.stdout).contains("changed restart lab1"), "\(first.stdout)")
            let after = try site.output("lab1", "cat /run/sleeper.pid")
            #expect(after != before)
            try site.expectOutput("lab1", "kill -0 \(after) && echo alive; kill -0 \(before) 2>/dev/null || echo gone; ps -eo args | grep -c '^sleep 1000$'", "alive\ngone\n1")
        }
    }

    @Test func serviceWithoutInitSystemOrCommandFailsClearly() throws {
        try withSite { site in
            try site.write("use service\nstep s on lab1 { service.running \"tern-nothing\" }\n")
            let r = try site.tern("apply")
            #expect(r.status == 2)
            #expect(r.stdout.contains("tern: tern-nothing: this host has neither systemd nor /etc/init.d/tern-nothing; give a command: to start the daemon directly"), "\(r.stdout)")
            try site.write("use service\nstep s on lab1 { service.running \"tern-quick\", command: \"echo starting; exit 3\" }\n")
            let quick = try site.tern("apply")
            #expect(quick.status == 2)
            #expect(quick.stdout.contains("tern: tern-quick exited with status 3"), "\(quick.stdout)")
            #expect(quick.stdout.contains("starting"), "the daemon's output is shown: \(quick.stdout)")
        }
    }

    // MARK: - user

    @Test func userGroupCreatesGroupsWithTheirIds() throws {
        try withSite { site in
            try site.converge("""
                use user
                step groups on lab {
                  user.group "tern-ops", gid: 4242
                  user.group "tern-people", system: false
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "getent group tern-ops; test \"$(getent group tern-people | cut -d: -f3)\" -ge 1000 && echo people", "tern-ops:x:4242:\npeople")
            }
            _ = try site.run("lab1", "groupmod -g 4300 tern-ops")
            try site.repairs()
            try site.expectOutput("lab1", "getent group tern-ops", "tern-ops:x:4242:")
        }
    }

    @Test func userPresentCreatesAndCorrectsAccounts() throws {
        try withSite { site in
            try site.converge("""
                use user
                step groups on lab {
                  user.group "tern-ops", gid: 4242
                  user.group "tern-extra"
                }
                step accounts on lab after groups {
                  user.present "tern-deploy", home: "/home/tern-deploy", shell: "/bin/sh", groups: ["tern-ops", "tern-extra"], uid: 4243
                  user.present "tern-svc", group: "tern-ops", shell: "/usr/sbin/nologin"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "getent passwd tern-deploy | cut -d: -f1,3,6,7; id -nG tern-deploy; stat -c %U /home/tern-deploy", "tern-deploy:4243:/home/tern-deploy:/bin/sh\ntern-deploy tern-ops tern-extra\ntern-deploy")
                try site.expectOutput(h, "id -gn tern-svc; getent passwd tern-svc | cut -d: -f7; test \"$(id -u tern-svc)\" -lt 1000 && echo system", "tern-ops\n/usr/sbin/nologin\nsystem")
            }
            _ = try site.run("lab2", "usermod -s /bin/bash tern-deploy && gpasswd -d tern-deploy tern-extra")
            try site.repairs()
            try site.expectOutput("lab2", "getent passwd tern-deploy | cut -d: -f7; id -nG tern-deploy", "/bin/sh\ntern-deploy tern-ops tern-extra")
        }
    }

    @Test func userAbsentRemovesTheAccountAndItsHome() throws {
        try withSite { site in
            let setup = try site.run("lab", "useradd -m tern-old && test -d /home/tern-old")
            #expect(setup.status == 0, "\(setup.stdout)")
            try site.converge("""
                use user
                step gone on lab {
                  user.absent "tern-old", remove_home: true
                  user.absent "tern-never"
                }
                """)
            for h in Self.hosts {
                try site.expectOutput(h, "getent passwd tern-old || echo no-account; test -e /home/tern-old || echo no-home", "no-account\nno-home")
            }
        }
    }

    // MARK: - ssh

    @Test func sshKeypairGeneratesOnceAndKeepsTheKey() throws {
        try withSite { site in
            try site.converge("""
                use ssh, user
                step account on lab {
                  user.present "tern-deploy", home: "/home/tern-deploy", shell: "/bin/sh"
                }
                step keys on lab after account {
                  ssh.keypair "/root/.ssh/id_ed25519"
                  ssh.keypair "/srv/keys/deploy", type: "ecdsa", comment: "deploy@${host.name}", owner: "tern-deploy"
                }
                """)
            var fingerprints: [String: String] = [:]
            for h in Self.hosts {
                try site.expectOutput(h, "stat -c '%a %U' /srv/keys /srv/keys/deploy /srv/keys/deploy.pub; ssh-keygen -l -f /srv/keys/deploy.pub | cut -d' ' -f3-", "700 tern-deploy\n600 tern-deploy\n644 tern-deploy\ndeploy@\(h) (ECDSA)")
                try site.expectOutput(h, "test \"$(ssh-keygen -y -f /root/.ssh/id_ed25519 | cut -d' ' -f1,2)\" = \"$(cut -d' ' -f1,2 /root/.ssh/id_ed25519.pub)\" && echo pair", "pair")
                fingerprints[h] = try site.output(h, "ssh-keygen -l -f /srv/keys/deploy")
            }
            #expect(Set(fingerprints.values).count == 3, "each host has a key of its own")
            // A lost public key is derived again from the private key, which is kept.
            _ = try site.run("lab1", "rm /srv/keys/deploy.pub")
            try site.repairs()
            try site.expectOutput("lab1", "ssh-keygen -l -f /srv/keys/deploy.pub", fingerprints["lab1"] ?? "")
            try site.expectOutput("lab1", "stat -c %U /srv/keys/deploy.pub", "tern-deploy")
        }
    }

    @Test func sshAuthorizedKeyAddsTheKeyWithTheRightModes() throws {
        try withSite { site in
            let labKey = try site.output("lab2", "cat /root/.ssh/authorized_keys")
            try site.converge("""
                use ssh, user
                step account on lab {
                  user.present "tern-deploy", home: "/home/tern-deploy", shell: "/bin/sh"
                }
                step key on lab1 {
                  ssh.keypair "/root/.ssh/id_ed25519"
                }
                step trust on lab after account {
                  ssh.authorized_key user: "tern-deploy", key: read(lab1, "/root/.ssh/id_ed25519.pub", after: key)
                  ssh.authorized_key user: "root", key: read(lab1, "/root/.ssh/id_ed25519.pub", after: key)
                }
                """)
            let key = try site.output("lab1", "cat /root/.ssh/id_ed25519.pub")
            for h in Self.hosts {
                try site.expectOutput(h, "stat -c '%a %U' /home/tern-deploy/.ssh /home/tern-deploy/.ssh/authorized_keys; cat /home/tern-deploy/.ssh/authorized_keys", "700 tern-deploy\n600 tern-deploy\n\(key)")
                // The lab's own key (how tern logs in) is kept.
                try site.expectOutput(h, "cat /root/.ssh/authorized_keys", labKey + "\n" + key)
            }
            // lab1 now logs in to the others as root with its new key.
            try site.expectOutput("lab1", "ssh -o BatchMode=yes -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR lab3 hostname", "lab3")
        }
    }

    @Test func sshKnownHostRecordsScannedOrGivenKeys() throws {
        try withSite { site in
            // A stale key for lab3 (replaced) and an entry for another host (kept).
            let setup = try site.run("lab1", """
                mkdir -p -m 0700 /root/.ssh && ssh-keygen -q -t ed25519 -N '' -f /tmp/stale && \
                { echo "other.example $(cut -d' ' -f1,2 /tmp/stale.pub)"; echo "lab3 $(cut -d' ' -f1,2 /tmp/stale.pub)"; } > /root/.ssh/known_hosts
                """)
            #expect(setup.status == 0, "\(setup.stdout)")
            try site.converge("""
                use ssh
                step key on lab1 {
                  ssh.keypair "/root/.ssh/id_ed25519"
                }
                step trust on [lab2, lab3] {
                  ssh.authorized_key user: "root", key: read(lab1, "/root/.ssh/id_ed25519.pub", after: key)
                }
                step known on lab1 {
                  ssh.known_host "lab2"
                  ssh.known_host "lab3", key: read(lab3, "/etc/ssh/ssh_host_ed25519_key.pub")
                  ssh.known_host "127.0.74.3", key: read(lab3, "/etc/ssh/ssh_host_ed25519_key.pub"), file: "/etc/ssh/tern_known_hosts"
                }
                """)
            let hostKey = try site.output("lab3", "cut -d' ' -f1,2 /etc/ssh/ssh_host_ed25519_key.pub")
            try site.expectOutput("lab1", "grep '^lab3 ' /root/.ssh/known_hosts; grep -c '^other.example ' /root/.ssh/known_hosts; stat -c %a /root/.ssh/known_hosts",
                "lab3 \(hostKey)\n1\n644")
            try site.expectOutput("lab1", "cat /etc/ssh/tern_known_hosts", "127.0.74.3 \(hostKey)")
            // ssh checks the hosts' keys against them (UpdateHostKeys=no: it
            // would add the hosts' other keys to the file).
            let strict = "ssh -o BatchMode=yes -o StrictHostKeyChecking=yes -o UpdateHostKeys=no"
            try site.expectOutput("lab1", "\(strict) lab2 hostname; \(strict) lab3 hostname", "lab2\nlab3")
            try site.expectOutput("lab1", "\(strict) -o UserKnownHostsFile=/dev/null -o GlobalKnownHostsFile=/etc/ssh/tern_known_hosts 127.0.74.3 hostname", "lab3")
        }
    }

    // MARK: - http

    /// lab1 checks with curl, lab2 (curl hidden) with wget, lab3 (both
    /// hidden) with bash's /dev/tcp: the hidden tools are renamed inside the
    /// hosts' overlays only. (Where the machine lacks curl or wget, lab1 and
    /// lab2 use the next tool.)
    static let hideTools = """
        case $(hostname) in lab2) hide=curl ;; lab3) hide="curl wget" ;; *) hide= ;; esac
        for t in $hide; do if [ -e /usr/bin/$t ]; then mv /usr/bin/$t /usr/bin/$t.hidden; fi; done
        command -v curl wget | tr '\\n' ' '
        """

    @Test func httpWaitWaitsForAServerWithCurlWgetOrBash() throws {
        try withSite { site in
            try #require(try site.run("lab1", "python3 -c 'import http.server'").status == 0, "python3 serves HTTP in these tests")
            let setup = try site.run("lab", Self.hideTools + "\nmkdir -p /srv/www && echo hello > /srv/www/index.html")
            #expect(setup.status == 0, "\(setup.stdout)")
            #expect(!FileManager.default.fileExists(atPath: "/usr/bin/curl.hidden"))
            try site.converge("""
                use service, http
                step web on lab {
                  service.running "web", command: "python3 -m http.server --bind ${host.address} 18080 --directory /srv/www"
                }
                step up on lab after web {
                  http.wait "http://${host.address}:18080/index.html", timeout: 20s
                }
                """)
            for h in Self.hosts {
                // The check of each run (and the waiting of the first) got an answer.
                let answered = Int(try site.output(h, "grep -c 'GET /index.html HTTP/1.[01]\" 200' /var/log/tern-web.log")) ?? 0
                #expect(answered >= 3, "\(h): \(answered) requests answered")
            }
        }
    }

    @Test func httpWaitOnAClosedPortFailsWithinTheTimeout() throws {
        try withSite { site in
            let setup = try site.run("lab", Self.hideTools)
            #expect(setup.status == 0, "\(setup.stdout)")
            try site.write("""
                use http
                step closed on lab {
                  http.wait "http://${host.address}:18099/health", timeout: 2s
                }
                """)
            let plan = try site.tern("plan")
            #expect(plan.status == 3, "the check is one request, and it fails: \(plan.stdout)\(plan.stderr)")
            let start = Date()
            let r = try site.tern("apply")
            let elapsed = Date().timeIntervalSince(start)
            #expect(r.status == 2, "\(r.stdout)")
            for h in Self.hosts {
                let address = site.lab.host(named: h)?.address ?? ""
                #expect(r.stdout.contains("tern: http://\(address):18099/health did not answer within 2s: "), "\(r.stdout)")
            }
            #expect(elapsed >= 2 && elapsed < 15, "took \(elapsed) s")
        }
    }
}
