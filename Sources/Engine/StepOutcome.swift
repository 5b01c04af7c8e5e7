import Netlink
import Planner
import SystemCalls

/// Why one step of a run failed.
public enum StepError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kernel refused the step's netlink request (or the socket failed with it out): the
    /// errno by name, and the kernel's extended-ACK message.
    case kernel(NetlinkError)
    /// A step outside netlink (sysctl, iSCSI/multipath/FC, hand-over drop-in, ownership record)
    /// threw: the step's label and what it threw.
    case host(step: String, reason: String)
    /// The change could not be turned into requests (a link it names is not there, say).
    case untranslatable(change: String, reason: String)
    /// Fault injection (`Engine.failStep`): failed before anything of it was sent.
    case injected(step: String)
    /// Part of the change took effect, the rest was never sent: the run stopped at an earlier
    /// failure between two of its requests (they went in two kernel batches) or before a
    /// non-netlink part of it.
    case cutShort(step: String)

    /// The kernel's errno, for a kernel refusal.
    public var errno: Errno? {
        if case .kernel(let error) = self { return error.errno }
        return nil
    }

    /// The kernel's extended-ACK message, when it sent one.
    public var kernelMessage: String? {
        if case .kernel(let error) = self { return error.kernelMessage }
        return nil
    }

    /// The reason printed beside the step ("NOT undone: <step>: <reason>").
    public var description: String {
        switch self {
        case .kernel(let error): return error.description
        case let .host(step, reason): return "\(step): \(reason)"
        case .untranslatable(_, let reason): return reason
        case .injected(let step): return "\(step): injected failure (test hook)"
        case .cutShort: return "part of it took effect, the rest was not sent (the run stopped at an earlier failure)"
        }
    }

    /// The reason as a run's cause (a failed apply's first line): it names the change where the
    /// reason alone does not.
    public var cause: String {
        if case let .untranslatable(change, reason) = self { return "\(change): \(reason)" }
        if case .cutShort(let step) = self { return "\(step): \(description)" }
        return description
    }
}

/// What became of one change of a run.
public enum StepOutcome: Sendable, Equatable {
    /// It took effect.
    case applied
    /// It failed. `partly`: some of it may have taken effect (a request merged with another that
    /// the kernel half-did, or a change whose first request went through), so a rollback undoes it.
    case failed(StepError, partly: Bool)
    /// Nothing of it reached the host: the run stopped at an earlier failure (or it had nothing
    /// to send).
    case notSent

    /// Applied, or failed after part of it took effect: a rollback undoes it.
    public var tookEffect: Bool {
        switch self {
        case .applied, .failed(_, partly: true): return true
        case .failed, .notSent: return false
        }
    }

    public var error: StepError? {
        if case .failed(let error, _) = self { return error }
        return nil
    }
}

/// A step of which only part took effect before its run stopped, and why (a failed apply lists
/// them; its rollback undoes them with the rest).
public struct PartlyApplied: Sendable, Equatable {
    public var change: Change
    public var error: StepError

    public init(_ change: Change, _ error: StepError) {
        self.change = change
        self.error = error
    }
}

/// The outcome of a run of changes, one per change in plan order, filled in as the run goes.
public struct RunOutcome: Sendable, Equatable {
    public private(set) var steps: [StepOutcome]
    /// The first failure, in the order the run met them (kept, not searched: the run asks after
    /// every change whether to stop).
    public private(set) var firstFailure: StepError?

    public init(count: Int) { steps = Array(repeating: .notSent, count: count) }

    /// Change `i` (or a part of it) took effect.
    mutating func tookEffect(_ i: Int) {
        switch steps[i] {
        case .notSent: steps[i] = .applied
        case .failed(let error, partly: false): steps[i] = .failed(error, partly: true)
        case .applied, .failed: break
        }
    }

    /// Change `i` (or a part of it) failed; a change keeps its first error.
    mutating func failed(_ i: Int, _ error: StepError) {
        if firstFailure == nil { firstFailure = error }
        switch steps[i] {
        case .notSent: steps[i] = .failed(error, partly: false)
        case .applied: steps[i] = .failed(error, partly: true)
        case .failed: break
        }
    }

    /// Change `i` stopped partway (the rest of it not sent, the run stopped at a failure): failed
    /// partly when some of it took effect, still not sent when nothing of it did.
    mutating func cutShort(_ i: Int, step: String) {
        if case .applied = steps[i] { failed(i, .cutShort(step: step)) }
    }

    /// The items whose change was cut short after part of it took effect, with the error. Not a
    /// request whose answer never came or a merged request the kernel refused: whether those took
    /// effect is not known, and they are reported as failed.
    public func partlyApplied<T>(_ items: [T]) -> [(T, StepError)] {
        zip(items, steps).compactMap { item, step in
            if case .failed(let error, partly: true) = step, case .cutShort = error { return (item, error) }
            return nil
        }
    }

    /// The items (the run's changes, or what they stand for) whose change took effect, in order.
    public func tookEffect<T>(_ items: [T]) -> [T] {
        zip(items, steps).compactMap { $0.1.tookEffect ? $0.0 : nil }
    }
}

/// A step that a rollback or an undo could not put back, and why: these need a human.
public struct NotUndone: Sendable, Equatable {
    /// The step of the apply (not its inverse).
    public var change: Change
    public var reason: UndoFailure

    public init(_ change: Change, _ reason: UndoFailure) {
        self.change = change
        self.reason = reason
    }
}

/// Why a step was not put back.
public enum UndoFailure: Sendable, Equatable, CustomStringConvertible {
    /// Its undo failed, typed as any step's failure.
    case failed(StepError)
    /// Its undo went through, but a read after it still shows the step in effect.
    case stillInEffect
    /// The undo could not begin (the host could not be read, say): nothing was sent.
    case notStarted

    public var description: String {
        switch self {
        case .failed(let error): return error.description
        case .stillInEffect: return "a read after the undo still shows it"
        case .notStarted: return "the undo could not start"
        }
    }
}
