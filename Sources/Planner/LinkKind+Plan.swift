import HostState
import Topology

/// What the planner asks of a link kind. Each kind answers in its own file (`Bond+Plan.swift`,
/// `VLAN+Plan.swift`, …); `LinkKind.planned` below is the one place that lists the kinds.
protocol PlannedLinkKind {
    /// Place in the stack, NIC (0) → bond → VLAN/VXLAN → bridge: parents are created before and
    /// deleted after their children.
    static var stackDepth: Int { get }
    /// What a create line says of the kind's options before the lower device and MTU (a VLAN's id).
    static func identityDetails(_ options: LinkOptions) -> [String]
    /// What a create line says of the kind's options after the MTU, e.g. `stp off`.
    static func optionDetails(_ options: LinkOptions) -> [String]
    /// Why poolnet's live `link` is deleted and created again for what the file declares under
    /// its name; nil when the file declares no link of this kind by that name.
    static func replacementReason(_ link: LinkState, desired: DesiredState) -> String?
}

extension PlannedLinkKind {
    static func identityDetails(_ options: LinkOptions) -> [String] { [] }
    static func optionDetails(_ options: LinkOptions) -> [String] { [] }
}

extension LinkKind {
    /// The planner's code for this kind; nil for the kinds poolnet does not create (NICs, veths,
    /// anything else the kernel reports).
    var planned: (any PlannedLinkKind.Type)? {
        switch self {
        case .device, .veth, .other: return nil
        case .bridge: return BridgeKind.self
        case .vlan: return VLANKind.self
        case .bond: return BondKind.self
        case .vxlan: return VXLANKind.self
        }
    }
}

/// The kinds the planner creates, in the order their replacement reasons are looked for.
let plannedKinds: [any PlannedLinkKind.Type] = [VLANKind.self, BondKind.self, VXLANKind.self, BridgeKind.self]

/// Stack depth by kind: NIC → bond → VLAN/VXLAN → bridge.
func stackDepth(_ kind: LinkKind) -> Int { kind.planned?.stackDepth ?? 0 }

extension NewLink {
    /// The details of a create line, e.g. `id 20, on eth1, mtu 9000, up`.
    var createDetails: [String] {
        let kind = self.kind.planned
        var details = kind?.identityDetails(options) ?? []
        if let link { details.append("on \(link)") }
        if let mtu { details.append("mtu \(mtu)") }
        details += kind?.optionDetails(options) ?? []
        if up { details.append("up") }
        return details
    }
}
