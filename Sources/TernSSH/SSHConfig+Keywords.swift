/// The keywords of ssh_config(5) that Tern reads without acting on them.
extension SSHConfig {
    static let proxyCommandIgnored =
        "ProxyCommand is not supported by Tern; it connects directly (use ProxyJump for a bastion host)"

    static func identityAgentIgnored(_ agent: String) -> String {
        "IdentityAgent \(agent) is not supported by Tern; it uses the agent at SSH_AUTH_SOCK"
    }

    /// Keywords that would change how `ssh` reaches or authenticates a host,
    /// which Tern does not implement: each is reported for the hosts it
    /// applies to.
    static let ignoredReasons: [String: String] = [
        "certificatefile": "CertificateFile is not supported by Tern; no certificate is offered",
        "hostkeyalias": "HostKeyAlias is not supported by Tern; host keys are looked up under the host's name",
        "globalknownhostsfile":
            "GlobalKnownHostsFile is not supported by Tern; it reads UserKnownHostsFile or its own defaults",
        "knownhostscommand": "KnownHostsCommand is not supported by Tern; it reads known_hosts files only",
        "canonicalizehostname": "CanonicalizeHostname is not supported by Tern; host names are used as written",
        "forwardagent": "ForwardAgent is not supported by Tern; the agent is not forwarded",
        "pkcs11provider": "PKCS11Provider is not supported by Tern; keys on tokens are not offered",
        "smartcarddevice": "SmartcardDevice is not supported by Tern; keys on smart cards are not offered",
        "securitykeyprovider": "SecurityKeyProvider is not supported by Tern; FIDO keys cannot be used",
    ]

    /// The rest of OpenSSH's client keywords (ssh_config(5), up to 9.9):
    /// valid, but of no concern to how Tern connects. A keyword outside this
    /// list and the ones handled above is most likely a typo and is warned
    /// about.
    static let otherKeywords: Set<String> = [
        "addkeystoagent", "addressfamily", "batchmode", "bindaddress", "bindinterface", "canonicaldomains",
        "canonicalizefallbacklocal", "canonicalizemaxdots", "canonicalizepermittedcnames", "casignaturealgorithms",
        "channeltimeout", "checkhostip", "challengeresponseauthentication", "ciphers", "cipher",
        "clearallforwardings", "compression", "compressionlevel", "connectionattempts", "controlmaster",
        "controlpath", "controlpersist", "dsaauthentication", "dynamicforward", "enableescapecommandline",
        "enablesshkeysign", "escapechar", "exitonforwardfailure", "fingerprinthash", "forkafterauthentication",
        "forwardx11", "forwardx11timeout", "forwardx11trusted", "gatewayports", "gssapiauthentication",
        "gssapidelegatecredentials", "hashknownhosts", "hostbasedacceptedalgorithms", "hostbasedauthentication",
        "hostbasedkeytypes", "hostkeyalgorithms", "ignoreunknown", "ipqos", "kbdinteractiveauthentication",
        "kbdinteractivedevices", "kexalgorithms", "keepalive", "localcommand", "localforward", "loglevel",
        "logverbose", "macs", "nohostauthenticationforlocalhost", "numberofpasswordprompts",
        "obscurekeystroketiming", "passwordauthentication", "permitlocalcommand", "permitremoteopen",
        "preferredauthentications", "protocol", "proxyusefdpass", "pubkeyacceptedalgorithms",
        "pubkeyacceptedkeytypes", "pubkeyauthentication", "refuseconnection", "rekeylimit", "remotecommand",
        "remoteforward", "requesttty", "requiredrsasize", "revokedhostkeys", "sendenv", "serveralivecountmax",
        "sessiontype", "setenv", "stdinnull", "streamlocalbindmask", "streamlocalbindunlink", "syslogfacility",
        "tag", "tcpkeepalive", "tunnel", "tunneldevice", "updatehostkeys", "usekeychain", "verifyhostkeydns",
        "versionaddendum", "visualhostkey", "warnweakcrypto", "xauthlocation", "fallbacktorsh",
        "globalknownhostsfile2", "rhostsauthentication", "userknownhostsfile2", "useroaming", "usersh",
        "useprivilegedport", "afstokenpassing", "kerberosauthentication", "kerberostgtpassing",
        "rsaauthentication", "rhostsrsaauthentication", "skeyauthentication", "tisauthentication",
    ]
}
