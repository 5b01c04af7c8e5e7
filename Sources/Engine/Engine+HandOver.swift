import HostState
import Logging
import Netlink
import Planner
import Storage
import Topology

extension Change {
    /// A step that writes a hand-over drop-in (they sort first; removals sort last).
    public var isHandOver: Bool {
        if case .handOver(let h) = action { return h.content != nil }
        return false
    }
}

extension Engine {
    /// Runs the plan's hand-over steps on their own, then plans the rest again on a fresh read:
    /// a manager that lets go of a device deconfigures it (NetworkManager sets it down, networkd
    /// removes the addresses it added), which the first plan could not know.
    /// Returns the plan to carry out (hand-over steps first) and the hand-over steps that ran.
    static func handOverFirst(_ plan: Plan, before: inout CurrentState, context: RollbackContext, socket: RouteSocket,
                              force: Bool, adopt: Bool = false) throws -> (plan: Plan, done: [Change]) {
        let steps = Array(plan.changes.prefix { $0.isHandOver })
        guard !steps.isEmpty else { return (plan, []) }
        let executor = context.executor, desired = context.desired
        var translator = RequestTranslator(state: before)
        let outcome = try executor.run(steps, translator: &translator, stopOnError: true)
        let done = outcome.tookEffect(steps)
        if let failure = outcome.firstFailure {
            throw try rollBack(done, cause: failure.cause, error: failure, partly: outcome.partlyApplied(steps), context)
        }
        before = try read(using: socket, for: desired, storage: executor.storage, keeper: context.keeper)
        var rest = Planner.plan(desired: desired, current: before, force: force, adopt: adopt, listUnowned: false)
        if !rest.problems.isEmpty {
            let cause = "after the hand-over, the plan is blocked:\n" + rest.problems.map { "  ! \($0)\n" }.joined()
            throw try rollBack(done, cause: cause, context)
        }
        rest.changes = done + rest.changes.filter { !$0.isHandOver }
        rest.foreign = plan.foreign
        return (rest, done)
    }
}
