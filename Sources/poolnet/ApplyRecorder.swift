import Engine
import Foundation
import Storage
import Planner

/// The journal side of one apply, in write-ahead order:
/// 1. `begin` (called before the first change): the intent record with every step, the in-flight
///    marker and, with a confirm window, the pending record and its revert helper — all durable;
///    if any of it fails, nothing is sent to the kernel.
/// 2. `finish`: the outcome record; the pending record gets its final deadline; the marker goes.
///    If that cannot be written, the apply is undone (read-backed) rather than left unrecorded.
final class ApplyRecorder: @unchecked Sendable {
    let markers: ApplyMarkers
    let journal: Journal
    let options: HostOptions
    let file: String
    let content: [UInt8]
    let window: TimeInterval?
    let trigger: JournalRecord.Trigger?
    let reason: String?
    private(set) var id: String?
    private var plan: Plan?

    /// `content`: the bytes the apply parsed (not read again: an edit in between would journal and
    /// keep another file); `digest`: their SHA-256 when the caller has it.
    init(state: StateDirectory, options: HostOptions, file: String, content: [UInt8], digest: String?, window: TimeInterval?,
         trigger: JournalRecord.Trigger? = nil, reason: String? = nil) {
        markers = ApplyMarkers(directory: state, scope: options.scope)
        journal = Journal(directory: state)
        self.options = options
        self.file = file
        self.content = content
        sha256 = digest ?? SHA256.hex(content)
        self.window = window
        self.trigger = trigger
        self.reason = reason
    }

    /// Of `content`, once (it was hashed for every record, ~1 ms each at 1,000 NICs).
    let sha256: String

    /// An apply waiting for confirmation blocks the next one: its revert would undo both.
    func refuseWhilePending() throws {
        guard let pending = markers.pending() else { return }
        throw Failure.other("an apply (\(pending.id)) is waiting for confirmation until \(pending.deadline) on \(options.scope): run `poolnet confirm\(options.netnsFlag)` or `poolnet rollback\(options.netnsFlag)` first")
    }

    /// Says so when an earlier apply died midway (we hold the lock, so it is not running).
    func warnIfInterrupted() {
        guard let marker = markers.inFlight() else { return }
        warn("an earlier apply (\(marker.id), started \(marker.started) by pid \(marker.pid)) was interrupted before it finished; `poolnet rollback\(options.netnsFlag)` undoes what it did. This apply goes on from the host as it is now.")
    }

    func begin(_ plan: Plan) throws {
        let id = JournalRecord.newID()
        let deadline = window.map { Date().addingTimeInterval($0) }
        try journal.append(JournalRecord(id: id, command: .apply, result: .started, host: plan.host, netns: options.netns, pool: plan.pool,
                                         file: file, fileSHA256: sha256, steps: plan.changes, confirmBy: deadline,
                                         trigger: trigger, reason: reason))
        self.id = id
        self.plan = plan
        try markers.markInFlight(ApplyMarkers.InFlight(id: id))
        if let deadline {
            try markers.saveCandidate(content)
            try markers.savePending(ApplyMarkers.Pending(id: id, host: plan.host, netns: options.netns, deadline: deadline, applying: true,
                                                         steps: plan.changes))
            try RevertHelper.spawn(stateDirectory: markers.directory.path, scope: options.scope, netns: options.netns)
        }
    }

    /// A second round of steps (multipath maps): their intent too is durable before they run.
    func more(_ steps: [Change]) throws {
        guard let id, var plan else { return }
        try journal.append(JournalRecord(id: id, command: .apply, result: .started, host: plan.host, netns: options.netns, pool: plan.pool,
                                         file: file, fileSHA256: sha256, steps: steps, trigger: trigger, reason: reason))
        plan.changes += steps
        self.plan = plan
    }

    /// Records the outcome of an apply that went through. Returns the confirm deadline, if any.
    func finish(_ plan: Plan, engine: Engine) throws -> Date? {
        guard let id, !plan.changes.isEmpty else {
            do {
                try journal.append(JournalRecord(command: .apply, result: .noOp, host: plan.host, netns: options.netns, pool: plan.pool,
                                                 file: file, fileSHA256: sha256, trigger: trigger, reason: reason))
            } catch {
                warn("nothing was changed, but the journal could not record it: \(error)")
            }
            return nil
        }
        let deadline = window.map { Date().addingTimeInterval($0) }
        do {
            if FaultHooks.failJournalOutcome { throw StateError("injected failure of the outcome record (test hook)") }
            try journal.append(JournalRecord(id: id, command: .apply, result: deadline == nil ? .applied : .awaitingConfirm, host: plan.host,
                                             netns: options.netns, pool: plan.pool, file: file, fileSHA256: sha256, confirmBy: deadline,
                                             trigger: trigger, reason: reason))
            if let deadline {
                try markers.savePending(ApplyMarkers.Pending(id: id, host: plan.host, netns: options.netns, deadline: deadline, applying: false,
                                                             steps: plan.changes))
            } else {
                try markers.saveAccepted(content)
            }
            try markers.clearInFlight()
        } catch {
            throw undoUnrecorded(plan, engine: engine, cause: "the journal could not record the apply: \(error)")
        }
        return deadline
    }

