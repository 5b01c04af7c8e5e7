import HostState

/// `bonds:` entry. Members are existing NICs; the bond may be a bridge uplink, a VLAN parent or a
/// storage NIC.
///
///     bonds:
///       - name: bond0
///         mode: 802.3ad
///         members: [eth1, eth2]
///         mtu: 9000
///         miimon: 100
///         lacp_rate: fast
///         xmit_hash_policy: layer3+4
public struct BondSpec {
    let header: ObjectHeader
    let mode: YNode?
    let members: YNode?
    let mtu: YNode?
    let miimon: YNode?
    let lacpRate: YNode?
    let xmitHashPolicy: YNode?
    let primary: YNode?

    static let kind = "bond"

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> BondSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a bonds entry", keys: ["name", "hosts", "mode", "members", "mtu", "miimon", "lacp_rate", "xmit_hash_policy", "primary"])
            let header = try parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = BondSpec(header: header, mode: try r.required("mode"), members: try r.required("members"),
                                mtu: r.optional("mtu"), miimon: r.optional("miimon"), lacpRate: r.optional("lacp_rate"),
                                xmitHashPolicy: r.optional("xmit_hash_policy"), primary: r.optional("primary"))
            for field in [spec.mode, spec.members, spec.mtu, spec.miimon, spec.lacpRate, spec.xmitHashPolicy, spec.primary] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    func resolve(for host: PoolHost) throws -> DesiredBond? {
        guard header.applies(to: host.name) else { return nil }
        let r = HostResolver(host: host, object: header.label)
        guard let name = try r.interfaceName(header.name, "name") else {
            throw r.fail("bond has no name on this host", at: header.name)
        }
        let b = HostResolver(host: host, object: "\(Self.kind) \(name)")
        let modeText = try b.string(mode, "mode") ?? ""
        guard let bondMode = BondMode(name: modeText) else {
            throw b.fail("mode \"\(modeText)\" is not a bonding mode (\(BondMode.allCases.map(\.description).joined(separator: ", ")))",
                         at: try b.select(mode) ?? header.name)
        }
        var names: [String] = []
        for (member, item) in try b.strings(members, "members") {
            if let problem = InterfaceName.problem(member) { throw b.fail("member \"\(member)\" \(problem)", at: item) }
            if member == name { throw b.fail("a bond cannot be its own member", at: item) }
            if names.contains(member) { throw b.fail("member \(member) is listed twice", at: item) }
            names.append(member)
        }
        if names.isEmpty { throw b.fail("a bond needs at least one member", at: try b.select(members) ?? header.name) }

        var options = BondOptions(mode: bondMode, miimon: 100)
        if let ms = try b.int(miimon, "miimon") {
            guard ms >= 0, ms <= 60_000 else { throw b.fail("miimon \(ms) is out of range (0–60000 ms)", at: try b.select(miimon)!) }
            options.miimon = UInt32(ms)
        }
        if let rate = try b.string(lacpRate, "lacp_rate") {
            guard bondMode == .lacp else { throw b.fail("lacp_rate applies to mode 802.3ad only", at: try b.select(lacpRate)!) }
            guard rate == "fast" || rate == "slow" else { throw b.fail("lacp_rate must be fast or slow, found \"\(rate)\"", at: try b.select(lacpRate)!) }
            options.lacpFast = rate == "fast"
        }
        if let text = try b.string(xmitHashPolicy, "xmit_hash_policy") {
            guard bondMode.hashes else { throw b.fail("xmit_hash_policy applies to balance-xor, 802.3ad and balance-tlb", at: try b.select(xmitHashPolicy)!) }
            guard let policy = XmitHashPolicy(name: text) else {
                throw b.fail("xmit_hash_policy \"\(text)\" is not one of \(XmitHashPolicy.allCases.map(\.description).joined(separator: ", "))",
                             at: try b.select(xmitHashPolicy)!)
            }
            options.xmitHashPolicy = policy
        }
        if let p = try b.string(primary, "primary") {
            guard bondMode.hasPrimary else { throw b.fail("primary applies to active-backup, balance-tlb and balance-alb", at: try b.select(primary)!) }
            guard names.contains(p) else { throw b.fail("primary \(p) is not a member", at: try b.select(primary)!) }
            options.primary = p
        }
        return DesiredBond(name: name, members: names, mtu: try b.mtu(mtu), options: options, mark: header.mark)
    }
}
