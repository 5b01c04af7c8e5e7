import HostState
import Topology

extension PlanBuilder {
    /// VLAN sub-interfaces: created on their parent; a changed id or parent means delete and
    /// create again (disruptive), planned by `planReplacements`.
    mutating func planVLANs() {
        let roles = Dictionary(desired.nics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let parents = Dictionary(desired.vlans.map { ($0.name, $0.link) }, uniquingKeysWith: { a, _ in a })
        for vlan in desired.vlans {
            let depth = Self.vlanDepth(vlan.name, parentOf: { parents[$0] })
            // A VLAN carries nothing over a parent that is down: bring an existing parent up.
            if let parent = live(vlan.link) { planUp(parent, depth: stackDepth(parent.kind)) }
            let role = roles[vlan.name]
            let mtu = vlan.mtu ?? role?.mtu
            if let link = live(vlan.name) {
                guard vlan.keepsIdentity(of: link) else {
                    problem("vlan \(vlan.name)", "a \(link.kind) device named \(vlan.name) exists (\(describe(link))) and was not created by poolnet; rename one of them")
                    continue
                }
                planMTU(link, to: mtu, depth: depth)
                planUp(link, depth: depth)
                continue
            }
            if live(vlan.link) == nil && !createdDevices.contains(vlan.link) {
                problem("vlan \(vlan.name)", "parent \(vlan.link) is not present on host \(desired.host)")
                continue
            }
            let wantsIPv6 = role?.addresses.contains { $0.prefix.family == .ipv6 } ?? false
            create(NewLink(name: vlan.name, options: vlan.linkOptions, mtu: mtu, alias: linkAlias, up: true,
                           link: vlan.link, ipv6LinkLocal: wantsIPv6),
                   depth: depth, disruptive: replaced[vlan.name] != nil, reason: replaced[vlan.name].map(replacementReason))
        }
    }

    /// A VLAN's place in the stack: one above its parent when the parent is a VLAN too (802.1Q in
    /// 802.1Q), so that the parent is created and brought up first and deleted last, whatever
    /// order the file lists them in. `parentOf` names a VLAN's parent, nil for anything else.
    static func vlanDepth(_ name: String, parentOf: (String) -> String?) -> Int {
        var depth = VLANKind.stackDepth
        var current = name
        // Bounded: a loop of VLAN parents is another check's error.
        for _ in 0..<64 {
            guard let parent = parentOf(current), parentOf(parent) != nil else { break }
            depth += 1
            current = parent
        }
        return depth
    }

    /// A live link's place in the stack, VLANs on VLANs one above their parent (see `vlanDepth`).
    func liveDepth(_ link: LinkState) -> Int {
        guard link.kind == .vlan else { return stackDepth(link.kind) }
        return Self.vlanDepth(link.name, parentOf: { name in links[name].flatMap { $0.kind == .vlan ? $0.link : nil } })
    }

    func describe(_ link: LinkState) -> String {
        if link.kind == .vlan { return "id \(link.vlanID.map(String.init) ?? "?") on \(link.link ?? "?")" }
        return "kind \(link.kind)"
    }
}

/// The planner's code for VLANs (see `PlannedLinkKind`).
enum VLANKind: PlannedLinkKind {
    static let stackDepth = 2

    static func plan(_ builder: inout PlanBuilder) { builder.planVLANs() }

    static func identityDetails(_ options: LinkOptions) -> [String] { options.vlanID.map { ["id \($0)"] } ?? [] }

    static func replacementReason(_ link: LinkState, desired: DesiredState) -> String? {
        guard let vlan = desired.vlans.first(where: { $0.name == link.name }) else { return nil }
        if link.kind != .vlan { return "replaced: a \(link.kind) becomes a vlan" }
        if link.vlanID != vlan.id { return "replaced: VLAN id \(link.vlanID.map(String.init) ?? "?") → \(vlan.id)" }
        return "replaced: parent \(link.link ?? "?") → \(vlan.link)"
    }
}

extension DesiredVLAN: PlannableLink {
    typealias Planned = VLANKind

    var diffProperties: [(name: String, value: String)] {
        [("link", link), ("id", String(id))] + diffMTU(mtu)
    }
}
