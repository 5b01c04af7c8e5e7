import Foundation

/// What a benchmark run builds, N times over.
/// - bridges, W(N): N bridges, N veth pairs (one end a port of each bridge), MTU 9000, one IPv4
///   address per bridge, all up. The veth pairs stand in for NICs, so both tools find them existing.
/// - vlan-bond (VM tier: 802.1Q and bonding): one active-backup bond over two veth "NICs", N VLANs
///   on it, each the port of its own bridge, MTU 9000, one IPv4 address per bridge, all up.
struct Workload {
    enum Kind: String, CaseIterable { case bridges, vlanBond = "vlan-bond", vxlan, storage, mixed, vlanAware = "vlan-aware" }
    /// Kinds described in PoolWorkloads.swift.
    var isPoolKind: Bool { ![.bridges, .vlanBond].contains(kind) }

    let kind: Kind
    let n: Int
    let dir: String

    func address(_ i: Int) -> String { "10.\(100 + i / 62500).\(i / 250 % 250).\(i % 250 + 1)" }
    /// VLAN ids start at 2 (1 is the bridges' default PVID, left alone).
    func vid(_ i: Int) -> Int { i + 2 }

    /// The pool file poolnet applies.
    func topology(smallChange: Bool = false) -> String {
        if isPoolKind { return poolTopology(smallChange: smallChange) }
        var yaml = "pool: bench\nhosts: [b1]\n"
        switch kind {
        case .bridges:
            yaml += "bridges:\n"
            for i in 0..<n {
                let mtu = smallChange && i == 0 ? 8000 : 9000
                let addr = smallChange && i == 1 ? "10.250.0.1/24" : "\(address(i))/24"
                yaml += "  - { name: br\(i), mtu: \(mtu), ports: [v\(i)], addresses: [\"\(addr)\"] }\n"
            }
        default:
            yaml += "bonds:\n  - { name: bond0, mode: active-backup, members: [nic0, nic1], mtu: 9000, miimon: 100 }\nvlans:\n"
            for i in 0..<n { yaml += "  - { name: bond0.\(vid(i)), mtu: \(smallChange && i == 0 ? 8000 : 9000) }\n" }
            yaml += "bridges:\n"
            for i in 0..<n {
                let mtu = smallChange && i == 0 ? 8000 : 9000
                let addr = smallChange && i == 1 ? "10.250.0.1/24" : "\(address(i))/24"
                yaml += "  - { name: brv\(vid(i)), mtu: \(mtu), ports: [bond0.\(vid(i))], addresses: [\"\(addr)\"] }\n"
            }
        }
        return yaml
    }

    /// The same operations for `ip -batch`.
    var ipCreate: String {
        if isPoolKind { return poolIPCreate }
        switch kind {
        case .bridges:
            return (0..<n).map { i in
                ["link add br\(i) type bridge", "link set br\(i) mtu 9000", "link set v\(i) mtu 9000", "link set v\(i) master br\(i)",
                 "addr add \(address(i))/24 dev br\(i)", "link set v\(i) up", "link set br\(i) up"].joined(separator: "\n")
            }.joined(separator: "\n") + "\n"
        default:
            var lines = ["link add bond0 type bond mode active-backup miimon 100", "link set bond0 mtu 9000",
                         "link set nic0 master bond0", "link set nic1 master bond0", "link set bond0 up"]
            for i in 0..<n {
                let v = vid(i)
                lines += ["link add link bond0 name bond0.\(v) mtu 9000 type vlan id \(v)", "link add brv\(v) type bridge",
                          "link set brv\(v) mtu 9000", "link set bond0.\(v) master brv\(v)", "addr add \(address(i))/24 dev brv\(v)",
                          "link set bond0.\(v) up", "link set brv\(v) up"]
            }
            return lines.joined(separator: "\n") + "\n"
        }
    }

    var ipSmallChange: String {
        if isPoolKind { return poolIPSmallChange }
        let (bridge0, bridge1, port0) = kind == .bridges ? ("br0", "br1", "v0") : ("brv\(vid(0))", "brv\(vid(1))", "bond0.\(vid(0))")
        return "link set \(port0) mtu 8000\nlink set \(bridge0) mtu 8000\naddr del \(address(1))/24 dev \(bridge1)\naddr add 10.250.0.1/24 dev \(bridge1)\n"
    }

    /// One by one: every bridge (and, for vlan-bond, every VLAN and the bond).
    var ipDelete: String {
        if isPoolKind { return poolIPDelete }
        switch kind {
        case .bridges: return (0..<n).map { "link del br\($0)" }.joined(separator: "\n") + "\n"
        default:
            return ((0..<n).flatMap { ["link del brv\(vid($0))", "link del bond0.\(vid($0))"] } + ["link del bond0"]).joined(separator: "\n") + "\n"
        }
    }

    /// The "NICs" both tools find: N veth pairs, or the bond's two members.
    var nics: String {
        if isPoolKind { return poolNICs }
        switch kind {
        case .bridges: return (0..<n).map { "link add v\($0) group \(Self.nicGroup) type veth peer name pv\($0)" }.joined(separator: "\n") + "\n"
        default: return "link add nic0 group \(Self.nicGroup) type veth peer name pnic0\nlink add nic1 group \(Self.nicGroup) type veth peer name pnic1\n"
        }
    }

    /// Deletes a namespace after deleting its links in one group delete, which returns once the
    /// kernel is done: deleting a namespace full of links returns at once and leaves the kernel
    /// tearing them down for seconds, in the middle of the next timed run.
    static func deleteNamespace(_ name: String) {
        _ = try? Measure.run(["ip", "-n", name, "link", "delete", "group", "\(nicGroup)"])
        _ = try? Measure.run(["ip", "netns", "del", name])
    }

    func write(_ name: String, _ text: String) throws -> String {
        let path = "\(dir)/\(name)"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// The link group of the "NICs", so that they go in one synchronous delete.
    static let nicGroup = 77

    /// A fresh namespace holding only the NICs.
    func freshNamespace(_ name: String) throws {
        Self.deleteNamespace(name)
        try Measure.must(["ip", "netns", "add", name])
        try Measure.must(["ip", "-n", name, "-batch", try write("nics.batch", nics)])
    }
}
