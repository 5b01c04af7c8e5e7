import ArgumentParser
import Engine
import Foundation
import Storage
import Planner

/// Confirm-or-revert: an apply with a window leaves `pending-<scope>.json` and a detached helper
/// (its own session, so it outlives the SSH session and the launching process). Both exist before
/// the apply's first change. The helper reverts at the deadline unless `poolnet confirm` removed
/// the record first, and at once if the apply dies before it finishes.
enum RevertHelper {
    /// posix_spawn with POSIX_SPAWN_SETSID and /dev/null for stdio: no terminal, no shared session.
    static func spawn(stateDirectory: String, scope: String, netns: String?) throws {
        var args = ["revert-pending", "--state-dir", stateDirectory, "--scope", scope]
        if let netns { args += ["--netns", netns] }
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        posix_spawnattr_setflags(&attributes, Int16(0x80))  // POSIX_SPAWN_SETSID
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for fd: Int32 in [0, 1, 2] { posix_spawn_file_actions_addopen(&actions, fd, "/dev/null", fd == 0 ? O_RDONLY : O_WRONLY, 0) }
        // Nothing else is inherited: a pipe the caller waits on must not stay open in the helper,
        // and the apply's lock must be released when the apply ends.
        let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd"))?.compactMap { Int32($0) } ?? []
        for fd in open where fd > 2 && fcntl(fd, F_GETFD) >= 0 { posix_spawn_file_actions_addclose(&actions, fd) }
        let argv = ([executable] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard rc == 0 else { throw Failure.other("cannot start the revert helper: \(String(cString: strerror(rc)))") }
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
            usleep(50_000)
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
        let outcome = (try? engine.undo(steps, pool: entry?.start.pool)) ?? UndoOutcome(failed: steps.map { ($0, "the undo could not start") })
        try? journal.append(JournalRecord(
            id: pending.id, command: .revert, result: outcome.isComplete ? .revertedUnconfirmed : .revertIncomplete,
            host: pending.host, netns: pending.netns, steps: outcome.undone.map(\.inverse),
            error: outcome.isComplete ? nil : outcome.failed.map { "\($0.0.line): \($0.1)" }.joined(separator: "; "), reason: reason))
        try? markers.clearInFlight()
        try? markers.dropCandidate()
        try markers.disarm()
    }
}
