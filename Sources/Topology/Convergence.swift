import HostState

/// Rules without which apply could not reach what plan promises on one host: a file that
/// validates converges (docs/topology-format.md, "Validation").
extension Topology {
    /// IFALIASZ (256) including the NUL: the longest ownership alias, `poolnet:<pool>:port`,
    /// must fit, or the kernel refuses it (ERANGE) at apply.
    static let maxPoolNameBytes = 255 - Ownership.portAlias(pool: "").utf8.count

    /// A bridge's declared ports carry its MTU. A port the file creates (VLAN, bond, VXLAN) and
    /// declares no MTU for takes the bridge's, so that it is created with it; one that declares
    /// another MTU is a conflict, since plan would set one and verification want the other.
    func inheritBridgeMTU(_ state: inout DesiredState, errors: ErrorSink) {
        let host = state.host
        guard state.bridges.contains(where: { $0.mtu != nil && !$0.ports.isEmpty }) else { return }
        // By name, the first of each (as a search from the front would find): a search per port
        // was quadratic, 1,000 bridges over 1,000 VXLANs a fifth of this host's resolution.
        func firstIndices(_ names: [String]) -> [String: Int] {
            var result: [String: Int] = [:]
            result.reserveCapacity(names.count)
            for (i, name) in names.enumerated() where result[name] == nil { result[name] = i }
            return result
        }
        let vlanAt = firstIndices(state.vlans.map(\.name)), bondAt = firstIndices(state.bonds.map(\.name))
        let vxlanAt = firstIndices(state.vxlans.map(\.name))
        for bridge in state.bridges {
            guard let mtu = bridge.mtu else { continue }
            func settle(_ kind: String, _ name: String, _ own: inout UInt32?, _ mark: SourceMark) {
                if own == nil { own = mtu } else if own != mtu {
                    errors.add("mtu \(own!) differs from mtu \(mtu) of bridge \(bridge.name) (line \(bridge.mark.line)), whose port it is; "
                               + "a bridge's ports carry its MTU: declare one of the two, or the same value", at: mark, host: host, object: "\(kind) \(name)")
                }
            }
            for port in bridge.ports {
                if let i = vlanAt[port] { settle("vlan", port, &state.vlans[i].mtu, state.vlans[i].mark) }
                if let i = bondAt[port] { settle("bond", port, &state.bonds[i].mtu, state.bonds[i].mark) }
                if let i = vxlanAt[port] { settle("vxlan", port, &state.vxlans[i].mtu, state.vxlans[i].mark) }
            }
        }
    }

    /// What the kernel derives or refuses: a VLAN no larger than its parent, a VXLAN no larger
    /// than its underlay less the encapsulation, one VXLAN per VNI and port, one VLAN per parent and id.
    func checkKernelDerived(_ state: DesiredState, errors: ErrorSink) {
        let host = state.host
        // The MTU of each device the file sets, with where.
        var declared: [String: (mtu: UInt32, what: String, mark: SourceMark)] = [:]
        for nic in state.nics { if let m = nic.mtu { declared[nic.name] = (m, "storage_nic \(nic.name)", nic.mark) } }
        for bond in state.bonds { if let m = bond.mtu { declared[bond.name] = (m, "bond \(bond.name)", bond.mark) } }
        for vlan in state.vlans { if let m = vlan.mtu { declared[vlan.name] = (m, "vlan \(vlan.name)", vlan.mark) } }

        var vlanIDs: [String: DesiredVLAN] = [:]
        for vlan in state.vlans {
            if let mtu = vlan.mtu, let parent = declared[vlan.link], mtu > parent.mtu {
                errors.add("mtu \(mtu) is above the mtu \(parent.mtu) of its parent \(parent.what) (line \(parent.mark.line)); the kernel refuses a VLAN larger than its parent",
                           at: vlan.mark, host: host, object: "vlan \(vlan.name)")
            } else if let mtu = vlan.mtu, declared[vlan.link] == nil, let parent = state.undeclaredMTU(of: vlan.link), mtu > parent.mtu {
                // A parent the file creates without an mtu: the kernel's default decides.
                errors.add("mtu \(mtu) is above the mtu \(parent.mtu) its parent \(vlan.link) will have (\(parent.why)); the kernel refuses a VLAN larger "
                           + "than its parent: declare mtu: \(mtu) for \(parent.decidedBy)", at: vlan.mark, host: host, object: "vlan \(vlan.name)")
            }
            let key = "\(vlan.link).\(vlan.id)"
            if let other = vlanIDs[key] {
                errors.add("vlan id \(vlan.id) on \(vlan.link) is also vlan \(other.name)'s (line \(other.mark.line)); the kernel allows one VLAN per parent and id",
                           at: vlan.mark, host: host, object: "vlan \(vlan.name)")
            } else {
                vlanIDs[key] = vlan
            }
        }

        var vnis: [String: DesiredVXLAN] = [:]
        for vxlan in state.vxlans {
            let ipv6 = vxlan.info.local?.utf8.contains(UInt8(ascii: ":")) ?? false  // bytes: String.contains(String) is Foundation's
            // VXLAN_HEADROOM / VXLAN6_HEADROOM: outer Ethernet, IP, UDP and VXLAN headers.
            let headroom: UInt32 = ipv6 ? 70 : 50
            if let mtu = vxlan.mtu, let device = vxlan.info.device, let underlay = declared[device] {
                if mtu + headroom > underlay.mtu {
                    errors.add("mtu \(mtu) does not fit its underlay \(underlay.what) (mtu \(underlay.mtu), line \(underlay.mark.line)): "
                               + "the kernel allows at most \(Int(underlay.mtu) - Int(headroom)) (underlay − \(headroom) over IPv\(ipv6 ? 6 : 4))",
                               at: vxlan.mark, host: host, object: "vxlan \(vxlan.name)")
                }
            } else if let mtu = vxlan.mtu, let device = vxlan.info.device, let underlay = state.undeclaredMTU(of: device), mtu + headroom > underlay.mtu {
                // An underlay the file creates without an mtu: the kernel's default decides.
                errors.add("mtu \(mtu) does not fit the mtu \(underlay.mtu) its underlay \(device) will have (\(underlay.why)): the kernel allows at most "
                           + "\(Int(underlay.mtu) - Int(headroom)) (underlay − \(headroom) over IPv\(ipv6 ? 6 : 4)); declare mtu: \(mtu + headroom) for \(underlay.decidedBy)",
                           at: vxlan.mark, host: host, object: "vxlan \(vxlan.name)")
            }
            // The kernel refuses a second VXLAN with the same VNI, port and address family.
            let key = "\(vxlan.info.vni)/\(vxlan.info.port)/\(ipv6)"
            if let other = vnis[key] {
                errors.add("vni \(vxlan.info.vni) with port \(vxlan.info.port) is also vxlan \(other.name)'s (line \(other.mark.line)); the kernel allows one VXLAN per VNI and port",
                           at: vxlan.mark, host: host, object: "vxlan \(vxlan.name)")
            } else {
                vnis[key] = vxlan
            }
        }
    }
}
