import Foundation

/// A value the journal writes as a fixed string. The raw values are the wire format: lines already
/// on disk hold them, so a case may be renamed but its string never changes (JournalTests pins
/// every one). A string this poolnet does not know makes the line unreadable with the reason
/// (`Journal.read` skips it with a FILE:LINE warning), never a guess.
public protocol JournalWireValue: RawRepresentable<String>, CaseIterable, Sendable, Equatable {}

extension JournalRecord {
    public enum Command: String, JournalWireValue {
        case apply = "apply"
        case revert = "revert"
        case confirm = "confirm"
    }

    public enum Outcome: String, JournalWireValue {
        /// The write-ahead intent: the apply is about to change the host.
        case started = "started"
        case applied = "applied"
        case awaitingConfirm = "applied, awaiting confirm"
        case noOp = "no-op"
        case failedRolledBack = "failed, rolled back"
        case failedIncomplete = "failed, rollback incomplete"
        case reverted = "reverted"
        case revertedUnconfirmed = "reverted (not confirmed in time)"
        case revertIncomplete = "revert incomplete"
        case confirmed = "confirmed"
        /// Written by readers for an intent with no outcome: the apply died midway.
        case interrupted = "interrupted"
    }

    /// What started an apply when it was not a person.
    public enum Trigger: String, JournalWireValue {
        /// `apply --at-boot`, from the apply-at-boot unit.
        case boot = "boot"
    }
}

extension KeyedDecodingContainer {
    /// A journal value by its wire string; an unknown one is an error naming the field, the value
    /// and the values this poolnet knows.
    func decodeWire<Value: JournalWireValue>(_ type: Value.Type, forKey key: Key) throws -> Value {
        let text = try decode(String.self, forKey: key)
        guard let value = Value(rawValue: text) else {
            let known = Value.allCases.map { "\"\($0.rawValue)\"" }.joined(separator: ", ")
            throw DecodingError.dataCorruptedError(forKey: key, in: self,
                                                   debugDescription: "unknown \(key.stringValue) \"\(text)\"; this poolnet knows \(known)")
        }
        return value
    }

    func decodeWireIfPresent<Value: JournalWireValue>(_ type: Value.Type, forKey key: Key) throws -> Value? {
        try contains(key) && !decodeNil(forKey: key) ? decodeWire(type, forKey: key) : nil
    }
}
