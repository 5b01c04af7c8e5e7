/// The workloads beyond bridges, each the same end state for poolnet and for `ip -batch` (plus
/// `bridge -batch` for FDB entries and one `sysctl -p` for sysctls):
/// - vxlan: N bridges, each over its own VXLAN (VNI 1000+i on the underlay NIC u0) with two
///   remote VTEPs (the pool's other two hosts), one address per bridge.
/// - storage: N storage NICs (veth standing in) with MTU 9000, two addresses each in the
///   shared-subnet layout (arp_ignore 1, arp_announce 2, rp_filter 2 per NIC).
/// - mixed: N/2 storage NICs, N/4 VXLAN private bridges and N/4 plain bridges in one file.
/// - vlan-aware (VM tier: bridge VLAN filtering): one VLAN-aware bridge with N ports, each port
///   carrying a VLAN range and a PVID.
extension Workload {
    var storageCount: Int { kind == .mixed ? max(1, n / 2) : kind == .storage ? n : 0 }
    var vxlanCount: Int { kind == .mixed ? max(1, n / 4) : kind == .vxlan ? n : 0 }
    var plainBridgeCount: Int { kind == .mixed ? max(1, n / 4) : 0 }

    /// Addresses are per host: `host` is "${index}" in the pool file and 1 (host b1) for `ip`.
    func storageAddresses(_ i: Int, host: String = "1") -> [String] {
        ["10.\(20 + i / 250).\(i % 250).\(host)/16", "10.\(120 + i / 250).\(i % 250).\(host)/16"]
    }
    func vxlanAddress(_ i: Int, host: String = "1") -> String { "10.\(40 + i / 250).\(i % 250).\(host)/24" }
    func plainAddress(_ i: Int, host: String = "1") -> String { "10.\(80 + i / 250).\(i % 250).\(host)/24" }

