import HostState
import Planner
import Topology

/// `show --format dot`: the host's (or the pool's) network as Graphviz DOT: NICs → bonds → VLANs →
/// bridges, storage NICs → iSCSI paths → portals → targets, FC ports → vports. Objects with drift
/// (a planned change or a problem) are drawn red.
struct Diagram {
    var lines: [String] = []
    var declared = Set<String>()

    /// A DOT string; labels keep their `\n` line breaks.
    static func quote(_ s: String) -> String { "\"" + s.replacingOccurrences(of: "\"", with: "\\\"") + "\"" }

    mutating func node(_ id: String, _ label: String, shape: String, drift: Bool, extra: String = "") {
        guard declared.insert(id).inserted else { return }
        let color = drift ? ", color=red, fontcolor=red, penwidth=2" : ""
        lines.append("    \(Self.quote(id)) [label=\(Self.quote(label)), shape=\(shape)\(color)\(extra)];")
    }

    mutating func edge(_ from: String, _ to: String, _ label: String? = nil) {
        lines.append("    \(Self.quote(from)) -> \(Self.quote(to))" + (label.map { " [label=\(Self.quote($0))]" } ?? "") + ";")
    }

    /// One host's cluster; `drifted` names objects with planned changes or problems.
    mutating func add(_ d: DesiredState, drifted: Set<String>, prefix: String) {
        func id(_ name: String) -> String { prefix + name }
        func mtu(_ m: UInt32?) -> String { m.map { "\\nmtu \($0)" } ?? "" }
        for nic in d.nics {
            node(id(nic.name), "\(nic.name) (storage)\(mtu(nic.mtu))" + nic.addresses.map { "\\n\($0.prefix)" }.joined(), shape: "box", drift: drifted.contains(nic.name))
        }
        for bond in d.bonds {
            node(id(bond.name), "\(bond.name) (bond \(bond.options.mode))\(mtu(bond.mtu))", shape: "box", drift: drifted.contains(bond.name), extra: ", style=rounded")
            for member in bond.members {
                node(id(member), member, shape: "box", drift: drifted.contains(member))
                edge(id(member), id(bond.name))
            }
        }
        for vlan in d.vlans {
            node(id(vlan.name), "\(vlan.name) (vlan \(vlan.id))\(mtu(vlan.mtu))", shape: "box", drift: drifted.contains(vlan.name), extra: ", style=dashed")
            node(id(vlan.link), vlan.link, shape: "box", drift: drifted.contains(vlan.link))
            edge(id(vlan.link), id(vlan.name))
        }
        for vxlan in d.vxlans {
            node(id(vxlan.name), "\(vxlan.name) (vxlan \(vxlan.info.vni))", shape: "box", drift: drifted.contains(vxlan.name), extra: ", style=dashed")
        }
        for bridge in d.bridges {
            let kind = bridge.ports.isEmpty ? "private bridge" : bridge.vlanFiltering ? "VLAN-aware bridge" : "bridge"
            node(id(bridge.name), "\(bridge.name) (\(kind))\(mtu(bridge.mtu))" + bridge.addresses.map { "\\n\($0.prefix)" }.joined(),
                 shape: "box3d", drift: drifted.contains(bridge.name))
            for port in bridge.ports {
                node(id(port), port, shape: "box", drift: drifted.contains(port))
                edge(id(port), id(bridge.name), bridge.portVLANs[port].map { "vlans \($0.summary)" })
            }
        }
        if let iscsi = d.iscsi {
            for path in iscsi.paths {
                node(id("iscsi:" + path.iface), "iscsi \(path.iface)", shape: "ellipse", drift: drifted.contains(path.iface))
                edge(id(path.nic), id("iscsi:" + path.iface))
                for portal in path.portals {
                    node(id("portal:\(portal)"), "portal \(portal)", shape: "oval", drift: false, extra: ", style=filled, fillcolor=lightgrey")
                    edge(id("iscsi:" + path.iface), id("portal:\(portal)"))
                    for target in iscsi.targets {
                        node("target:" + target, target, shape: "cylinder", drift: false)
                        edge(id("portal:\(portal)"), "target:" + target)
                    }
                }
            }
        }
        for vport in d.vports {
            node(id("fc:\(vport.parent)"), "FC port \(vport.parent)", shape: "box", drift: false)
            node(id("vport:\(vport.wwpn)"), "vport \(vport.name)\\nwwpn \(vport.wwpn)", shape: "ellipse", drift: drifted.contains(vport.name))
            edge(id("fc:\(vport.parent)"), id("vport:\(vport.wwpn)"))
        }
    }

    static func render(pool: String, hosts: [(DesiredState, Plan?)]) -> String {
        var diagram = Diagram()
        var clusters: [String] = []
        for (index, (desired, plan)) in hosts.enumerated() {
            var drifted = Set((plan?.changes ?? []).map(\.action.link))
            for problem in (plan?.problems ?? []) + (plan?.health ?? []) {
                drifted.formUnion(problem.object.split(separator: " ").map(String.init))
            }
            var host = Diagram()
            host.declared = diagram.declared
            host.add(desired, drifted: drifted, prefix: hosts.count == 1 ? "" : "\(desired.host)/")
            diagram.declared = host.declared
            // Targets are shared by the pool: they and the edges to them stay outside the host clusters.
            let inside = host.lines.filter { !$0.contains("\"target:") }
            let outside = host.lines.filter { $0.contains("\"target:") }
            clusters.append("  subgraph cluster_\(index) {\n    label=\(quote("host \(desired.host)"))\n" + inside.joined(separator: "\n") + "\n  }")
            diagram.lines += outside
        }
        return "digraph \(quote("poolnet \(pool)")) {\n  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n"
            + clusters.joined(separator: "\n") + "\n" + diagram.lines.joined(separator: "\n") + "\n}\n"
    }
}
