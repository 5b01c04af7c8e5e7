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
            let header = parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = BondSpec(header: header, mode: r.required("mode", errors: errors), members: r.required("members", errors: errors),
                                mtu: r.optional("mtu"), miimon: r.optional("miimon"), lacpRate: r.optional("lacp_rate"),
                                xmitHashPolicy: r.optional("xmit_hash_policy"), primary: r.optional("primary"))
            for field in [spec.mode, spec.members, spec.mtu, spec.miimon, spec.lacpRate, spec.xmitHashPolicy, spec.primary] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    /// Every mistake of the bond on this host is reported together (see ErrorSink.finish).
    func resolve(for host: PoolHost) throws -> DesiredBond? {
        guard header.applies(to: host.name) else { return nil }
        let problems = ErrorSink()
        let name = header.resolveName(host, problems: problems)
        let b = header.resolver(host, name: name)
        func at(_ node: YNode?) -> YNode { ((try? b.select(node)) ?? nil) ?? header.name }
        var bondMode: BondMode?
        if mode != nil, let text = problems.value({ try b.string(mode, "mode") ?? "" }) {
            bondMode = BondMode(name: text)
            if bondMode == nil {
                problems.add(b.fail("mode \"\(text)\" is not a bonding mode (\(BondMode.allCases.map(\.description).joined(separator: ", ")))", at: at(mode)))
            }
        }
        var names: [String] = []
        if members != nil, let listed = problems.value({ try b.strings(members, "members") }) {
            for (member, item) in listed {
                problems.collect {
                    if let problem = InterfaceName.problem(member) { throw b.fail("member \"\(member)\" \(problem)", at: item) }
                    if member == name { throw b.fail("a bond cannot be its own member", at: item) }
                    if names.contains(member) { throw b.fail("member \(member) is listed twice", at: item) }
                    names.append(member)
                }
            }
            if listed.isEmpty { problems.add(b.fail("a bond needs at least one member", at: at(members))) }
        }

        var options = BondOptions(mode: bondMode ?? .activeBackup, miimon: 100)
        if let ms = problems.value({ try b.int(miimon, "miimon") }) {
            if ms >= 0, ms <= 60_000 { options.miimon = UInt32(ms) } else {
                problems.add(b.fail("miimon \(ms) is out of range (0–60000 ms)", at: at(miimon)))
            }
        }
        // Each option is judged on its own value, and against the mode when the mode is known.
        if let rate = problems.value({ try b.string(lacpRate, "lacp_rate") }) {
            if let bondMode, bondMode != .lacp { problems.add(b.fail("lacp_rate applies to mode 802.3ad only", at: at(lacpRate))) }
            if rate == "fast" || rate == "slow" { options.lacpFast = rate == "fast" } else {
                problems.add(b.fail("lacp_rate must be fast or slow, found \"\(rate)\"", at: at(lacpRate)))
            }
        }
        if let text = problems.value({ try b.string(xmitHashPolicy, "xmit_hash_policy") }) {
            if let bondMode, !bondMode.hashes { problems.add(b.fail("xmit_hash_policy applies to balance-xor, 802.3ad and balance-tlb", at: at(xmitHashPolicy))) }
            if let policy = XmitHashPolicy(name: text) { options.xmitHashPolicy = policy } else {
                problems.add(b.fail("xmit_hash_policy \"\(text)\" is not one of \(XmitHashPolicy.allCases.map(\.description).joined(separator: ", "))",
                                    at: at(xmitHashPolicy)))
            }
        }
        if let p = problems.value({ try b.string(primary, "primary") }) {
            if let bondMode, !bondMode.hasPrimary { problems.add(b.fail("primary applies to active-backup, balance-tlb and balance-alb", at: at(primary))) }
            if !names.isEmpty, !names.contains(p) { problems.add(b.fail("primary \(p) is not a member", at: at(primary))) }
            options.primary = p
        }
        let mtu = problems.value { try b.mtu(self.mtu) }
        return try problems.finish(name.flatMap { name in
            bondMode.map { mode in
                options.mode = mode
                return DesiredBond(name: name, members: names, mtu: mtu, options: options, mark: header.mark)
            }
        })
    }
}

extension DesiredBond {
    /// The kind and options it is created with: the primary must be a member first, so it is set
    /// after enslaving.
    public var linkOptions: LinkOptions {
        var base = options
        base.primary = nil
        return .bond(base)
    }

    /// The kernel refuses a mode change while the bond has members, and lacp_rate while it is up:
    /// either is a new bond.
    public func keepsIdentity(of link: LinkState) -> Bool {
        link.kind == .bond && link.bond?.mode == options.mode && link.bond?.lacpFast == options.lacpFast
    }
}

/// A bond on one host; its options carry the mode and everything the kernel can tune.
public struct DesiredBond: Sendable, Equatable {
    public var name: String
    public var members: [String]
    public var mtu: UInt32?
    public var options: BondOptions
    public var mark: SourceMark

    public init(name: String, members: [String], mtu: UInt32? = nil, options: BondOptions, mark: SourceMark) {
        self.name = name
        self.members = members
        self.mtu = mtu
        self.options = options
        self.mark = mark
    }
}

// The kind's registration: its file key and what the resolver, host checks and planner ask of it.
extension BondSpec: LinkSpec {
    static let fileKey = "bonds"

    func resolve(for host: PoolHost, in topology: Topology) throws -> DesiredBond? { try resolve(for: host) }
}

extension DesiredBond: DesiredLink {
    public static let kind = LinkKind.bond
    public static let fileKind = BondSpec.kind
    public static let mayCarryStorageRole = true
    public var creationMTU: CreationMTU { .kernelDefault(DesiredState.newBondMTU) }
    public var lowerDevices: [String] { members }
}

extension Topology {
    public var bonds: [BondSpec] { linkSpecs[BondSpec.self] }
}

extension DesiredState {
    public var bonds: [DesiredBond] {
        get { links[DesiredBond.self] }
        set { links[DesiredBond.self] = newValue }
        _modify { yield &links[DesiredBond.self] }
    }
}
