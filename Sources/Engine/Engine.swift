import HostState
import Logging
import Netlink
import Planner
import Topology

/// What went wrong in an apply, and what was done about it.
public struct ApplyFailure: Error, CustomStringConvertible {
    /// The first error: a kernel refusal or a verification that found a remaining diff.
    public var cause: String
    /// Steps undone, in the order they were undone.
    public var rolledBack: [Change]
    /// Steps whose undo failed too, with the reason: these need a human.
    public var notRolledBack: [(Change, String)]

    public var description: String {
        var text = "apply failed: \(cause)\n"
        if rolledBack.isEmpty && notRolledBack.isEmpty {
            text += "nothing had been changed.\n"
        } else {
            text += "rolled back \(rolledBack.count) step\(rolledBack.count == 1 ? "" : "s")"
            text += notRolledBack.isEmpty ? "; the host is as it was before.\n" : ":\n"
            for change in notRolledBack.isEmpty ? [] : rolledBack { text += "  undone: \(change.line)\n" }
            for (change, reason) in notRolledBack { text += "  NOT undone: \(change.line): \(reason)\n" }
        }
        return text
    }
}

/// Refusal to plan: the file asks for something the host cannot give.
public struct PlanBlocked: Error, CustomStringConvertible {
    public var plan: Plan
    public var description: String {
        "cannot apply on host \(plan.host):\n" + plan.problems.map { "  ! \($0)\n" }.joined()
    }
}

/// read → plan → apply → read → verify, in one network namespace (or the caller's).
public struct Engine {
    public var netns: String?
    public var logger: Logger
    /// Test hook for fault injection: fail the step at this 0-based position before sending it.
    public var failStep: Int?

    public init(netns: String? = nil, logger: Logger = Logger(label: "poolnet")) {
        self.netns = netns
        self.logger = logger
    }

    /// The live state: one dump per object class (bridge VLANs only when asked).
    public func read(bridgeVLANs: Bool = false) throws -> CurrentState {
        try NetworkNamespace.run(netns) { try StateReader.read(using: try RouteSocket(), bridgeVLANs: bridgeVLANs) }
    }

    /// The plan for `desired` against the live state.
    public func plan(_ desired: DesiredState) throws -> (plan: Plan, current: CurrentState) {
        let current = try read(bridgeVLANs: desired.managesBridgeVLANs)
        return (Planner.plan(desired: desired, current: current), current)
    }

    /// Applies what the plan says, verifies by a fresh read that nothing is left to do, and rolls
    /// every applied step back if a step or the verification fails. Returns the applied plan.
    @discardableResult
    public func apply(_ desired: DesiredState) throws -> Plan {
        let logger = self.logger
        let failStep = self.failStep
        return try NetworkNamespace.run(netns) { () throws -> Plan in
            let socket = try RouteSocket()
            let vlans = desired.managesBridgeVLANs
            let before = try StateReader.read(using: socket, bridgeVLANs: vlans)
            let plan = Planner.plan(desired: desired, current: before)
            guard plan.problems.isEmpty else { throw PlanBlocked(plan: plan) }
            guard !plan.changes.isEmpty else { return plan }
            logger.info("applying \(plan.changes.count) changes on host \(plan.host)")

            var translator = RequestTranslator(state: before)
            var requests: [NetlinkRequest] = []
            var owner: [Int] = []  // request → the change it belongs to
            for (i, change) in plan.changes.enumerated() {
                for request in try translator.translate(change) {
                    requests.append(request)
                    owner.append(i)
                }
            }
            var results: [NetlinkError?]
            if let failStep, failStep < plan.changes.count {
                // The changes before the injected failure are sent for real; the rest are not.
                let cut = owner.firstIndex(of: failStep)!
                results = cut > 0 ? socket.execute(Array(requests[..<cut])) : []
                results.append(NetlinkError(operation: requests[cut].label, errno: EIO_INJECTED, kernelMessage: "injected failure (test hook)"))
                results += Array(repeating: NetlinkError(operation: "", errno: ECANCELED_CODE), count: requests.count - cut - 1)
            } else {
                results = socket.execute(requests)
            }
            // A change took effect if any of its requests did; rollback undoes it whole.
            var tookEffect = Set<Int>()
            for (r, result) in results.enumerated() where result == nil { tookEffect.insert(owner[r]) }
            let applied = tookEffect.sorted().map { plan.changes[$0] }
            if let first = results.compactMap({ $0 }).first(where: { $0.errno != ECANCELED_CODE }) {
                throw try Self.rollBack(applied, cause: first.description, socket: socket, bridgeVLANs: vlans, logger: logger)
            }

            let after = try StateReader.read(using: socket, bridgeVLANs: vlans)
            let remaining = Planner.plan(desired: desired, current: after)
            if !remaining.isEmpty {
                let cause = "verification found changes still to make after apply:\n" + remaining.renderPlan()
                throw try Self.rollBack(applied, cause: cause, socket: socket, bridgeVLANs: vlans, logger: logger)
            }
            return plan
        }
    }

    /// Undoes `applied` in reverse order, each undo computed from the state read before apply.
    static func rollBack(_ applied: [Change], cause: String, socket: RouteSocket, bridgeVLANs: Bool, logger: Logger) throws -> ApplyFailure {
        logger.warning("rolling back \(applied.count) steps: \(cause)")
        var failure = ApplyFailure(cause: cause, rolledBack: [], notRolledBack: [])
        guard !applied.isEmpty else { return failure }
        // Names resolve against the state as it is now, after the partial apply. All undo steps go
        // out in one batch; one failing does not stop the others.
        var translator = RequestTranslator(state: try StateReader.read(using: socket, bridgeVLANs: bridgeVLANs))
        var requests: [NetlinkRequest] = []
        var owner: [Int] = []
        var undos: [Change] = []
        for change in applied.reversed() {
            let undo = change.inverse
            undos.append(undo)
            do {
                for request in try translator.translate(undo) {
                    requests.append(request)
                    owner.append(undos.count - 1)
                }
            } catch {
                failure.notRolledBack.append((change, "\(error)"))
            }
        }
        let results = socket.execute(requests, stopOnError: false)
        var failed: [Int: String] = [:]
        for (r, result) in results.enumerated() { if let result { failed[owner[r]] = result.description } }
        for (i, undo) in undos.enumerated() where owner.contains(i) {
            if let reason = failed[i] { failure.notRolledBack.append((undo.inverse, reason)) } else { failure.rolledBack.append(undo) }
        }
        return failure
    }
}

/// errno values used for steps the engine itself did not send.
let EIO_INJECTED: Int32 = 5
let ECANCELED_CODE: Int32 = 125
