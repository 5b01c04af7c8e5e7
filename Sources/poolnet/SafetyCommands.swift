import ArgumentParser
import Engine
import Foundation
import Planner

/// Keeps the last `apply --confirm-within`: no revert will happen.
struct Confirm: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Keep the last apply made with --confirm-within (cancels its automatic revert).")
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let pending = PendingRevert(directory: options.stateDirectory, scope: options.scope)
            guard let record = pending.load(), pending.disarm() else {
                emit("nothing to confirm: no apply is waiting for confirmation (\(options.scope)).\n")
                return 0
            }
            try Journal(directory: options.stateDirectory).append(JournalRecord(
                command: "confirm", host: record.host, netns: record.netns, file: nil, result: "confirmed", changes: []))
            emit("confirmed: the apply stays; the automatic revert is cancelled.\n")
            return 0
        }
    }
}

/// Reverts the last apply on demand.
struct Rollback: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Revert the last apply on this host (or namespace), from the journal.")
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let lock = try ApplyLock(stateDirectory: options.stateDirectory, scope: options.scope, wait: 30)
            defer { withExtendedLifetime(lock) {} }
            let journal = Journal(directory: options.stateDirectory)
            guard let last = try journal.records().last(where: { $0.netns == options.netns && $0.command == "apply" && !$0.revert.isEmpty }) else {
                throw Failure.other("nothing to roll back: the journal has no apply with changes for \(options.scope)")
            }
            if try journal.records().contains(where: { $0.netns == options.netns && $0.command == "revert" && $0.time >= last.time }) {
                throw Failure.other("the last apply (\(last.time)) was already reverted")
            }
            _ = PendingRevert(directory: options.stateDirectory, scope: options.scope).disarm()
            let failed = try options.engine().revert(last.revert)
            try journal.append(JournalRecord(command: "revert", host: last.host, netns: last.netns, file: last.file,
                                             result: failed.isEmpty ? "reverted" : "revert incomplete",
                                             changes: last.revert.map(\.line), error: failed.isEmpty ? nil : failed.map { "\($0.0.line): \($0.1)" }.joined(separator: "; ")))
            guard failed.isEmpty else { throw Failure.other("rollback incomplete:\n" + failed.map { "  NOT undone: \($0.0.line): \($0.1)\n" }.joined()) }
            emit("reverted the apply of \(last.time) (\(last.revert.count) step\(last.revert.count == 1 ? "" : "s")).\n")
            return 0
        }
    }
}

/// Lists the journal.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List past applies, reverts and confirmations from the journal.")
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let records = try Journal(directory: options.stateDirectory).records()
            if options.json { try emitJSON(records); return 0 }
            let formatter = ISO8601DateFormatter()
            for r in records {
                let target = r.netns.map { "netns \($0)" } ?? r.host
                var line = "\(formatter.string(from: r.time))  \(r.user)  \(target)  \(r.command)  \(r.result)"
                if !r.changes.isEmpty { line += "  \(r.changes.count) change\(r.changes.count == 1 ? "" : "s")" }
                if let hash = r.fileSHA256 { line += "  \(r.file ?? "") sha256:\(hash.prefix(12))" }
                if let e = r.error { line += "  error: \(e.split(separator: "\n").first ?? "")" }
                emit(line + "\n")
            }
            return 0
        }
    }
}

/// The detached helper behind --confirm-within (not for direct use).
struct RevertPending: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "revert-pending", abstract: "Internal: wait for confirm or revert.", shouldDisplay: false)
    @Option var stateDir: String
    @Option var scope: String
    @Option var netns: String?

    func run() throws {
        let pending = PendingRevert(directory: stateDir, scope: scope)
        guard let record = pending.load() else { return }
        while Date() < record.deadline {
            guard pending.load()?.deadline == record.deadline else { return }  // confirmed or replaced
            usleep(200_000)
        }
        let lock = try ApplyLock(stateDirectory: stateDir, scope: scope, wait: 60)
        defer { withExtendedLifetime(lock) {} }
        guard pending.load()?.deadline == record.deadline, pending.disarm() else { return }
        var engine = Engine(netns: netns)
        engine.storageRoots.ownership = "\(stateDir)/owned.json"  // storage undo steps keep the record current
        let failed = (try? engine.revert(record.revert)) ?? record.revert.map { ($0, "revert could not start") }
        try Journal(directory: stateDir).append(JournalRecord(
            command: "revert", host: record.host, netns: record.netns, file: nil,
            result: failed.isEmpty ? "reverted (not confirmed in time)" : "revert incomplete", changes: record.revert.map(\.line),
            error: failed.isEmpty ? nil : failed.map { "\($0.0.line): \($0.1)" }.joined(separator: "; ")))
    }
}
