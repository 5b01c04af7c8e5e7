import HostState
import Topology

/// What the planner asks of a link kind. Each kind answers in its own file (`Bond+Plan.swift`,
/// `VLAN+Plan.swift`, …), where its desired type declares `PlannableLink`; the planner finds the
/// kinds through the Topology's registry (`Topology.desiredLinkTypes`) and names none of them.
protocol PlannedLinkKind: SendableMetatype {
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
    /// Plans every link of the kind the file declares (creates, MTU, up, options).
    static func plan(_ builder: inout PlanBuilder)
}

/// A desired link the planner knows how to plan: each kind's `X+Plan.swift` declares it.
protocol PlannableLink: DesiredLink {
    associatedtype Planned: PlannedLinkKind
    /// Its properties for `poolnet diff`, in a stable order.
    var diffProperties: [(name: String, value: String)] { get }
}

extension PlannableLink {
    static var planned: any PlannedLinkKind.Type { Planned.self }
}

extension PlannedLinkKind {
    static func identityDetails(_ options: LinkOptions) -> [String] { [] }
    static func optionDetails(_ options: LinkOptions) -> [String] { [] }
}

/// The planner's code of each kind the registry lists, by the kernel's kind.
private let plannedByKind: [LinkKind: any PlannedLinkKind.Type] = Dictionary(
    Topology.desiredLinkTypes.compactMap { type in (type as? any PlannableLink.Type).map { (type.kind, $0.planned) } },
    uniquingKeysWith: { first, _ in first })

/// The kinds in the order they are planned: down the stack (NIC → bond → VLAN/VXLAN → bridge),
/// the registry's order among kinds of one depth.
let linkPlanOrder: [any PlannedLinkKind.Type] = Topology.desiredLinkTypes
    .compactMap { ($0 as? any PlannableLink.Type)?.planned }
    .enumerated().sorted { ($0.element.stackDepth, $0.offset) < ($1.element.stackDepth, $1.offset) }.map(\.element)

extension LinkKind {
    /// The planner's code for this kind; nil for the kinds poolnet does not create (NICs, veths,
    /// anything else the kernel reports).
    var planned: (any PlannedLinkKind.Type)? { plannedByKind[self] }
}

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
