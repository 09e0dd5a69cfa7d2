import Glibc

/// What must hold before a lab host can start: root, the programs the hosts
/// run, and a lab folder that overlayfs accepts as an upper layer.
enum Prerequisites {
    /// The programs, by absolute path. `sshd` must be on the root filesystem:
    /// the hosts run it from their overlay, whose lower layer is `/`.
    struct Tools: Sendable, Hashable {
        var sshd: String
        var unshare: String
        var sshKeygen: String
        var mount: String
    }

    /// Folders searched for the programs, whatever PATH the caller has.
    static let searchPath = ["/usr/sbin", "/usr/bin", "/sbin", "/bin", "/usr/local/sbin", "/usr/local/bin"]

    /// Checks root first (without it nothing else matters), then finds the tools.
    static func check(effectiveUser: uid_t = geteuid(), isExecutable: (String) -> Bool = { access($0, X_OK) == 0 }) throws -> Tools {
        guard effectiveUser == 0 else { throw LabError.notRoot }
        func find(_ name: String, package: String) throws -> String {
            for folder in searchPath where isExecutable(folder + "/" + name) { return folder + "/" + name }
            throw LabError.missingTool(name: name, package: package)
        }
        return Tools(
            sshd: try find("sshd", package: "openssh-server"),
            unshare: try find("unshare", package: "util-linux"),
            sshKeygen: try find("ssh-keygen", package: "openssh-client"),
            mount: try find("mount", package: "mount"))
    }

    /// Mounts a throw-away overlay with the lab folder as its upper layer, in a
    /// mount namespace of its own that vanishes with the `mount` command, and
    /// sets the xattr that makes a folder opaque. Some filesystems cannot be an
    /// upper layer (overlayfs itself, as in a container or a lab host; NFS);
    /// this says so before any host starts.
    static func probeOverlay(_ layout: LabLayout, tools: Tools) throws {
        let probe = layout.probeDirectory
        try FileSystem.remove(probe)
        defer { try? FileSystem.remove(probe) }
        for folder in ["upper", "work", "merged"] { try FileSystem.makeDirectory(probe + "/" + folder) }
        let type = FileSystem.fileSystemType(of: layout.directory) ?? "an unknown filesystem"
        do {
            try Subprocess.run([
                tools.unshare, "--mount", "--propagation", "private",
                tools.mount, "-t", "overlay", "overlay",
                "-o", "lowerdir=/,upperdir=\(probe)/upper,workdir=\(probe)/work", "\(probe)/merged",
            ])
            try FileSystem.setExtendedAttribute(probe + "/upper", name: "trusted.overlay.opaque", value: "y")
        } catch {
            throw LabError.unsupportedDirectory(
                directory: layout.directory,
                reason: "it is on \(type), which overlayfs does not accept as an upper layer (\(error)); choose a folder on ext4, xfs, btrfs or tmpfs, such as \(LabConfig.defaultDirectory)")
        }
    }
}
