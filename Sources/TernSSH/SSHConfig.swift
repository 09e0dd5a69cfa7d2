/// An OpenSSH client configuration (`~/.ssh/config`, or the file given with
/// `-F`), read once and asked for each host's connection settings.
///
/// Reading follows ssh_config(5): keywords are case-insensitive and take
/// their values after whitespace or `=`; values may be quoted; `#` starts a
/// comment where a value could start. `Host` lines open a section that
/// applies to hosts matching one of its patterns (`*`, `?`) and none of its
/// negated (`!`) ones. `Match all` applies to every host; any other `Match`
/// is skipped with a warning, since Tern cannot evaluate `exec`, `user` or
/// the canonicalisation pass. `Include` reads files (globs allowed; relative
/// paths are under `~/.ssh`) as if their lines stood there, inside the
/// section of the `Include` line. For each keyword the **first** value that
/// applies to a host wins, except `IdentityFile`, whose values accumulate.
///
/// How the inventory meets the configuration. The inventory's address for
/// a host plays the part of the host argument of `ssh ADDRESS`: it is what
/// `Host` patterns match (a section whose patterns match the inventory name
/// applies too, as for `ssh NAME`), and — because the inventory states where the host
/// is — it is also where Tern connects, so the configuration's `HostName`
/// applies only to hosts without an inventory address (their inventory name
/// is then the host argument, `HostName` may use `%h` for it). An inventory
/// port or user wins over `Port` and `User`, as `ssh -p`/`-l` do. `defaults`
/// fills whatever neither the inventory nor the configuration sets; an
/// `IdentityFile` or `UserKnownHostsFile` from the configuration replaces
/// the defaults' list, as it replaces OpenSSH's built-in one.
///
/// `ProxyJump a,b` connects through `a`, then `b`. Each hop is looked up in
/// the configuration like a host of its own (its `HostName`, `Port`, `User`,
/// `IdentityFile`), with the user and port written in the hop winning; the
/// first hop's own `ProxyJump` is followed too, so chains compose, as they
/// do when `ssh` runs `ssh -W` for a jump host. A chain that comes back to a
/// host already on the way (a `Host *` section whose `ProxyJump` names the
/// bastion, applied to the bastion itself) is not followed: that host is
/// reached directly, where `ssh` would stop with "jumphost loop".
public struct SSHConfig: Sendable {
    /// Every setting in the order `ssh` reads it, with included files spliced
    /// in where they are included.
    let directives: [Directive]
    /// What Tern read but will not do as `ssh` would, for the user to see once.
    public let warnings: [SSHConfigWarning]
    /// Whose `~`, `%d`, `%u` and `~/.ssh` the configuration refers to.
    public let account: LocalAccount

    /// A configuration without settings: every host gets the defaults.
    public init(account: LocalAccount = .current()) {
        self.init(directives: [], warnings: [], account: account)
    }

    init(directives: [Directive], warnings: [SSHConfigWarning], account: LocalAccount) {
        self.directives = directives
        self.warnings = warnings
        self.account = account
    }

    /// Reads the configuration file at `path` and the files it includes.
    public static func load(path: String, account: LocalAccount = .current()) throws(SSHConfigError) -> SSHConfig {
        var parser = Parser(account: account)
        try parser.readFile(at: path, conditions: [], includedFrom: nil)
        return SSHConfig(directives: parser.directives, warnings: parser.warnings, account: account)
    }

    /// Reads the user's own configuration, `~/.ssh/config`; a user without
    /// one gets the empty configuration.
    public static func loadUserConfig(account: LocalAccount = .current()) throws(SSHConfigError) -> SSHConfig {
        let path = account.anchoredInSSHDirectory("config")
        do {
            guard try LocalFile.contents(path) != nil else { return SSHConfig(account: account) }
        } catch {
            throw .cannotRead(path, error.reason)
        }
        return try load(path: path, account: account)
    }

    /// Reads configuration text; `path` names it in messages. Included files
    /// are read from disk.
    public static func parse(_ text: String, path: String, account: LocalAccount = .current()) throws(SSHConfigError)
        -> SSHConfig
    {
        var parser = Parser(account: account)
        try parser.parse(text, path: path, conditions: [], stack: [path])
        return SSHConfig(directives: parser.directives, warnings: parser.warnings, account: account)
    }

