import ArgumentParser
import Engine
import Foundation
import Planner

/// Keeps the last `apply --confirm-within`: no revert will happen.
struct Confirm: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "confirm", abstract: "Keep the last apply made with --confirm-within (cancels its automatic revert).")
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let state = try options.state()
            let markers = ApplyMarkers(directory: state, scope: options.scope)
            // The revert helper takes the lock before it reverts: holding it, the record we read
            // is the truth, and the helper cannot start reverting under us.
            let lock = try ApplyLock(netns: options.netns, wait: 30)
            defer { withExtendedLifetime(lock) {} }
            let journal = Journal(directory: state)
            if let pending = markers.pending() {
                if pending.applying {
                    throw Failure.other("the apply \(pending.id) has not finished; confirm it once it has")
                }
                if Date() >= pending.deadlineDate {
                    throw Failure.other("too late: the confirm window of apply \(pending.id) closed at \(pending.deadline); it is being reverted")
                }
                try journal.append(JournalRecord(id: pending.id, command: .confirm, result: .confirmed, host: pending.host, netns: pending.netns))
                try markers.promoteCandidate()
                try markers.disarm()
                return report(ConfirmOutput(result: .confirmed, apply: pending.id, at: Timestamp.rfc3339(Date()),
                                            message: "confirmed: the apply \(pending.id) stays; the automatic revert is cancelled."))
            }
            let reading = try journal.read()
            reading.warnings.forEach(warn)
            let last = ApplyHistory.entries(reading.records).last { $0.netns == options.netns && $0.start.confirmBy != nil }
            if let last, let revert = last.completedRevert {
                let text = "the apply \(last.id) was reverted at \(Timestamp.rfc3339(revert.time))" +
                    (revert.reason.map { " (\($0))" } ?? "") + "; there is nothing to confirm. Apply the file again to make the change."
                if options.json { try emitJSON(ConfirmOutput(result: .reverted, apply: last.id, at: Timestamp.rfc3339(revert.time), message: text)) }
                throw Failure.other(text)
            }
            if let last, let confirmation = last.confirmation {
                return report(ConfirmOutput(result: .alreadyConfirmed, apply: last.id, at: Timestamp.rfc3339(confirmation.time),
                                            message: "the apply \(last.id) was already confirmed at \(Timestamp.rfc3339(confirmation.time))."))
            }
            return report(ConfirmOutput(result: .nothingToConfirm, apply: nil, at: nil,
                                        message: "nothing to confirm: no apply is waiting for confirmation (\(options.scope))."))
        }
    }

    private func report(_ output: ConfirmOutput) -> Int32 {
        if options.json { try? emitJSON(output) } else { emit(output.message + "\n") }
        return 0
    }
}

struct ConfirmOutput: Encodable {
    /// The `result` strings of the poolnet.confirm/v1 schema.
    enum Result: String, Encodable {
        case confirmed = "confirmed"
        case reverted = "reverted"
        case alreadyConfirmed = "already confirmed"
        case nothingToConfirm = "nothing to confirm"
    }

    var schema = "poolnet.confirm/v1"
    var result: Result
    var apply: String?
    var at: String?
    var message: String
}

/// Reverts the last apply on demand.
struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rollback", abstract: "Revert the last apply on this host (or namespace), from the journal; an apply that was interrupted midway is undone as far as it got.")
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let state = try options.state()
            let lock = try ApplyLock(netns: options.netns, wait: 30)
            defer { withExtendedLifetime(lock) {} }
            let journal = Journal(directory: state)
            let markers = ApplyMarkers(directory: state, scope: options.scope)
            let reading = try journal.read()
            reading.warnings.forEach(warn)
            guard let last = ApplyHistory.entries(reading.records).last(where: { $0.netns == options.netns && $0.changedHost }) else {
                throw Failure.other("nothing to roll back: the journal has no apply with changes for \(options.scope)")
            }
            if let revert = last.completedRevert {
                throw Failure.other("the last apply (\(last.id), \(Timestamp.rfc3339(last.start.time))) was already reverted at \(Timestamp.rfc3339(revert.time))")
            }
            if markers.pending()?.id == last.id { try markers.disarm() }
            var engine = options.engine()
            engine.batchPause = FaultHooks.batchPause
            let outcome = try engine.undo(last.start.steps, pool: last.start.pool)
            let interrupted = last.result == .interrupted
            try journal.append(JournalRecord(
                id: last.id, command: .revert, result: outcome.isComplete ? .reverted : .revertIncomplete, host: last.start.host,
                netns: last.netns, pool: last.start.pool, file: last.start.file, fileSHA256: last.start.fileSHA256,
                steps: outcome.undone.map(\.inverse),
                error: outcome.isComplete ? nil : outcome.failed.map { "\($0.change.line): \($0.reason)" }.joined(separator: "; "),
                reason: interrupted ? "undo of an interrupted apply" : nil))
            if markers.inFlight()?.id == last.id { try markers.clearInFlight() }
            try? markers.dropCandidate()
            let head = "rolled back the \(interrupted ? "interrupted " : "")apply \(last.id) of \(Timestamp.rfc3339(last.start.time)): "
            if options.json {
                try emitJSON(RollbackOutput(apply: last.id, interrupted: interrupted, complete: outcome.isComplete,
                                            undone: outcome.undone.map(\.line), notInEffect: outcome.notInEffect.map(\.line),
                                            unknown: outcome.unknown.map(\.line), failed: outcome.failed.map { RollbackOutput.Failed(step: $0.change.line, reason: $0.reason.description) }))
            } else {
                emit(head + outcome.report(verb: "undid"))
            }
            guard outcome.isComplete else { throw HostLeftChanged(text: "rollback incomplete:\n" + outcome.report(verb: "undid")) }
            return 0
        }
    }
}

