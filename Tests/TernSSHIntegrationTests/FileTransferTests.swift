import Foundation
import TernEngine
import TernPlan
import TernSSH
import Testing

/// Uploads replace files atomically; downloads read them whole.
@Suite struct FileTransferTests {
    @Test func uploadThenDownloadRoundTrips() async throws {
        let server = try SSHServer()
        let path = server.directory + "/remote/data.bin"
        try FileManager.default.createDirectory(atPath: server.directory + "/remote", withIntermediateDirectories: true)
        var generator = SystemRandomNumberGenerator()
        let data = (0..<(5 * 1024 * 1024 + 17)).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let (back, mode, leftovers) = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.upload(data, to: path, options: UploadOptions(mode: "0640"), on: lab)
            let back = try await transport.download(path, on: lab)
            let mode = try await transport.exec(CommandRequest("stat -c %a \(path)"), on: lab).stdoutText
            let leftovers = try await transport.exec(CommandRequest("ls -a \(server.directory)/remote"), on: lab).stdoutText
            return (back, mode, leftovers)
        }
        #expect(back == data)
        #expect(mode == "640\n")
        #expect(leftovers == ".\n..\ndata.bin\n")
    }

    @Test func uploadSetsOwnerAndGroup() async throws {
        let server = try SSHServer()
        let path = server.directory + "/owned.txt"
        let owner = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.upload(
                Array("x".utf8), to: path, options: UploadOptions(mode: "600", owner: "nobody", group: "nogroup"), on: lab)
            return try await transport.exec(CommandRequest("stat -c '%U:%G %a' \(path)"), on: lab).stdoutText
        }
        #expect(owner == "nobody:nogroup 600\n")
    }

    @Test func uploadWithBecomeInstallsThroughSudo() async throws {
        let server = try SSHServer()
        let path = server.directory + "/become.txt"
        let (contents, stat, staging) = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.upload(
                Array("as root\n".utf8), to: path, options: UploadOptions(mode: "0755", become: "root"), on: lab)
            let contents = try await transport.download(path, on: lab)
            let stat = try await transport.exec(CommandRequest("stat -c '%U %a' \(path)"), on: lab).stdoutText
            let staging = try await transport.exec(CommandRequest("ls -a \(server.directory) | grep -c '^.tern-' || true"), on: lab)
            return (contents, stat, staging.stdoutText)
        }
        #expect(String(decoding: contents, as: UTF8.self) == "as root\n")
        #expect(stat == "root 755\n")
        #expect(staging == "0\n")
    }

    /// A reader that keeps reading the file while it is replaced again and
    /// again sees one complete version or the other, never a part.
    @Test func replacingIsAtomicForAConcurrentReader() async throws {
        let server = try SSHServer()
        let path = server.directory + "/atomic.txt"
        let versions = [
            [UInt8](repeating: UInt8(ascii: "a"), count: 1 << 20), [UInt8](repeating: UInt8(ascii: "b"), count: 1 << 20),
        ]
        let sums = versions.map { SHA256.hex($0) }
        let reads = try await withTransport({ _ in server.settings() }) { transport in
            try await transport.upload(versions[0], to: path, options: UploadOptions(), on: lab)
            async let reader = transport.exec(
                CommandRequest("for i in $(seq 300); do sha256sum < \(path) | cut -c1-64; done"), on: lab)
            for round in 1...12 {
                try await transport.upload(versions[round % 2], to: path, options: UploadOptions(), on: lab)
            }
            return try await reader.stdoutText.split(separator: "\n").map(String.init)
        }
        #expect(reads.count == 300)
        #expect(reads.allSatisfy { sums.contains($0) }, "a read saw a partial file")
    }

    @Test func downloadingAMissingFileSaysSo() async throws {
        let server = try SSHServer()
        let path = server.directory + "/missing"
        try await withTransport({ _ in server.settings() }) { transport in
            await #expect(throws: TransportError.fileTransfer(host: "lab", path: path, reason: "no such file or directory")) {
                try await transport.download(path, on: lab)
            }
        }
    }

    @Test func uploadingIntoAMissingDirectorySaysSo() async throws {
        let server = try SSHServer()
        let path = server.directory + "/nowhere/file"
        try await withTransport({ _ in server.settings() }) { transport in
            await #expect(throws: TransportError.fileTransfer(host: "lab", path: path, reason: "no such file or directory")) {
                try await transport.upload([1, 2, 3], to: path, options: UploadOptions(), on: lab)
            }
        }
    }
}