    /// The settings for one inventory host; see the type's documentation for
    /// which source wins.
    ///
    /// - Parameters:
    ///   - name: the inventory name (`ConnectionSettings.name`).
    ///   - address: the inventory's address for the host, if it has one.
    ///   - port: the inventory's port, if it sets one.
    ///   - user: the inventory's user, if it sets one.
    ///   - defaults: what applies when neither the inventory nor the
    ///     configuration says; its `name` and `hostName` are not used.
    public func resolve(
        name: String, address: String?, port: Int?, user: String?, defaults: ConnectionSettings
    ) -> ConnectionSettings {
        let hostArgument = address ?? name
        // A section applies when its patterns match the address (as `ssh
        // ADDRESS` would) or the inventory name (as `ssh NAME` would), so
        // `Host lab1` sections apply to the inventory's host lab1.
        let options = options(forHost: hostArgument, alias: address == nil || address == name ? nil : name)
        let hostName = address ?? options.hostName.map { expandHostName($0, host: hostArgument) } ?? name
        let port = port ?? options.port ?? defaults.port
        let user = user ?? options.user ?? defaults.user
        let tokens = tokenValues(hostArgument: hostArgument, hostName: hostName, port: port, user: user)

        var settings = defaults
        settings.name = name
        settings.hostName = hostName
        settings.port = port
        settings.user = user
        if !options.identityFiles.isEmpty {
            settings.identityFiles = options.identityFiles.map { expandPath($0, tokens: tokens) }
        }
        if let only = options.identitiesOnly { settings.identitiesOnly = only }
        if let useAgent = options.useAgent { settings.useAgent = useAgent }
        if let seconds = options.connectTimeoutSeconds { settings.connectTimeoutMillis = seconds * 1000 }
        if let seconds = options.serverAliveIntervalSeconds { settings.keepaliveSeconds = seconds }
        if let files = options.userKnownHostsFiles {
            settings.knownHostsFiles = files == ["none"] ? [] : files.map { expandPath($0, tokens: tokens) }
        }
        if let checking = options.strictHostKeyChecking { settings.acceptNewHostKeys = checking.acceptsNewKeys }
        switch options.proxy {
        case .jump(let hops)?:
            let onTheWay: Set = [hostArgument.lowercased()]
            settings.jumps = Self.loops(hops, onTheWay) ? [] : jumpChain(hops, onTheWay: onTheWay, defaults: defaults)
        case .noProxy?, .command?:
            settings.jumps = []
        case nil:
            break
        }
        return settings
    }

    /// The settings that apply to this host but that Tern does not follow
    /// (`ProxyCommand`, `CertificateFile`, ...), to tell the user before
    /// connecting differently from `ssh`.
    public func ignoredOptions(name: String, address: String?) -> [SSHConfigWarning] {
        options(forHost: address ?? name).ignored
    }

    /// Hops in the order they are connected: the first hop's own chain, then
    /// the hops as written. `onTheWay` holds the hosts (as named in the
    /// configuration) that the chain already leads to.
    private func jumpChain(_ hops: [JumpSpec], onTheWay: Set<String>, defaults: ConnectionSettings) -> [JumpHost] {
        guard let first = hops.first else { return [] }
        var chain: [JumpHost] = []
        let firstOptions = options(forHost: first.host)
        let further = onTheWay.union([first.host.lowercased()])
        if case .jump(let inner)? = firstOptions.proxy, !Self.loops(inner, further) {
            chain += jumpChain(inner, onTheWay: further, defaults: defaults)
        }
        chain.append(jumpHost(first, options: firstOptions, defaults: defaults))
        for hop in hops.dropFirst() {
            chain.append(jumpHost(hop, options: options(forHost: hop.host), defaults: defaults))
        }
        return chain
    }

    /// Whether a chain goes through a host already on the way, like a
    /// `Host *` section whose `ProxyJump` names the bastion itself. `ssh`
    /// stops with "jumphost loop"; Tern does not follow such a chain, so the
    /// bastion is reached directly.
    private static func loops(_ hops: [JumpSpec], _ onTheWay: Set<String>) -> Bool {
        hops.contains { onTheWay.contains($0.host.lowercased()) }
    }

    private func jumpHost(_ hop: JumpSpec, options: HostOptions, defaults: ConnectionSettings) -> JumpHost {
        let hostName = options.hostName.map { expandHostName($0, host: hop.host) } ?? hop.host
        let port = hop.port ?? options.port ?? defaults.port
        let user = hop.user ?? options.user ?? defaults.user
        let tokens = tokenValues(hostArgument: hop.host, hostName: hostName, port: port, user: user)
        let identityFiles = options.identityFiles.isEmpty
            ? defaults.identityFiles : options.identityFiles.map { expandPath($0, tokens: tokens) }
        return JumpHost(hostName: hostName, port: port, user: user, identityFiles: identityFiles)
    }

    /// The first value of each setting among the sections that match `host`.
    func options(forHost host: String, alias: String? = nil) -> HostOptions {
        var options = HostOptions()
        for directive in directives where directive.applies(to: host) || (alias.map(directive.applies) ?? false) {
            options.take(directive)
        }
        return options
    }
}
