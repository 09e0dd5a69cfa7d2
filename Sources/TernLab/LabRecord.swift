import Foundation

/// What a lab folder's `lab.json` holds: the lab's addresses and, for each
/// host, the process that runs it. Written after every change, read by
/// every command, so `tern lab down` finds hosts that another process started.
struct LabRecord: Codable, Sendable, Hashable {
    var subnet: String
    var namePrefix: String
    var port: Int
    var hosts: [HostRecord]

    static func load(_ layout: LabLayout) throws -> LabRecord? {
        guard let text = FileSystem.read(layout.stateFile) else { return nil }
        do {
            return try JSONDecoder().decode(LabRecord.self, from: Data(text.utf8))
        } catch {
            throw LabError.fileSystem(path: layout.stateFile, reason: "unreadable lab state (\(error)); stop the hosts by hand or remove the folder")
        }
    }

    func save(_ layout: LabLayout) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data: Data
        do { data = try encoder.encode(self) } catch {
            throw LabError.fileSystem(path: layout.stateFile, reason: "cannot encode the lab state: \(error)")
        }
        try FileSystem.write(layout.stateFile, String(decoding: data, as: UTF8.self) + "\n")
    }

    /// The addressing of a config, in words, to compare with another lab's.
    static func addressing(subnet: String, namePrefix: String, port: Int) -> String {
        "hosts \(namePrefix)1, \(namePrefix)2, ... at \(subnet).1, \(subnet).2, ... port \(port)"
    }
}

/// One host of the lab record.
struct HostRecord: Codable, Sendable, Hashable {
    var name: String
    var address: String
    var port: Int
    /// The host's `unshare` process while it runs; nil once stopped.
    var process: HostProcess?
}
