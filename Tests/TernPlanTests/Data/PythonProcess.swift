import Foundation

/// Runs a short Python program as a real process, so that Tern's JSON, YAML
/// and hashes are checked against independent implementations (Python's
/// `json`, `hashlib`, and PyYAML) rather than against themselves.
enum PythonProcess {
    struct Failure: Error, CustomStringConvertible {
        let status: Int32
        let stderr: String
        var description: String { "python3 exited with status \(status): \(stderr)" }
    }

    /// The standard output of `python3 -c program` given `input` on standard
    /// input. Input and output go through temporary files, so neither side
    /// can block on a full pipe.
    static func run(_ program: String, input: String) throws -> String {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("tern-data-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let inputURL = directory.appendingPathComponent("in")
        let outputURL = directory.appendingPathComponent("out")
        let errorURL = directory.appendingPathComponent("err")
        try Data(input.utf8).write(to: inputURL)
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)

        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", program]
        var environment = ProcessInfo.processInfo.environment
        environment["PYTHONIOENCODING"] = "utf-8"
        process.environment = environment
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        process.waitUntilExit()

        let output = String(decoding: try Data(contentsOf: outputURL), as: UTF8.self)
        guard process.terminationStatus == 0 else {
            let stderr = String(decoding: try Data(contentsOf: errorURL), as: UTF8.self)
            throw Failure(status: process.terminationStatus, stderr: stderr)
        }
        return output
    }

    /// PyYAML's reading of a YAML document, as JSON (the brief's one-liner).
    static func yamlToJSON(_ yaml: String) throws -> String {
        try run("import sys,yaml,json; print(json.dumps(yaml.safe_load(sys.stdin.read())))", input: yaml)
    }

    /// Python's `json` module reading a JSON text and writing it back.
    static func jsonRoundTrip(_ json: String) throws -> String {
        try run("import sys,json; print(json.dumps(json.loads(sys.stdin.read())))", input: json)
    }
}
