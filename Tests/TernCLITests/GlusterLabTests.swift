import Foundation
import Testing
import TernLab

/// `playbooks/glusterfs.tern` against three fresh lab hosts running Debian's
/// real glusterd (sshd and glusterd on 127.0.73.x): the trusted pool, a
/// replica-3 volume, a FUSE mount on a client; a file written through the
/// mount lands on all three bricks; a second apply changes nothing and
/// `tern plan` has nothing to do.
@Suite(.serialized) struct GlusterLabTests {
    @Test func glusterfsPlaybookFormsAPoolAndAReplicatedVolume() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/sbin/glusterd"), "glusterfs-server is not installed; run scripts/setup")
        try TestLab.with(subnet: "127.0.73") { lab, scratch in
            let playbook = TernProcess.repository.appendingPathComponent("playbooks/glusterfs.tern").path
            let groups = TernProcess.repository.appendingPathComponent("playbooks/inventory/lab-groups.tern").path
            func tern(_ mode: String) throws -> TernProcess.Result {
                try TernProcess.run(
                    [mode, "--lab", "--lab-dir", lab.directory, "-i", lab.inventoryPath, "-i", groups, "--log-dir", scratch + "/runs", playbook],
                    timeout: 240)
            }
            func on(_ hosts: String, _ command: String) throws -> TernProcess.Result {
                try TernProcess.run(["run", "--lab", "--lab-dir", lab.directory, hosts, "--", command])
            }

            let first = try tern("apply")
            #expect(first.status == 0, "\(first.stdout)\(first.stderr)")
            #expect(first.stdout.contains("failed=0"), "\(first.stdout)")

            let info = try on("lab1", "gluster --mode=script volume info gv0")
            #expect(info.stdout.contains("Type: Replicate"), "\(info.stdout)")
            #expect(info.stdout.contains("Status: Started"), "\(info.stdout)")
            #expect(info.stdout.contains("Number of Bricks: 1 x 3 = 3"), "\(info.stdout)")
            let peers = try on("lab1", "gluster --mode=script peer status")
            #expect(peers.stdout.components(separatedBy: "Peer in Cluster (Connected)").count - 1 == 2, "\(peers.stdout)")

            // Through the client's mount, onto every brick.
            let token = "written-through-the-mount-\(UUID().uuidString.prefix(8))"
            let write = try on("lab3", "grep -qs ' /mnt/gv0 fuse.glusterfs ' /proc/mounts && echo \(token) > /mnt/gv0/probe.txt && sync")
            #expect(write.status == 0, "\(write.stdout)")
            for h in ["lab1", "lab2", "lab3"] {
                let brick = try on(h, "cat /data/brick1/gv0/probe.txt")
                #expect(brick.stdout.contains(token), "brick on \(h): \(brick.stdout)")
            }

            let second = try tern("apply")
            #expect(second.status == 0, "\(second.stdout)")
            #expect(second.stdout.contains("apply: 0 changed"), "\(second.stdout)")

            let plan = try tern("plan")
            #expect(plan.status == 0, "\(plan.stdout)")
            #expect(plan.stdout.contains("nothing to do"), "\(plan.stdout)")

            // The other gluster recipes on the same pool: an option, a
            // distribute volume and an arbiter volume.
            let morePath = scratch + "/more.tern"
            try """
                use file, gluster

                step dirs on glfs {
                  file.directory "/data/brick2/gv1"
                  file.directory "/data/brick3/gv2"
                }

                step tuned on glfs.first {
                  gluster.volume_set "gv0", option: "performance.cache-size", value: "64MB"
                }

                step distributed on glfs.first after dirs {
                  gluster.volume "gv1", bricks: ["${gluster.peer_address(n)}:/data/brick2/gv1" for n in glfs], replica: 0, force: true
                }

                step arbitrated on glfs.first after distributed {
                  gluster.volume "gv2", bricks: ["${gluster.peer_address(n)}:/data/brick3/gv2" for n in glfs], replica: 3, arbiter: 1, force: true
                }
                """.write(toFile: morePath, atomically: true, encoding: .utf8)
            func more(_ mode: String) throws -> TernProcess.Result {
                try TernProcess.run(
                    [mode, "--lab", "--lab-dir", lab.directory, "-i", lab.inventoryPath, "-i", groups, "--log-dir", scratch + "/runs", morePath],
                    timeout: 240)
            }
            let applied = try more("apply")
            #expect(applied.status == 0, "\(applied.stdout)\(applied.stderr)")
            let volumes = try on("lab1", "gluster --mode=script volume info gv1; gluster --mode=script volume info gv2; gluster --mode=script volume get gv0 performance.cache-size")
            #expect(volumes.stdout.contains("Type: Distribute"), "\(volumes.stdout)")
            #expect(volumes.stdout.contains("Number of Bricks: 1 x (2 + 1) = 3"), "\(volumes.stdout)")
            #expect(volumes.stdout.contains("64MB"), "\(volumes.stdout)")
            let again = try more("apply")
            #expect(again.stdout.contains("apply: 0 changed"), "\(again.stdout)")
            let planned = try more("plan")
            #expect(planned.status == 0 && planned.stdout.contains("nothing to do"), "\(planned.stdout)")
        }
    }
}