    /// The pool file for host b1 of a three-host pool (the VXLANs' remotes are b2 and b3).
    func poolTopology(smallChange: Bool) -> String {
        var yaml = "pool: bench\nhosts:\n  b1: { index: 1 }\n  b2: { index: 2 }\n  b3: { index: 3 }\n"
        if kind == .vlanAware {
            yaml = "pool: bench\nhosts: [b1]\nbridges:\n  - name: brva\n    mtu: \(smallChange ? 8000 : 9000)\n    vlan_filtering: true\n    ports:\n"
            for i in 0..<n { yaml += "      - { name: v\(i), vlans: \"\(vlanRange(i))\", pvid: \(smallChange && i == 1 ? 99 : 2 + i % 90) }\n" }
            return yaml
        }
        if storageCount > 0 { yaml += "storage:\n  layout: shared-subnet\n" }
        yaml += "storage_nics:\n"
        if vxlanCount > 0 { yaml += "  - { name: u0, addresses: [\"192.0.2.${index}/24\"] }\n" }
        for i in 0..<storageCount {
            var addresses = storageAddresses(i, host: "${index}")
            if smallChange && i == 1 { addresses[1] = "10.251.0.${index}/16" }
            yaml += "  - { name: s\(i), mtu: \(smallChange && i == 0 ? 8000 : 9000), addresses: [\(addresses.map { "\"\($0)\"" }.joined(separator: ", "))] }\n"
        }
        if vxlanCount > 0 {
            yaml += "vxlans:\n"
            for i in 0..<vxlanCount {
                yaml += "  - { name: vx\(i), vni: \(1000 + i), local: \"192.0.2.${index}\", device: u0, mtu: \(smallChange && i == 0 ? 1400 : 1450) }\n"
            }
        }
        if vxlanCount + plainBridgeCount > 0 { yaml += "bridges:\n" }
        for i in 0..<vxlanCount {
            let address = smallChange && i == 1 ? "10.250.0.${index}/24" : vxlanAddress(i, host: "${index}")
            yaml += "  - { name: brx\(i), mtu: \(smallChange && i == 0 ? 1400 : 1450), ports: [vx\(i)], addresses: [\"\(address)\"] }\n"
        }
        for i in 0..<plainBridgeCount { yaml += "  - { name: br\(i), mtu: 9000, ports: [v\(i)], addresses: [\"\(plainAddress(i, host: "${index}"))\"] }\n" }
        return yaml
    }

    func vlanRange(_ i: Int) -> String { "\(100 + i % 50)-\(110 + i % 50)" }

    var poolIPCreate: String {
        var lines: [String] = []
        if kind == .vlanAware {
            lines += ["link add brva type bridge vlan_filtering 1", "link set brva mtu 9000"]
            for i in 0..<n { lines += ["link set v\(i) mtu 9000", "link set v\(i) master brva", "link set v\(i) up"] }
            return (lines + ["link set brva up"]).joined(separator: "\n") + "\n"
        }
        if vxlanCount > 0 { lines += ["addr add 192.0.2.1/24 dev u0", "link set u0 up"] }
        for i in 0..<storageCount {
            lines += ["link set s\(i) mtu 9000"] + storageAddresses(i).map { "addr add \($0) dev s\(i)" } + ["link set s\(i) up"]
        }
        for i in 0..<vxlanCount {
            lines += ["link add vx\(i) type vxlan id \(1000 + i) local 192.0.2.1 dstport 4789 dev u0", "link set vx\(i) mtu 1450",
                      "link add brx\(i) type bridge", "link set brx\(i) mtu 1450", "link set vx\(i) master brx\(i)",
                      "addr add \(vxlanAddress(i)) dev brx\(i)", "link set vx\(i) up", "link set brx\(i) up"]
        }
        for i in 0..<plainBridgeCount {
            lines += ["link add br\(i) type bridge", "link set br\(i) mtu 9000", "link set v\(i) mtu 9000", "link set v\(i) master br\(i)",
                      "addr add \(plainAddress(i)) dev br\(i)", "link set v\(i) up", "link set br\(i) up"]
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// `bridge -batch`: the remotes of every VXLAN, the VLANs of every VLAN-aware port.
    var poolBridgeCreate: String? {
        if kind == .vlanAware {
            return (0..<n).map { i in
                let pvid = 2 + i % 90
                return "vlan del vid 1 dev v\(i)\nvlan add vid \(vlanRange(i)) dev v\(i)\nvlan add vid \(pvid) dev v\(i) pvid untagged"
            }.joined(separator: "\n") + "\n"
        }
        guard vxlanCount > 0 else { return nil }
        return (0..<vxlanCount).flatMap { i in
            ["192.0.2.2", "192.0.2.3"].map { "fdb append 00:00:00:00:00:00 dev vx\(i) dst \($0)" }
        }.joined(separator: "\n") + "\n"
    }

    /// `sysctl -p`: the shared-subnet layout on every storage NIC.
    var poolSysctls: String? {
        guard storageCount > 0 else { return nil }
        return (0..<storageCount).flatMap { i in
            ["arp_ignore = 1", "arp_announce = 2", "rp_filter = 2"].map { "net.ipv4.conf.s\(i).\($0)" }
        }.joined(separator: "\n") + "\n"
    }

    var poolIPSmallChange: String {
        switch kind {
        case .vlanAware: return "link set brva mtu 8000\n"
        case .storage: return "link set s0 mtu 8000\naddr del \(storageAddresses(1)[1]) dev s1\naddr add 10.251.0.1/16 dev s1\n"
        default:
            return "link set brx0 mtu 1400\nlink set vx0 mtu 1400\naddr del \(vxlanAddress(1)) dev brx1\naddr add 10.250.0.1/24 dev brx1\n"
        }
    }

    var poolBridgeSmallChange: String? { kind == .vlanAware ? "vlan add vid 99 dev v1 pvid untagged\nvlan del vid 3 dev v1\n" : nil }

    var poolIPDelete: String {
        switch kind {
        case .vlanAware: return "link del brva\n"
        default:
            // As the small change left them: s1's second address moved.
            let addresses = (0..<storageCount).flatMap { i in
                (kind == .storage && i == 1 ? [storageAddresses(i)[0], "10.251.0.1/16"] : storageAddresses(i)).map { "addr del \($0) dev s\(i)" }
            }
            let links = (0..<vxlanCount).flatMap { ["link del brx\($0)", "link del vx\($0)"] } + (0..<plainBridgeCount).map { "link del br\($0)" }
            return (addresses + links + (vxlanCount > 0 ? ["addr del 192.0.2.1/24 dev u0"] : [])).joined(separator: "\n") + "\n"
        }
    }

    var poolNICs: String {
        var names: [String] = []
        if kind == .vlanAware || kind == .mixed { names += (0..<(kind == .vlanAware ? n : plainBridgeCount)).map { "v\($0)" } }
        if vxlanCount > 0 { names.append("u0") }
        names += (0..<storageCount).map { "s\($0)" }
        return names.map { "link add \($0) group \(Self.nicGroup) type veth peer name p\($0)" }.joined(separator: "\n") + "\n"
    }
}
