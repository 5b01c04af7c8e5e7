import ArgumentParser
import Engine
import Foundation
import Storage
import Planner
import SystemCalls

/// Confirm-or-revert: an apply with a window leaves `pending-<scope>.json` and a detached helper
/// (its own session, so it outlives the SSH session and the launching process). Both exist before
/// the apply's first change. The helper reverts at the deadline unless `poolnet confirm` removed
/// the record first, and at once if the apply dies before it finishes.
enum RevertHelper {
    /// Detached (its own session, /dev/null for stdio): no terminal, no shared session.
    static func spawn(stateDirectory: String, scope: String, netns: String?) throws {
        var args = ["revert-pending", "--state-dir", stateDirectory, "--scope", scope]
        if let netns { args += ["--netns", netns] }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        // Nothing else is inherited: a pipe the caller waits on must not stay open in the helper,
        // and the apply's lock must be released when the apply ends.
        do { try Subprocess.detach(executable, [executable] + args) } catch {
            throw Failure.other("cannot start the revert helper: \(error.text)")
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
        let state = try StateDirectory(stateDir)
        let markers = ApplyMarkers(directory: state, scope: scope)
        guard let first = markers.pending() else { return }
        var reason: String?  // the result says "not confirmed in time"
        while true {
            guard let pending = markers.pending(), pending.id == first.id else { return }  // confirmed, failed or replaced
            if pending.applying {
                // The apply holds the lock while it runs: a free lock with the record still
                // "applying" means it died midway. Read the record again: it may have just finished.
                if !ApplyLock.isHeld(netns: netns), let again = markers.pending(), again.id == first.id, again.applying {
                    reason = "the apply was interrupted before it finished"
                    break
                }
            } else if Date() >= pending.deadlineDate {
                break
            }
            Syscall.sleep(0.05)
        }
        let lock = try ApplyLock(netns: netns, wait: 600)
        defer { withExtendedLifetime(lock) {} }
        // `confirm` takes the lock too: if it won, the record is gone and nothing is reverted.
        guard let pending = markers.pending(), pending.id == first.id else { return }
        if !pending.applying && Date() < pending.deadlineDate { return }
        let journal = Journal(directory: state)
        let entry = ApplyHistory.entries((try? journal.read().records) ?? []).last { $0.id == pending.id }
        let steps = entry?.start.steps ?? pending.steps
        var engine = Engine(netns: netns)
        engine.storageRoots.ownership = state.file("owned.json")  // storage undo steps keep the record current
        let outcome = (try? engine.undo(steps, pool: entry?.start.pool)) ?? UndoOutcome(failed: steps.map { NotUndone($0, .notStarted) })
        try? journal.append(JournalRecord(
            id: pending.id, command: .revert, result: outcome.isComplete ? .revertedUnconfirmed : .revertIncomplete,
            host: pending.host, netns: pending.netns, steps: outcome.undone.map(\.inverse),
            error: outcome.isComplete ? nil : outcome.failed.map { "\($0.change.line): \($0.reason)" }.joined(separator: "; "), reason: reason))
        try? markers.clearInFlight()
        try? markers.dropCandidate()
        try markers.disarm()
    }
}
