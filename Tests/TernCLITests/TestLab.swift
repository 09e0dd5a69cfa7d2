import Foundation
import Testing
import TernLab

/// What the CLI tests share: lab hosts of a suite's own, in a scratch folder.
enum TestLab {
    /// Three lab hosts on SUBNET.1-3 (the lab in SCRATCH/lab) and the scratch
    /// folder, for `body`; both always removed. Each suite has a subnet of
    /// its own, so suites never share hosts.
    static func with(subnet: String, _ body: (LabState, String) throws -> Void) throws {
        try #require(getuid() == 0, "lab hosts need root; run scripts/setup and the tests as root")
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("tern-test-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: scratch, withIntermediateDirectories: true)
        defer {
            try? Lab.down(directory: scratch + "/lab")
            try? FileManager.default.removeItem(atPath: scratch)
        }
        try body(try Lab.up(LabConfig(directory: scratch + "/lab", hosts: 3, subnet: subnet)), scratch)
    }
}

/// Output with runs of spaces collapsed, so expectations do not depend on
/// column widths.
func flat(_ text: String) -> String {
    text.replacing(#/ +/#, with: " ")
}
