import Glibc

/// How a lab host is made: its folder (keys, an upper layer with an opaque
/// `/root`), its sshd_config, and the script it runs as PID 1.
///
/// A host is `unshare --mount --uts --ipc --pid --fork --kill-child
/// --propagation private sh host-start.sh HOSTDIR NAME LABDIR SSHD`. The script
/// mounts an overlay whose lower layer is `/` and whose upper layer is the
/// host's own folder, builds the rest of a machine's mounts on top, and execs
/// sshd chrooted into it. All mounts are private to the host's mount
/// namespace: none shows on the machine, and all vanish when the host stops.
enum HostSetup {
    /// Runs as PID 1 of the host's namespaces; `set -e` makes any failed step
    /// end the host, with the reason in its log.
    static let script = """
        #!/bin/sh
        # Written by `tern lab up`: the start of one lab host (see HostSetup.swift).
        # Usage: host-start.sh HOSTDIR NAME LABDIR SSHD, as PID 1 of new namespaces.
        set -eu
        host=$1 name=$2 lab=$3 sshd=$4
        root=$host/merged
        mount -t overlay overlay -o "lowerdir=/,upperdir=$host/upper,workdir=$host/work" "$root"
        # Hide the lab folder (the other hosts' layers, the client key) when `/` holds it.
        if [ -d "$root$lab" ]; then
            mount -t tmpfs -o ro,nosuid,nodev,noexec,size=4k,mode=755 tern-lab "$root$lab"
        fi
        mount --rbind /dev "$root/dev"
        mount -t proc -o nosuid,nodev,noexec proc "$root/proc"
        mount --bind "$root/proc/sys" "$root/proc/sys"
        mount -o remount,bind,ro "$root/proc/sys"
        mount -t sysfs -o ro,nosuid,nodev,noexec sysfs "$root/sys"
        mount -t tmpfs -o mode=755,nosuid,nodev tmpfs "$root/run"
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/tmp"
        mount -t tmpfs -o mode=1777,nosuid,nodev tmpfs "$root/dev/shm"
        mkdir -m 755 "$root/run/sshd"
        hostname "$name"
        printf '%s\\n' "$name" > "$root/etc/hostname"
        # Only this host's own keys, never the machine's.
        rm -f "$root"/etc/ssh/ssh_host_*
        for key in \(HostKeyType.allCases.map(\.fileName).joined(separator: " ")); do
            install -m 600 "$host/keys/$key" "$root/etc/ssh/$key"
            install -m 644 "$host/keys/$key.pub" "$root/etc/ssh/$key.pub"
        done
        install -m 644 "$host/keys/sshd_config" "$root/etc/ssh/sshd_config.tern-lab"
        exec chroot "$root" "$sshd" -D -e -f /etc/ssh/sshd_config.tern-lab

        """

    /// The host's sshd_config. Settings measured on this kind of machine
    /// (FIELD-NOTES): the default hybrid key exchange costs ~130 ms of CPU per
    /// connection; the default MaxStartups drops parallel connects.
    static func sshdConfig(name: String, address: String, port: Int) -> String {
        var lines = ["# Written by `tern lab up` for \(name); rewritten at each start."]
        lines.append("ListenAddress \(address):\(port)")
        for type in HostKeyType.allCases { lines.append("HostKey /etc/ssh/\(type.fileName)") }
        lines += [
            "KexAlgorithms curve25519-sha256",
            "MaxStartups 200:30:400",
            "MaxSessions 100",
            "UsePAM no",
            "UseDNS no",
            "PidFile /run/sshd.pid",
            "Subsystem sftp internal-sftp",
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "AuthorizedKeysFile .ssh/authorized_keys",
            "PrintMotd no",
            "PrintLastLog no",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// Makes the host's folder ready to start: keys made once, sshd_config
    /// rewritten, and, for a new upper layer, an opaque `/root` holding only
    /// the lab's public key. (The machine's `/root/.bashrc` may run slow
    /// things, such as `pyenv init`, in every shell an ssh command starts.)
    static func prepare(_ host: HostLayout, name: String, address: String, port: Int, publicKey: String, tools: Prerequisites.Tools) throws {
        for folder in [host.upper, host.work, host.merged] { try FileSystem.makeDirectory(folder) }
        try FileSystem.makeDirectory(host.keys, mode: 0o700)
        for type in HostKeyType.allCases where !FileSystem.exists(host.hostKey(type)) {
            try FileSystem.remove(host.hostKey(type) + ".pub")
            try Subprocess.run([tools.sshKeygen, "-q"] + type.keygenArguments + ["-N", "", "-C", "root@\(name)", "-f", host.hostKey(type)])
        }
        try FileSystem.write(host.sshdConfig, sshdConfig(name: name, address: address, port: port))

        let root = host.upper + "/root"
        if !FileSystem.exists(root) {
            try FileSystem.makeDirectory(root, mode: 0o700)
            try FileSystem.setExtendedAttribute(root, name: "trusted.overlay.opaque", value: "y")
            try FileSystem.makeDirectory(root + "/.ssh", mode: 0o700)
            try FileSystem.write(root + "/.ssh/authorized_keys", publicKey, mode: 0o600)
        }
    }
}