    /// An apply failed after `begin`: record how it ended and take down the markers.
    func failed(_ failure: ApplyFailure) {
        record(result: failure.notRolledBack.isEmpty ? .failedRolledBack : .failedIncomplete, error: failure.cause,
               partlyApplied: failure.partlyApplied.map { JournalRecord.PartialStep(step: $0.change.line, reason: $0.error.description) })
    }

    /// An error other than a rolled-back failure after `begin` (a read that failed after the
    /// writes, say): what reached the host is unknown, so it is undone from a fresh read.
    func abandoned(_ error: Error, engine: Engine) -> Error {
        guard let plan, id != nil else { return error }
        return undoUnrecorded(plan, engine: engine, cause: "\(error)")
    }

    private func undoUnrecorded(_ plan: Plan, engine: Engine, cause: String) -> Error {
        var engine = engine
        engine.batchPause = nil
        let outcome: UndoOutcome
        do { outcome = try engine.undo(plan.changes, pool: plan.pool) } catch {
            record(result: .failedIncomplete, error: "\(cause); the undo could not start: \(error)")
            return HostLeftChanged(text: "apply failed: \(cause)\nthe undo could not start: \(error)\nthe host may hold changes of this apply; `poolnet history` lists its steps.\n")
        }
        record(result: outcome.isComplete ? .failedRolledBack : .failedIncomplete, error: cause)
        let text = "apply failed: \(cause)\n" + outcome.report(verb: "undid")
        if outcome.isComplete { return Failure.other(text.trimmingCharacters(in: .newlines)) }
        return HostLeftChanged(text: text)
    }

    private func record(result: JournalRecord.Outcome, error: String, partlyApplied: [JournalRecord.PartialStep] = []) {
        guard let id, let plan else { return }
        do {
            var outcome = JournalRecord(id: id, command: .apply, result: result, host: plan.host, netns: options.netns, pool: plan.pool,
                                        file: file, fileSHA256: sha256, error: error, trigger: trigger, reason: reason)
            outcome.partlyApplied = partlyApplied
            try journal.append(outcome)
            try markers.clearInFlight()
        } catch {
            warn("the journal could not record the failed apply (\(error)); its intent stays, so `poolnet history` shows it as interrupted")
        }
        _ = try? markers.disarm()
        try? markers.dropCandidate()
    }
}

/// An apply or revert that failed and could not put everything back: exit 3, with what is left.
struct HostLeftChanged: Error, CustomStringConvertible {
    var text: String
    var description: String { text.trimmingCharacters(in: .newlines) }
}

extension UndoOutcome {
    /// What was undone, for people; every line comes from the reads `undo` made.
    func report(verb: String) -> String {
        var text = ""
        if !undone.isEmpty { text += "\(verb) \(undone.count) step\(undone.count == 1 ? "" : "s") (a fresh read shows each undone)" }
        if !notInEffect.isEmpty {
            text += (text.isEmpty ? "" : "; ") + "\(notInEffect.count) step\(notInEffect.count == 1 ? " had" : "s had") not taken effect"
        }
        if text.isEmpty { text = "nothing to undo: a fresh read shows none of the steps in effect" }
        text += isComplete && unknown.isEmpty ? "; the host is as it was before that apply.\n" : ".\n"
        for step in unknown.prefix(20) { text += "  left as is (its object is gone, the read cannot tell): \(step.line)\n" }
        if unknown.count > 20 { text += "  … and \(unknown.count - 20) more left as is\n" }
        for step in failed { text += "  NOT undone: \(step.change.line): \(step.reason)\n" }
        return text
    }
}

/// Test hooks for fault injection, read from the environment. Never set in normal use.
enum FaultHooks {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    /// `POOLNET_TEST_FAIL_JOURNAL_OUTCOME=1`: the outcome record fails as on a full disk.
    static var failJournalOutcome: Bool { environment["POOLNET_TEST_FAIL_JOURNAL_OUTCOME"] == "1" }
    /// `POOLNET_TEST_KILL_AT_STEP=K`: the apply SIGKILLs itself before step K (0-based).
    static var killAtStep: Int? { environment["POOLNET_TEST_KILL_AT_STEP"].flatMap { Int($0) } }
    /// `POOLNET_TEST_BATCH_PAUSE=N:MS`: kernel batches of at most N requests, MS ms apart.
    static var batchPause: (requests: Int, milliseconds: UInt32)? {
        guard let text = environment["POOLNET_TEST_BATCH_PAUSE"] else { return nil }
        let parts = text.split(separator: ":")
        guard parts.count == 2, let n = Int(parts[0]), n > 0, let ms = UInt32(parts[1]) else { return nil }
        return (n, ms)
    }
}

func warn(_ text: String) {
    FileHandle.standardError.write(Data("poolnet: warning: \(text)\n".utf8))
}
