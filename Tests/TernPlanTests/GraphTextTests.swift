import TernPlan
import TernSource
import Testing

/// The canonical text form: what `tern graph` prints and golden tests compare.
@Suite struct GraphTextTests {
    /// One block per step in topological order; each node with what it
    /// waits for beyond `after`, its condition, and each action with its
    /// check and apply. The secret in `topology` shows as `***`, the file
    /// body only by size.
    @Test func glusterPlanRendersExactly() throws {
        let g = try #require(PlanSketch.gluster.graph())
        let expected = """
            graph: 2 hosts, 5 steps, 7 nodes, 6 edges

            step glusterd  site.tern:1:6  hosts=2
              glusterd@lab1
                $ pkg.installed "glusterfs-server"  site.tern:2:3  lock=pkg
                  check: dpkg-query -W glusterfs-server
                  apply: apt-get install -y glusterfs-server
              glusterd@lab2
                $ pkg.installed "glusterfs-server"  site.tern:2:3  lock=pkg
                  check: dpkg-query -W glusterfs-server
                  apply: apt-get install -y glusterfs-server

            step heketi_key  site.tern:4:6  hosts=1  after=glusterd  retries=2 delay=5s become=root
              heketi_key@lab1
                $ ssh.keypair "/etc/heketi/heketi_key"  site.tern:5:3
                  check: test -f /etc/heketi/heketi_key
                  apply: ssh-keygen -q -t rsa -N '' -f /etc/heketi/heketi_key

            step trust  site.tern:7:6  hosts=2
              trust@lab1  waits for heketi_key@lab1
                > ssh.authorized_key user: "root"  site.tern:8:3
                  path=/root/.ssh/authorized_keys mode=0600 owner=root
                  content: (known at run time)
              trust@lab2  waits for heketi_key@lab1
                when ${eq(lab2.facts.os, "debian")}
                > ssh.authorized_key user: "root"  site.tern:8:3
                  path=/root/.ssh/authorized_keys mode=0600 owner=root
                  content: (known at run time)

            step topology  site.tern:11:6  hosts=1  after=trust  timeout=90s once
              topology@lab1
                > file.content "/etc/heketi/heketi.json"  site.tern:12:3
                  path=/etc/heketi/heketi.json mode=0640 owner=heketi group=heketi
                  content: 1 line
                    | {"admin": "***"}
                $ heketi.topology glfs, key: admin_key  site.tern:13:3
                  (no check: runs every time)
                  apply: heketi-cli --secret *** topology load --json=/etc/heketi/topology.json

            step cleanup  site.tern:15:6  hosts=1
              cleanup@lab2
                skipped: condition is false
                $ run "rm -rf /tmp/heketi"  site.tern:16:3
                  (no check: runs every time)
                  apply: rm -rf /tmp/heketi

            """
        #expect(GraphRenderer.render(g, as: .text) == expected)
    }

    /// Serial options and batch edges, a handler, an empty step, a node
    /// without actions, quoting of odd paths, and multi-line commands whose
    /// continuation lines stay under their first line.
    @Test func edgeCasesRenderExactly() throws {
        var rolling = StepOptions()
        rolling.serial = 1
        rolling.delayMillis = 1500
        var handler = StepOptions()
        handler.handler = true
        let g = try #require(
            PlanSketch(hosts: ["web1", "web2"], [
                StepSketch(name: "nothing", on: []),
                StepSketch(
                    name: "deploy", on: ["web1", "web2"], after: ["nothing"], options: rolling,
                    actions: [
                        ActionSketch(
                            label: "run script", kind: .command(check: nil, apply: .text("cat <<EOF\nhello\nEOF")),
                            notify: ["reload"]),
                        .file("file.content path", FileSpec(path: "/srv/my site/index.html", content: .text(""))),
                    ]),
                StepSketch(name: "reload", on: ["web1", "web2"], options: handler),
            ]).graph())
        let expected = """
            graph: 2 hosts, 3 steps, 4 nodes, 3 edges

            step nothing  site.tern:1:6  hosts=0
              (no hosts)

            step deploy  site.tern:3:6  hosts=2  after=nothing  delay=1500ms serial=1
              deploy@web1
                $ run script  site.tern:4:3  notify=reload
                  (no check: runs every time)
                  apply: cat <<EOF
                         hello
                         EOF
                > file.content path  site.tern:5:3
                  path='/srv/my site/index.html'
                  content: 0 lines
              deploy@web2  waits for deploy@web1
                $ run script  site.tern:4:3  notify=reload
                  (no check: runs every time)
                  apply: cat <<EOF
                         hello
                         EOF
                > file.content path  site.tern:5:3
                  path='/srv/my site/index.html'
                  content: 0 lines

            step reload  site.tern:7:6  hosts=2  handler
              reload@web1  waits for deploy@web1
                (no actions)
              reload@web2  waits for deploy@web2
                (no actions)

            """
        #expect(GraphRenderer.render(g, as: .text) == expected)
    }

    @Test func renderingIsDeterministic() throws {
        let first = try #require(PlanSketch.gluster.graph())
        let second = try #require(PlanSketch.gluster.graph())
        for format in GraphFormat.allCases {
            #expect(GraphRenderer.render(first, as: format) == GraphRenderer.render(second, as: format))
        }
    }

    /// 100 hosts × 1000 steps, each step after the one before: 100,000
    /// nodes. Rendering is linear, so this takes a fraction of a second even
    /// in a debug build.
    @Test func largeGraphRendersQuickly() throws {
        let hosts = (1...100).map { "host\($0)" }
        let action = ActionSketch.command(
            "pkg.installed \"htop\"", check: Template([.text("dpkg-query -W "), .word("htop")]),
            apply: Template([.text("apt-get install -y "), .word("htop")]), lock: "pkg")
        let steps = (0..<1000).map { i in
            StepSketch(name: "step\(i)", on: hosts, after: i == 0 ? [] : ["step\(i - 1)"], actions: [action])
        }
        let g = try #require(PlanSketch(hosts: hosts, steps).graph())
        #expect(g.nodes.count == 100_000)

        let clock = ContinuousClock()
        var text = ""
        let elapsed = clock.measure { text = GraphRenderer.render(g, as: .text) }
        #expect(text.hasPrefix("graph: 100 hosts, 1000 steps, 100000 nodes, 9990000 edges\n"))
        #expect(elapsed < .seconds(1), "text rendering took \(elapsed)")
    }
}
