import TernPlan

/// Host facts, gathered lazily — only for a host whose plan reads one —
/// at most once per run, in one command.
actor FactCache {
    private var gathered: [String: Task<Result<[String: String], TransportError>, Never>] = [:]
    let transport: any Transport

    init(transport: any Transport) {
        self.transport = transport
    }

    func facts(of host: PlanHost) async -> Result<[String: String], TransportError> {
        if let t = gathered[host.name] { return await t.value }
        let transport = self.transport
        let t = Task { await Self.gather(host, transport: transport) }
        gathered[host.name] = t
        return await t.value
    }

    private static func gather(_ host: PlanHost, transport: any Transport) async -> Result<[String: String], TransportError> {
        do {
            let r = try await transport.exec(CommandRequest(FactScript.command), on: host)
            guard r.succeeded else { return .failure(.other(host: host.name, reason: "gathering facts failed with status \(r.exitStatus)")) }
            return .success(FactScript.parse(r.stdoutText))
        } catch {
            return .failure(error)
        }
    }
}

/// The one command that gathers every fact, and its parser.
public enum FactScript {
    /// `name=value` lines for os_family, os_id, os_version, pkg_manager,
    /// init_system, arch, hostname, kernel (the names the language knows).
    /// init_system is what runs as PID 1: systemd, openrc, sysv, or none
    /// (a container or a lab host, where a daemon is started directly).
    public static let command = """
        ID=; ID_LIKE=; VERSION_ID=; [ -r /etc/os-release ] && . /etc/os-release
        fam="$ID"
        case " $ID $ID_LIKE " in
          *" debian "*|*" ubuntu "*) fam=debian;;
          *" rhel "*|*" fedora "*|*" centos "*) fam=redhat;;
          *" suse "*|*" opensuse "*) fam=suse;;
        esac
        pm=none
        for c in apt-get:apt dnf:dnf yum:yum zypper:zypper apk:apk pacman:pacman; do
          if command -v "${c%%:*}" >/dev/null 2>&1; then pm="${c#*:}"; break; fi
        done
        one=$(cat /proc/1/comm 2>/dev/null)
        if [ -d /run/systemd/system ]; then init=systemd
        elif [ "$one" = openrc-init ] || { [ "$one" = init ] && command -v rc-service >/dev/null 2>&1; }; then init=openrc
        elif [ "$one" = init ] && [ -d /etc/init.d ]; then init=sysv
        else init=none; fi
        printf 'os_family=%s\\nos_id=%s\\nos_version=%s\\npkg_manager=%s\\ninit_system=%s\\narch=%s\\nhostname=%s\\nkernel=%s\\n' \
          "${fam:-unknown}" "${ID:-unknown}" "$VERSION_ID" "$pm" "$init" "$(uname -m)" "$(uname -n)" "$(uname -r)"
        """

    public static func parse(_ text: String) -> [String: String] {
        var facts: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            facts[String(line[..<eq])] = String(line[line.index(after: eq)...])
        }
        return facts
    }
}
