import Foundation
import Testing

/// Runs the `tern` executable built next to the test bundle, as a real
/// process, with a bounded wait.
enum TernProcess {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    static var executable: String {
        let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        // The test runner lives in the build folder (or inside an .xctest bundle in it).
        for candidate in [dir, dir.deletingLastPathComponent(), dir.deletingLastPathComponent().deletingLastPathComponent()] {
            let path = candidate.appendingPathComponent("tern").path
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return dir.appendingPathComponent("tern").path
    }

    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    /// Runs tern with `arguments`; fails the test if it runs past `timeout` seconds.
    /// `stdin`: a file to read standard input from (default: nothing).
    static func run(_ arguments: [String], environment: [String: String] = [:], timeout: Double = 120, stdin: String? = nil) throws -> Result {
        try runProgram(executable, arguments, environment: ["NO_COLOR": "1"].merging(environment) { $1 }, timeout: timeout, stdin: stdin)
    }

    /// Runs any program, from the repository folder, with its output in
    /// files (no pipe can fill up) and a bounded wait.
    static func runProgram(
        _ program: String, _ arguments: [String], environment: [String: String] = [:], timeout: Double = 120, stdin: String? = nil
    ) throws -> Result {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tern-cli-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out"), err = dir.appendingPathComponent("err")
        _ = FileManager.default.createFile(atPath: out.path, contents: nil)
        _ = FileManager.default.createFile(atPath: err.path, contents: nil)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: program)
        p.arguments = arguments
        p.currentDirectoryURL = repository
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        p.standardOutput = try FileHandle(forWritingTo: out)
        p.standardError = try FileHandle(forWritingTo: err)
        p.standardInput = try stdin.map { try FileHandle(forReadingFrom: URL(fileURLWithPath: $0)) } ?? FileHandle.nullDevice
        let done = DispatchSemaphore(value: 0)
        p.terminationHandler = { _ in done.signal() }
        try p.run()
        if done.wait(timeout: .now() + timeout) == .timedOut {
            p.terminate()
            _ = done.wait(timeout: .now() + 5)
            Issue.record("\((program as NSString).lastPathComponent) \(arguments.prefix(4).joined(separator: " ")) ran longer than \(timeout) s")
        }
        return Result(
            status: p.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: out), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: err), as: UTF8.self))
    }

    /// tern started in the background, its output (both streams) collected
    /// as it comes: for tests that act on hosts while a run is under way.
    final class Background {
        let process = Process()
        private let output: Output
        private let done = DispatchSemaphore(value: 0)

        init(_ arguments: [String], currentDirectory: String? = nil) throws {
            process.executableURL = URL(fileURLWithPath: TernProcess.executable)
            process.arguments = arguments
            if let currentDirectory { process.currentDirectoryURL = URL(fileURLWithPath: currentDirectory) }
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            process.terminationHandler = { [done] _ in done.signal() }
            try process.run()
            output = Output(pipe.fileHandleForReading)
        }

        /// Waits (bounded) for the end; false, after killing it, on a timeout.
        func wait(seconds: Double) -> Bool {
            if done.wait(timeout: .now() + seconds) == .success { return true }
            process.terminate()
            return false
        }

        var text: String { output.text() }
        var status: Int32 { process.terminationStatus }
    }
}

/// Collects a pipe's bytes on a thread of its own, so the child never
/// blocks on a full pipe.
final class Output: @unchecked Sendable {
    private var data = Data()
    private let lock = NSLock()
    private let finished = DispatchSemaphore(value: 0)

    init(_ handle: FileHandle) {
        Thread.detachNewThread { [self] in
            while true {
                let chunk = handle.availableData
                if chunk.isEmpty { break }
                lock.withLock { data.append(chunk) }
            }
            finished.signal()
        }
    }

    func text() -> String {
        _ = finished.wait(timeout: .now() + 10)
        return lock.withLock { String(decoding: data, as: UTF8.self) }
    }
}
