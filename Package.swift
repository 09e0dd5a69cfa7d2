// swift-tools-version: 6.0
// Tern: a playbook engine. The targets follow the pipeline:
// source & diagnostics -> language -> plan (step graph) -> executable.
import PackageDescription

let package = Package(
    name: "tern",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tern", targets: ["tern"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "5.0.1"),
    ],
    targets: [
        .target(name: "TernSource"),
        .target(name: "TernPlan", dependencies: ["TernSource"]),
        .target(
            name: "TernLang",
            dependencies: ["TernSource", "TernPlan", "TernInventory"]
        ),
        .target(
            name: "TernInventory",
            dependencies: ["TernSource", "TernPlan", .product(name: "Yams", package: "Yams")]
        ),
        .target(name: "TernEngine", dependencies: ["TernPlan", "TernSource"]),
        .systemLibrary(name: "CLibSSH2", pkgConfig: "libssh2", providers: [.apt(["libssh2-1-dev"])]),
        .target(name: "TernSSH", dependencies: ["CLibSSH2", "TernEngine", "TernPlan"]),
        .systemLibrary(name: "CLibEdit", pkgConfig: "libedit", providers: [.apt(["libedit-dev"])]),
        .target(name: "TernLab"),
        .executableTarget(
            name: "tern",
            dependencies: [
                "TernSource", "TernPlan", "TernLang", "TernLab", "TernEngine", "TernSSH", "CLibEdit",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(name: "tern-ssh-bench", dependencies: ["TernSSH", "TernEngine", "TernPlan"], path: "bench/SSHBench"),
        .testTarget(name: "TernSourceTests", dependencies: ["TernSource"]),
        .testTarget(name: "TernPlanTests", dependencies: ["TernPlan"]),
        .testTarget(
            name: "TernLangTests", dependencies: ["TernLang", "TernPlan", "TernSource"],
            // Golden inputs and expected outputs are read from disk by path.
            exclude: ["Golden"]
        ),
        .testTarget(name: "TernInventoryTests", dependencies: ["TernInventory", "TernSource", "TernPlan"]),
        .testTarget(name: "TernSSHTests", dependencies: ["TernSSH", "TernEngine", "TernPlan"]),
        .testTarget(name: "TernSSHIntegrationTests", dependencies: ["TernSSH", "TernEngine", "TernPlan"]),
        .testTarget(name: "TernLabTests", dependencies: ["TernLab"]),
        .testTarget(name: "TernEngineTests", dependencies: ["TernEngine", "TernPlan", "TernSource", "TernLang"]),
        .testTarget(
            name: "TernCLITests", dependencies: ["tern", "TernLab"],
            // Golden files and a stand-in API server, read from disk by path.
            exclude: ["HeketiK8s", "Fixtures"]
        ),
        .testTarget(name: "TernSSHLabTests", dependencies: ["TernSSH", "TernLab", "TernEngine", "TernPlan"]),
    ],
    swiftLanguageModes: [.v6]
)
