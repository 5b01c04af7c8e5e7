import HostState
import Netlink
import Topology

/// The kernel's classes a state read adds to the links and addresses when the file needs them:
/// bridge VLANs, default routes (for the storage NICs) and VXLANs' remote VTEPs. Each is one dump.
public struct ReadClasses: Equatable, Sendable {
    public var bridgeVLANs: Bool
    public var defaultRoutes: Bool
    public var vxlanRemotes: Bool

    /// What this host's state needs: the answer.
    public init(_ desired: DesiredState?) {
        bridgeVLANs = desired?.managesBridgeVLANs ?? false
        defaultRoutes = !(desired?.nics.isEmpty ?? true)
        vxlanRemotes = !(desired?.vxlans.isEmpty ?? true)
    }

    /// What the parsed file suggests before its host is resolved: a guess, which is right unless an
    /// object of the kind is limited to other hosts. A wrong guess costs a dump on the prefetch's
    /// thread; the read then does its own (see `Engine.read`).
    public init(parsed topology: Topology) {
        bridgeVLANs = topology.listsBridgeVLANs
        defaultRoutes = !topology.storageNICs.isEmpty
        vxlanRemotes = !topology.vxlans.isEmpty
    }

    /// `remotesOf`: the VXLANs read again (see `StateReader.complete`); nil: every one.
    func complete(_ state: inout CurrentState, using socket: RouteSocket, remotesOf: Set<String>? = nil) throws {
        try StateReader.complete(&state, using: socket, bridgeVLANs: bridgeVLANs, defaultRoutes: defaultRoutes, vxlanRemotes: vxlanRemotes,
                                 remotesOf: remotesOf)
    }
}

/// A base state read ahead of the plan, with the classes it already holds (nil: none).
public struct PrefetchedState: Sendable {
    public var state: CurrentState
    public var holds: ReadClasses?
}

extension Engine {
    /// `readBase()`, then, on the same thread, the classes `classes` names: it blocks until the
    /// caller knows them from the parsed file (nil: none), so that their dumps run while the caller
    /// resolves its host. A failed class dump is not an error here: the read does it again and says.
    public func readBase(then classes: @escaping @Sendable () -> ReadClasses?) throws -> PrefetchedState {
        try NetworkNamespace.run(netns) {
            let socket = try RouteSocket()
            let base = try StateReader.readBase(using: socket)
            guard let wanted = classes() else { return PrefetchedState(state: base, holds: nil) }
            var state = base
            do { try wanted.complete(&state, using: socket) } catch { return PrefetchedState(state: base, holds: nil) }
            return PrefetchedState(state: state, holds: wanted)
        }
    }
}
