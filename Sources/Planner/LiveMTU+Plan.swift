import HostState
import Topology

/// MTUs the file cannot judge alone: a VLAN over a parent, or a VXLAN over an underlay, whose MTU
/// the file does not declare. Validation checks the pairs it can see (docs/topology-format.md,
/// "Validation"); here the live read supplies the other side, so that plan refuses before apply
/// would meet the kernel's refusal (ERANGE/EINVAL) half-way through.
extension PlanBuilder {
    /// VXLAN_HEADROOM and VXLAN6_HEADROOM: outer Ethernet, IP, UDP and VXLAN headers.
    static func vxlanHeadroom(ipv6: Bool) -> UInt32 { ipv6 ? 70 : 50 }

    mutating func checkLiveMTUs() {
        let host = desired.host
        var declared = Set(desired.nics.compactMap { $0.mtu == nil ? nil : $0.name })
        declared.formUnion(desired.bonds.compactMap { $0.mtu == nil ? nil : $0.name })
        declared.formUnion(desired.vlans.compactMap { $0.mtu == nil ? nil : $0.name })
        declared.formUnion(desired.bridges.compactMap { $0.mtu == nil ? nil : $0.name })
        let roles = Dictionary(desired.nics.map { ($0.name, $0.mtu) }, uniquingKeysWith: { a, _ in a })
        /// Where a port's MTU comes from when the file gives it only on the bridge.
        func source(_ name: String, own: UInt32) -> String {
            if let bridge = desired.bridges.first(where: { $0.ports.contains(name) && $0.mtu == own }) { return " (from bridge \(bridge.name))" }
            return ""
        }
        // A parent or underlay the file creates without an mtu (a VLAN over a live NIC) has, once
        // created, what the kernel derives from the live host; validation judged the rest.
        // Once per name: a thousand VXLANs on one underlay asked for the same one.
        var derivedByName: [String: (mtu: UInt32, has: String, decidedBy: String)?] = [:]
        func derived(_ name: String) -> (mtu: UInt32, has: String, decidedBy: String)? {
            if let known = derivedByName[name] { return known }
            let found = derive(name)
            derivedByName[name] = found
            return found
        }
        func derive(_ name: String) -> (mtu: UInt32, has: String, decidedBy: String)? {
            if let link = live(name) { return (link.mtu, "\(name) has mtu \(link.mtu)", name) }
            guard desired.vlans.contains(where: { $0.name == name }),
                  let found = desired.undeclaredMTU(of: name, live: { live($0)?.mtu }), found.fromHost else { return nil }
            return (found.mtu, "\(name) will have mtu \(found.mtu) (\(found.why))", found.decidedBy)
        }
        for vlan in desired.vlans {
            guard let mtu = vlan.mtu ?? roles[vlan.name] ?? nil, !declared.contains(vlan.link), let parent = derived(vlan.link), mtu > parent.mtu else { continue }
            let parentText = parent.decidedBy == vlan.link ? "the mtu \(parent.mtu) of its parent \(vlan.link) on host \(host)" : "the mtu of its parent on host \(host): \(parent.has)"
            problem("vlan \(vlan.name)", "mtu \(mtu)\(source(vlan.name, own: mtu)) is above \(parentText), "
                    + "whose MTU the file does not declare; the kernel refuses a VLAN larger than its parent. "
                    + "Declare mtu: \(mtu) for \(parent.decidedBy) (a storage_nics entry, or its bond), or an mtu of at most \(parent.mtu) here")
        }
        for vxlan in desired.vxlans {
            guard let mtu = vxlan.mtu, let device = vxlan.info.device, !declared.contains(device), let under = derived(device) else { continue }
            let ipv6 = vxlan.info.local?.utf8.contains(UInt8(ascii: ":")) ?? false  // not Foundation's range(of:)
            let headroom = Self.vxlanHeadroom(ipv6: ipv6)
            guard Int(mtu) + Int(headroom) > Int(under.mtu) else { continue }
            problem("vxlan \(vxlan.name)", "mtu \(mtu)\(source(vxlan.name, own: mtu)) does not fit its underlay \(device) on host \(host): \(under.has), "
                    + "which the file does not declare, and the kernel allows at most \(Int(under.mtu) - Int(headroom)) (underlay − \(headroom) over IPv\(ipv6 ? 6 : 4)). "
                    + "Declare mtu: \(mtu + headroom) for \(under.decidedBy) (a storage_nics entry, or its bond), or an mtu of at most \(Int(under.mtu) - Int(headroom)) here")
        }
    }
}
