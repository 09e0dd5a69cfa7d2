/// What `tern lab up` is asked for: where the lab keeps its state, and how many
/// hosts it runs on which loopback addresses.
public struct LabConfig: Sendable, Hashable {
    /// Where `tern lab` keeps its state unless told otherwise.
    public static let defaultDirectory = "/var/lib/tern-lab"

    /// The lab's state folder: keys, known_hosts, ssh_config, inventory, and
    /// each host's upper layer and log.
    public var directory: String
    /// How many hosts: lab1 ... labN. An existing lab only grows.
    public var hosts: Int
    /// The first three octets of the hosts' addresses: "127.0.1" gives
    /// 127.0.1.1, 127.0.1.2, ... Always a loopback address.
    public var subnet: String
    /// Host K is named `namePrefix` + K.
    public var namePrefix: String
    /// The port every host's sshd listens on (each host has its own address).
    public var port: Int

    public init(directory: String, hosts: Int, subnet: String = "127.0.1", namePrefix: String = "lab", port: Int = 22) {
        self.directory = directory
        self.hosts = hosts
        self.subnet = subnet
        self.namePrefix = namePrefix
        self.port = port
    }

    /// Host K's name (K counts from 1).
    func name(ofHost k: Int) -> String { "\(namePrefix)\(k)" }

    /// Host K's address (K counts from 1).
    func address(ofHost k: Int) -> String { "\(subnet).\(k)" }

    /// Checks every field; the error says which one is wrong and why.
    func validate() throws {
        guard (1...254).contains(hosts) else {
            throw LabError.invalidConfig("the number of hosts must be between 1 and 254, got \(hosts)")
        }
        let octets = subnet.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 3, octets.allSatisfy({ UInt8($0) != nil && $0.allSatisfy(\.isASCII) }), octets[0] == "127" else {
            throw LabError.invalidConfig("subnet must be the first three octets of a loopback address, such as 127.0.1 (lab hosts only use 127.x.y.z), got '\(subnet)'")
        }
        guard let first = namePrefix.unicodeScalars.first, first.properties.isAlphabetic || first == "_",
              namePrefix.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0) || $0 == "_") })
        else {
            throw LabError.invalidConfig("the host name prefix must be a letter or '_' followed by letters, digits or '_', got '\(namePrefix)'")
        }
        guard (1...65535).contains(port) else {
            throw LabError.invalidConfig("port must be between 1 and 65535, got \(port)")
        }
        try LabLayout.validate(directory: directory)
    }
}
