import Foundation
import HostState
import Topology

/// One object the file declares on one host, flattened to named properties for `poolnet diff`:
/// what a reviewer compares between two versions of the pool file.
public struct DesiredObject: Sendable {
    /// `storage_nic`, `bond`, `vlan`, `vxlan`, `bridge`, `iscsi`, `iscsi path`, `vport`.
    public var kind: String
    public var name: String
    public var mark: SourceMark
    /// In a stable order; lists rendered as `a, b`.
    public var properties: [(name: String, value: String)]
    /// The link this object is (for the planner's replacement rules); nil for storage records.
    public var link: String?

    public var label: String { name.isEmpty ? kind : "\(kind) \(name)" }
}

extension DesiredState {
    /// Every object of this host with its properties, in file order.
    public var objects: [DesiredObject] {
        var out: [DesiredObject] = []
        func list(_ values: [String]) -> String { values.isEmpty ? "none" : values.joined(separator: ", ") }
        func mtu(_ value: UInt32?) -> [(String, String)] { value.map { [("mtu", String($0))] } ?? [] }
        let createdDevices = self.createdDevices  // once, not per NIC
        for nic in nics {
            var p: [(String, String)] = mtu(nic.mtu)
            p.append(("addresses", list(nic.addresses.map(\.prefix.description))))
            for (key, value) in nic.sysctls.sorted(by: { $0.key < $1.key }) { p.append((key.description, String(value))) }
            // A storage role on a VLAN or bond the file creates: the vlan or bond object is the link.
            let created = createdDevices.contains(nic.name)
            out.append(DesiredObject(kind: "storage_nic", name: nic.name, mark: nic.mark, properties: p, link: created ? nil : nic.name))
        }
        for bond in bonds {
            let o = bond.options
            var p: [(String, String)] = [("mode", o.mode.description), ("members", list(bond.members))]
            p += mtu(bond.mtu)
            p.append(("miimon", String(o.miimon)))
            if o.mode == .lacp { p.append(("lacp_rate", o.lacpFast ? "fast" : "slow")) }
            if o.mode.hashes { p.append(("xmit_hash_policy", o.xmitHashPolicy.description)) }
            if let primary = o.primary { p.append(("primary", primary)) }
            out.append(DesiredObject(kind: "bond", name: bond.name, mark: bond.mark, properties: p, link: bond.name))
        }
        for vlan in vlans {
            out.append(DesiredObject(kind: "vlan", name: vlan.name, mark: vlan.mark,
                                     properties: [("link", vlan.link), ("id", String(vlan.id))] + mtu(vlan.mtu), link: vlan.name))
        }
        for vxlan in vxlans {
            let i = vxlan.info
            var p: [(String, String)] = [("vni", String(i.vni)), ("local", i.local ?? "none"), ("port", String(i.port))]
            if let device = i.device { p.append(("device", device)) }
            p += mtu(vxlan.mtu)
            p.append(("remotes", list(i.remotes ?? [])))
            out.append(DesiredObject(kind: "vxlan", name: vxlan.name, mark: vxlan.mark, properties: p, link: vxlan.name))
        }
        for bridge in bridges {
            var p: [(String, String)] = mtu(bridge.mtu)
            p.append(("stp", bridge.stp ? "on" : "off"))
            if bridge.vlanFiltering { p.append(("vlan_filtering", "on")) }
            if let own = bridge.selfVLANs { p.append(("vlans", own.summary)) }
            p.append(("ports", list(bridge.ports)))
            for port in bridge.ports { if let vlans = bridge.portVLANs[port] { p.append(("port \(port) vlans", vlans.summary)) } }
            p.append(("addresses", list(bridge.addresses.map(\.prefix.description))))
            out.append(DesiredObject(kind: "bridge", name: bridge.name, mark: bridge.mark, properties: p, link: bridge.name))
        }
        if let iscsi {
            var p: [(String, String)] = [("initiator", iscsi.initiatorName), ("targets", list(iscsi.targets))]
            for (key, value) in iscsi.settings.sorted(by: { $0.key < $1.key }) { p.append((key, value)) }
            if let config = iscsi.multipathConfig {
                // The drop-in's settings, one property per line (the header comment is poolnet's).
                var section = ""
                for line in config.split(separator: "\n") where !line.hasPrefix("#") {
                    let words = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1).map(String.init)
                    if words.last == "{" { section = words[0] } else if line.hasPrefix("\t"), let key = words.first {
                        p.append(("multipath \(section) \(key)", words.count > 1 ? words[1] : ""))
                    }
                }
            }
            out.append(DesiredObject(kind: "iscsi", name: "", mark: iscsi.mark, properties: p, link: nil))
            for path in iscsi.paths {
                out.append(DesiredObject(kind: "iscsi path", name: path.iface, mark: path.mark,
                                         properties: [("nic", path.nic), ("portals", list(path.portals.map(\.description)))], link: nil))
            }
        }
        for vport in vports {
            var p: [(String, String)] = [("parent", vport.parent.description), ("wwpn", vport.wwpn.description), ("wwnn", vport.wwnn.description)]
            if let symbolic = vport.symbolicName { p.append(("symbolic_name", symbolic)) }
            out.append(DesiredObject(kind: "vport", name: vport.name, mark: vport.mark, properties: p, link: nil))
        }
        // File order: what a reviewer reads next to the file.
        return out.enumerated().sorted { a, b in
            (a.element.mark.line, a.element.mark.column, a.offset) < (b.element.mark.line, b.element.mark.column, b.offset)
        }.map(\.element)
    }

    /// Names this host's objects stand on that the file does not create: its NICs.
    var physicalNICs: Set<String> {
        var names = Set(nics.map(\.name))
        bonds.forEach { names.formUnion($0.members) }
        vlans.forEach { names.insert($0.link) }
        bridges.forEach { names.formUnion($0.ports) }
        vxlans.forEach { if let device = $0.info.device { names.insert(device) } }
        iscsi?.paths.forEach { names.insert($0.nic) }
        return names.subtracting(createdDevices)
    }
}
