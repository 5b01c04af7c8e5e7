import Foundation
import Planner

/// An apply as the journal tells it: its intent, its outcome, and what happened to it since.
public struct ApplyEntry: Sendable {
    /// The intent (or, for first-format journals, the one apply record).
    public var start: JournalRecord
    /// The outcome; nil when the journal has none: the apply died midway (or is running now).
    public var outcome: JournalRecord?
    public var reverts: [JournalRecord] = []
    public var confirmation: JournalRecord?

    public var id: String { start.id }
    public var netns: String? { start.netns }
    public var result: JournalRecord.Outcome { outcome?.result ?? .interrupted }

    /// Whether the apply may have left changes on the host that a rollback would undo.
    public var changedHost: Bool {
        switch result {
        case .applied, .awaitingConfirm, .interrupted, .failedIncomplete: return !start.steps.isEmpty
        default: return false
        }
    }

    /// The last revert that went through, if any.
    public var completedRevert: JournalRecord? {
        reverts.last { $0.result == .reverted || $0.result == .revertedUnconfirmed }
    }

    /// Kept: applied without a confirm window, or confirmed, and not reverted since.
    public var isAccepted: Bool {
        guard completedRevert == nil else { return false }
        return result == .applied || (result == .awaitingConfirm && confirmation != nil)
    }
}

public enum ApplyHistory {
    /// Groups records into applies, oldest first. First-format records have no ids: a revert or a
    /// confirmation there belongs to the latest apply of the same namespace before it.
    public static func entries(_ records: [JournalRecord]) -> [ApplyEntry] {
        var entries: [ApplyEntry] = []
        var position: [String: Int] = [:]
        // First-format reverts undid the last apply with changes; confirmations kept the last one waiting.
        func latest(for record: JournalRecord) -> Int? {
            entries.lastIndex { $0.netns == record.netns && (record.command == .confirm ? $0.result == .awaitingConfirm : $0.changedHost) }
        }
        for record in records {
            let target = record.format == 1 && record.command != .apply ? latest(for: record) : position[record.id]
            switch record.command {
            case .apply:
                if record.result == .started, let target {
                    entries[target].start.steps += record.steps  // a second round of the same apply
                } else if record.result == .started || record.format == 1 || target == nil {
                    var entry = ApplyEntry(start: record)
                    if record.result != .started { entry.outcome = record }
                    position[record.id] = entries.count
                    entries.append(entry)
                } else if let target {
                    entries[target].outcome = record
                }
            case .revert:
                if let target { entries[target].reverts.append(record) }
            case .confirm:
                if let target { entries[target].confirmation = record }
            }
        }
        return entries
    }
}
