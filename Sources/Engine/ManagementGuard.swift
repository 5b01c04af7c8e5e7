import HostState
import Planner

/// Refuses plans that would cut the way operators reach the host: the interfaces that carry a
/// default route or the address the SSH session arrived on, and everything they stand on.
public struct ManagementGuard: Sendable {
    /// `SSH_CONNECTION`: "client_ip client_port server_ip server_port".
    public var sshConnection: String?

    public init(sshConnection: String?) { self.sshConnection = sshConnection }

    public struct Refusal: Error, CustomStringConvertible {
        public var reasons: [String]
        public var description: String {
            "refusing to apply: the plan would disrupt the management path\n"
                + reasons.map { "  ! \($0)\n" }.joined()
                + "pass --allow-disruptive if this is intended (console access recommended)"
        }
    }

    /// Interfaces to protect, each with why.
    public func protectedLinks(in state: CurrentState) -> [String: String] {
        var protected: [String: String] = [:]
        for route in state.routes where route.isDefault {
            protected[route.link] = "carries the default route\(route.gateway.map { " via \($0)" } ?? "")"
        }
        if let parts = sshConnection?.split(separator: " "), parts.count >= 3, let server = IPPrefix(String(parts[2]), defaultPrefix: 0) {
            for address in state.addresses where address.prefix.bytes == server.bytes {
                protected[address.link] = "has \(server.address), where this SSH session arrived"
            }
        }
        // What a protected interface stands on: VLAN parent, VXLAN underlay, bond members, bridge ports.
        let links = state.linksByName()
        var queue = Array(protected.keys)
        while let name = queue.popLast() {
            guard let link = links[name] else { continue }
            var lower = state.links.filter { $0.master == name }.map(\.name)
            if let parent = link.link { lower.append(parent) }
            if let underlay = link.vxlan?.device { lower.append(underlay) }
            for l in lower where protected[l] == nil {
                protected[l] = "carries \(name), which \(protected[name]!)"
                queue.append(l)
            }
        }
        return protected
    }

    /// Throws when a change deletes, re-addresses, takes down or moves a protected interface.
    public func check(_ plan: Plan, against state: CurrentState) throws(Refusal) {
        // Most plans (an MTU, an address added) have no step that could cut a link: the walk
        // down from the protected links is skipped for them.
        guard plan.changes.contains(where: { Self.couldCut($0.action) }) else { return }
        let protected = protectedLinks(in: state)
        var reasons: [String] = []
        for change in plan.changes where Self.couldCut(change.action) {
            // A manager that lets go of a device deconfigures it (NetworkManager sets it down).
            if case .handOver(let h) = change.action {
                for device in h.devices where !h.previousDevices.contains(device) {
                    if let why = protected[device] { reasons.append("\(change.action.symbol) \(change.action.summary): \(device) \(why)") }
                }
                continue
            }
            if let why = protected[change.action.link] {
                reasons.append("\(change.action.symbol) \(change.action.summary): \(change.action.link) \(why)")
            }
        }
        if !reasons.isEmpty { throw Refusal(reasons: reasons) }
    }

    /// A step that deletes, re-addresses, takes down or moves its link, or a manager letting go.
    private static func couldCut(_ action: Action) -> Bool {
        switch action {
        case .handOver(let h): h.content != nil
        case .deleteLink, .removeAddress, .setMaster, .setBridgeVLANs, .removeRoute: true
        case .setUp(_, let up): !up
        default: false
        }
    }
}
