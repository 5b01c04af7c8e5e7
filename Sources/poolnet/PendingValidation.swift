import Foundation
import SystemCalls
import Topology

/// The rest of a new pool file's validation (every other host, and the checks across hosts),
/// finishing on its own thread while this host is resolved, the kernel read and the plan made: at
/// a thousand objects it took as long as all three, on the critical path of an apply of a changed
/// file. Nothing is written to the host, no storage path is probed and no plan is checked or shown
/// before `wait()` has returned, and an error met before it (a failed read, a pending
/// confirmation) waits for it first: its errors are the whole validation's and come first, exactly
/// as if it had run first.
final class PendingValidation: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let provided = DispatchSemaphore(value: 0)
    private var errors: [TopologyError] = []
    private var state: DesiredState?
    private var waited = false

    /// A validation already complete (a cached or a synchronous one).
    static func finished() -> PendingValidation {
        let validation = PendingValidation()
        validation.done.signal()
        return validation
    }

    private init() {}

    /// Validates `topology` for every host: the others are resolved at once, `host` is the one
    /// the caller resolves meanwhile and hands over with `provide` (the caller must). `clean` runs
    /// on that thread when the pool validated clean, with `host`'s state (nil: it did not resolve).
    static func start(_ topology: Topology, host: String, clean: @escaping @Sendable (DesiredState?) -> Void) -> PendingValidation {
        let validation = PendingValidation()
        nonisolated(unsafe) let topology = topology
        BackgroundWrites.start {
            var known = topology.resolveHosts(except: host)
            PhaseTrace.mark("validation: the other hosts resolved")
            validation.provided.wait()
            let state = validation.state
            if let state { known[host] = state }
            let problems = topology.validateResolving(known: known).errors
            validation.errors = problems
            PhaseTrace.mark("validation: every other host resolved and checked")
            validation.done.signal()
            // The caches after the answer: the caller goes on meanwhile (`BackgroundWrites.finish`
            // still waits for them before the process exits).
            if problems.isEmpty { clean(state) }
        }
        return validation
    }

    /// `host`'s state as the caller resolved it; nil: it did not resolve (the validation then
    /// resolves it itself, and reports why).
    func provide(_ state: DesiredState?) {
        self.state = state
        provided.signal()
    }

    /// Returns once the pool validated clean; throws its errors (exit 1) otherwise.
    func wait() throws {
        if !waited {
            done.wait()
            waited = true
        }
        if !errors.isEmpty { throw Failure.topology(TopologyErrors(errors)) }
    }
}
