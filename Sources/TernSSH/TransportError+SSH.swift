import TernEngine

extension TransportError {
    /// The transport was shut down while the operation waited or ran.
    static func shutDown(host: String) -> TransportError {
        .other(host: host, reason: "the SSH transport was shut down")
    }

    /// A jump host's error as the host behind it reports it: the host is
    /// named "web1 via jump host bastion:22", and the case is kept, so that
    /// a jump host's unknown key is still an unknown key.
    func reached(through name: String) -> TransportError {
        let origin = host.split(separator: " via ").last.map(String.init) ?? host
        return renamed("\(name) via \(origin)")
    }

    /// The same error naming another host.
    func renamed(_ name: String) -> TransportError {
        switch self {
        case .unreachable(_, let reason): .unreachable(host: name, reason: reason)
        case .hostKeyMismatch(_, let type, let expected, let actual):
            .hostKeyMismatch(host: name, keyType: type, expected: expected, actual: actual)
        case .unknownHostKey(_, let type, let fingerprint): .unknownHostKey(host: name, keyType: type, fingerprint: fingerprint)
        case .authenticationFailed(_, let reason): .authenticationFailed(host: name, reason: reason)
        case .timedOut(_, let what, let millis): .timedOut(host: name, what: what, afterMillis: millis)
        case .connectionLost(_, let reason): .connectionLost(host: name, reason: reason)
        case .becomeNeedsPassword(_, let user): .becomeNeedsPassword(host: name, user: user)
        case .fileTransfer(_, let path, let reason): .fileTransfer(host: name, path: path, reason: reason)
        case .other(_, let reason): .other(host: name, reason: reason)
        }
    }
}
