import HostState
import Topology

extension PlanBuilder {
    /// VXLAN uplinks of cross-host private bridges: created with VNI, local VTEP, port and underlay
    /// (which the kernel cannot change in place: a change replaces the device), then one all-zero
    /// FDB entry per remote host.
    mutating func planVXLANs() {
        let depth = stackDepth(.vxlan)
        for vxlan in desired.vxlans {
            if let device = vxlan.info.device, let under = live(device) { planUp(under, depth: stackDepth(under.kind)) }
            let wanted = vxlan.info.remotes ?? []
            if let link = live(vxlan.name) {
                guard link.kind == .vxlan, let info = link.vxlan, info.sameIdentity(as: vxlan.info) else {
                    problem("vxlan \(vxlan.name)", "a \(link.kind) device named \(vxlan.name) exists and was not created by poolnet (or differs from the file); rename one of them")
                    continue
                }
                planMTU(link, to: vxlan.mtu, depth: depth)
                let have = info.remotes ?? []
                if have != wanted {
                    add(.forwarding, .setVXLANRemotes(link: link.name, remotes: wanted, previous: have), depth: depth)
                }
                planUp(link, depth: depth)
                continue
            }
            if let device = vxlan.info.device, live(device) == nil, !createdDevices.contains(device) {
                problem("vxlan \(vxlan.name)", "underlay device \(device) is not present on host \(desired.host)")
                continue
            }
            create(NewLink(name: vxlan.name, options: vxlan.linkOptions, mtu: vxlan.mtu, alias: linkAlias, up: true, ipv6LinkLocal: false),
                   depth: depth, disruptive: replaced[vxlan.name] != nil, reason: replaced[vxlan.name].map(replacementReason))
            if !wanted.isEmpty {
                add(.forwarding, .setVXLANRemotes(link: vxlan.name, remotes: wanted, previous: []), depth: depth)
            }
        }
    }
}

/// The planner's code for VXLANs (see `PlannedLinkKind`).
enum VXLANKind: PlannedLinkKind {
    static let stackDepth = 2

    static func plan(_ builder: inout PlanBuilder) { builder.planVXLANs() }

    static func optionDetails(_ options: LinkOptions) -> [String] {
        guard let v = options.vxlan else { return [] }
        var details = ["vni \(v.vni)"]
        if let local = v.local { details.append("local \(local)") }
        if let device = v.device { details.append("dev \(device)") }
        if v.port != 4789 { details.append("port \(v.port)") }
        return details
    }

    static func replacementReason(_ link: LinkState, desired: DesiredState) -> String? {
        guard let vxlan = desired.vxlans.first(where: { $0.name == link.name }) else { return nil }
        guard let have = link.vxlan else { return "replaced: a \(link.kind) becomes a vxlan" }
        var diffs: [String] = []
        if have.vni != vxlan.info.vni { diffs.append("vni \(have.vni) → \(vxlan.info.vni)") }
        if have.local != vxlan.info.local { diffs.append("local \(have.local ?? "none") → \(vxlan.info.local ?? "none")") }
        if have.port != vxlan.info.port { diffs.append("port \(have.port) → \(vxlan.info.port)") }
        if have.device != vxlan.info.device { diffs.append("device \(have.device ?? "none") → \(vxlan.info.device ?? "none")") }
        return "replaced: " + diffs.joined(separator: ", ")
    }
}

extension DesiredVXLAN: PlannableLink {
    typealias Planned = VXLANKind

    var diffProperties: [(name: String, value: String)] {
        var p: [(name: String, value: String)] = [("vni", String(info.vni)), ("local", info.local ?? "none"), ("port", String(info.port))]
        if let device = info.device { p.append(("device", device)) }
        p += diffMTU(mtu)
        p.append(("remotes", diffList(info.remotes ?? [])))
        return p
    }
}