struct RollbackOutput: Encodable {
    struct Failed: Encodable { var step: String; var reason: String }
    var schema = "poolnet.rollback/v1"
    var apply: String
    var interrupted: Bool
    var complete: Bool
    var undone: [String]
    var notInEffect: [String]
    var unknown: [String]
    var failed: [Failed]

    enum CodingKeys: String, CodingKey { case schema, apply, interrupted, complete, undone, notInEffect = "not_in_effect", unknown, failed }
}

/// Lists the journal.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "history", abstract: "List past applies, reverts and confirmations from the journal.")
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let state = try options.state()
            let reading = try Journal(directory: state).read()
            reading.warnings.forEach(warn)
            let entries = ApplyHistory.entries(reading.records)
            let running = Set([ApplyMarkers(directory: state, scope: options.scope).inFlight()?.id].compactMap { $0 })
                .filter { _ in ApplyLock.isHeld(netns: options.netns) }
            var rows: [HistoryOutput.Row] = []
            for entry in entries {
                var row = HistoryOutput.Row(entry.outcome ?? entry.start, id: entry.id, lines: entry.start.lines)
                row.result = running.contains(entry.id) ? "running" : entry.result.rawValue
                if let outcome = entry.outcome { row.error = outcome.error; row.confirmBy = outcome.confirmBy.map(Timestamp.rfc3339) }
                row.time = Timestamp.rfc3339(entry.start.time)
                rows.append(row)
                for event in (entry.reverts + [entry.confirmation].compactMap { $0 }).sorted(by: { $0.time < $1.time }) {
                    rows.append(HistoryOutput.Row(event, id: entry.id, lines: event.command == .revert ? event.lines : []))
                }
            }
            // Chronological, as the events happened (a revert comes after the applies before it).
            rows = rows.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.map(\.element)
            if options.json { try emitJSON(HistoryOutput(records: rows, warnings: reading.warnings)); return 0 }
            for r in rows {
                let target = r.netns.map { "netns \($0)" } ?? r.host
                var line = "\(r.time)  \(r.user)  \(target)  \(r.command)  \(r.result)"
                if !r.changes.isEmpty { line += "  \(r.changes.count) change\(r.changes.count == 1 ? "" : "s")" }
                if let hash = r.fileSHA256 { line += "  \(r.file ?? "") sha256:\(hash.prefix(12))" }
                if let trigger = r.trigger { line += "  at \(trigger)" }
                if let reason = r.reason { line += "  (\(reason))" }
                if let e = r.error { line += "  error: \(e.split(separator: "\n").first ?? "")" }
                emit(line + "\n")
            }
            return 0
        }
    }
}

struct HistoryOutput: Encodable {
    var schema = "poolnet.history/v1"
    var records: [Row]
    var warnings: [String]

    struct Row: Encodable {
        var id: String
        var time: String
        var user: String
        var host: String
        var netns: String?
        var pool: String?
        var command: String
        var result: String
        var trigger: String?
        var reason: String?
        var file: String?
        var fileSHA256: String?
        var changes: [String]
        var error: String?
        var confirmBy: String?

        enum CodingKeys: String, CodingKey {
            case id, time, user, host, netns, pool, command, result, trigger, reason, file, fileSHA256 = "file_sha256", changes, error
            case confirmBy = "confirm_by"
        }

        init(_ r: JournalRecord, id: String, lines: [String]) {
            self.id = id
            time = Timestamp.rfc3339(r.time)
            user = r.user
            host = r.host
            netns = r.netns
            pool = r.pool
            command = r.command.rawValue
            result = r.result.rawValue
            trigger = r.trigger?.rawValue
            reason = r.reason
            file = r.file
            fileSHA256 = r.fileSHA256
            changes = lines
            error = r.error
            confirmBy = r.confirmBy.map(Timestamp.rfc3339)
        }
    }
}
