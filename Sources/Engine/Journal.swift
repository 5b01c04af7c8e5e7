import Foundation
import SystemCalls
import Storage
import Planner

/// One line of the journal. An apply writes two: its intent (`started`, with every step it is
/// about to take, durable before the first change) and its outcome (same `id`). A revert or a
/// confirmation refers to the apply by `id`. No secrets: steps and hashes, never file contents.
///
/// The wire format is explicit and versioned (`"v": 2`); lines of the first format (no `v`,
/// `revert` steps in the synthesized shape) still read.
public struct JournalRecord: Sendable, Equatable {
    public static let version = 2
    // Command, Outcome and Trigger, with their wire strings: JournalValues.swift.

    /// The apply this record belongs to.
    public var id: String
    public var time: Date
    public var user: String
    public var host: String
    public var netns: String?
    public var pool: String?
    public var command: Command
    public var result: Outcome
    /// What started the apply when it was not a person.
    public var trigger: Trigger?
    /// Why, when the result alone does not say (a boot apply of the accepted file, say).
    public var reason: String?
    public var file: String?
    public var fileSHA256: String?
    /// An apply intent: the planned steps, in order. A revert: the undo steps it ran.
    public var steps: [Change]
    /// The plan lines (first-format records store them; otherwise they come from `steps`).
    public var storedLines: [String]?
    /// Undo steps as first-format records stored them (otherwise computed from `steps`).
    var storedRevert: [Change]?
    public var error: String?
    /// A failed apply: the steps of which only part took effect before it stopped, with why
    /// (undone with the rest by its rollback).
    public var partlyApplied: [PartialStep] = []
    /// For confirm-or-revert: the deadline by which `poolnet confirm` must run.
    public var confirmBy: Date?
    /// The wire format the record was read in (`version` for records made here). First-format
    /// records have no ids: `ApplyHistory` places their reverts and confirmations by namespace.
    public internal(set) var format = JournalRecord.version

    public init(id: String = JournalRecord.newID(), command: Command, result: Outcome, host: String, netns: String?,
                pool: String? = nil, file: String? = nil, fileSHA256: String? = nil, steps: [Change] = [],
                error: String? = nil, confirmBy: Date? = nil, trigger: Trigger? = nil, reason: String? = nil, time: Date = Date()) {
        self.id = id
        self.time = time
        let env = ProcessInfo.processInfo.environment
        user = env["SUDO_USER"] ?? env["USER"] ?? env["LOGNAME"] ?? Self.userName()
        self.host = host
        self.netns = netns
        self.pool = pool
        self.command = command
        self.result = result
        self.file = file
        self.fileSHA256 = fileSHA256 ?? file.flatMap { FileManager.default.contents(atPath: $0) }.map { SHA256.hex(Array($0)) }
        self.steps = steps
        self.error = error
        self.confirmBy = confirmBy
        self.trigger = trigger
        self.reason = reason
    }

    /// Plan lines for people.
    public var lines: [String] { storedLines ?? steps.map(\.line) }
    /// The steps that take the host back to where it was before this record's apply.
    public var revert: [Change] { storedRevert ?? steps.reversed().map(\.inverse) }

    public static func newID() -> String {
        var bytes = [UInt8](repeating: 0, count: 6)
        for i in bytes.indices { bytes[i] = UInt8.random(in: 0...255) }
        return Timestamp.compact(Date()) + "-" + bytes.map { String(format: "%02x", $0) }.joined()
    }

    static func userName() -> String {
        Syscall.userName(Syscall.effectiveUserID) ?? String(Syscall.effectiveUserID)
    }
}

extension JournalRecord: Codable {
    enum Key: String, CodingKey {
        case v, id, time, user, host, netns, pool, command, result, trigger, reason, file
        case fileSHA256 = "file_sha256", steps, changes, error, partlyApplied = "partly_applied", revert, confirmBy = "confirm_by"
    }

    /// One entry of `partly_applied`: the step's plan line and why only part of it took effect.
    public struct PartialStep: Codable, Sendable, Equatable {
        public var step: String
        public var reason: String
        public init(step: String, reason: String) { self.step = step; self.reason = reason }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: Key.self)
        try c.encode(Self.version, forKey: .v)
        try c.encode(id, forKey: .id)
        try c.encode(Timestamp.rfc3339(time), forKey: .time)
        try c.encode(user, forKey: .user)
        try c.encode(host, forKey: .host)
        try c.encodeIfPresent(netns, forKey: .netns)
        try c.encodeIfPresent(pool, forKey: .pool)
        try c.encode(command.rawValue, forKey: .command)
        try c.encode(result.rawValue, forKey: .result)
        try c.encodeIfPresent(trigger?.rawValue, forKey: .trigger)
        try c.encodeIfPresent(reason, forKey: .reason)
        try c.encodeIfPresent(file, forKey: .file)
        try c.encodeIfPresent(fileSHA256, forKey: .fileSHA256)
        if !steps.isEmpty { try c.encode(steps, forKey: .steps) }
        try c.encodeIfPresent(error, forKey: .error)
        if !partlyApplied.isEmpty { try c.encode(partlyApplied, forKey: .partlyApplied) }
        try c.encodeIfPresent(confirmBy.map(Timestamp.rfc3339), forKey: .confirmBy)
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: Key.self)
        let version = try c.decodeIfPresent(Int.self, forKey: .v) ?? 1
        guard version <= Self.version else {
            throw DecodingError.dataCorruptedError(forKey: .v, in: c, debugDescription: "journal record version \(version) is newer than this poolnet reads (\(Self.version))")
        }
        func date(_ key: Key) throws -> Date? {
            guard let text = try c.decodeIfPresent(String.self, forKey: key) else { return nil }
            guard let date = Timestamp.parse(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: c, debugDescription: "not an RFC 3339 time: \(text)")
            }
            return date
        }
        time = try date(.time) ?? Date(timeIntervalSince1970: 0)
        user = try c.decode(String.self, forKey: .user)
        host = try c.decode(String.self, forKey: .host)
        netns = try c.decodeIfPresent(String.self, forKey: .netns)
        pool = try c.decodeIfPresent(String.self, forKey: .pool)
        format = version
        command = try c.decodeWire(Command.self, forKey: .command)
        result = try c.decodeWire(Outcome.self, forKey: .result)
        // Informational (what started the run): a later release's trigger must not cost the line
        // its steps, which rollback needs, so an unknown one reads as none.
        trigger = (try? c.decodeWireIfPresent(Trigger.self, forKey: .trigger)) ?? nil
        reason = try c.decodeIfPresent(String.self, forKey: .reason)
        file = try c.decodeIfPresent(String.self, forKey: .file)
        fileSHA256 = try c.decodeIfPresent(String.self, forKey: .fileSHA256)
        error = try c.decodeIfPresent(String.self, forKey: .error)
        // Informational, like `trigger`: a value this release cannot read must not cost the line its steps.
        partlyApplied = ((try? c.decodeIfPresent([PartialStep].self, forKey: .partlyApplied)) ?? nil) ?? []
        confirmBy = try date(.confirmBy)
        if version == 1 {
            // First format: one record per event, no id; the plan as lines, the undo as steps.
            id = "v1-" + Timestamp.compact(time)
            storedLines = try c.decodeIfPresent([String].self, forKey: .changes) ?? []
            let revert = try c.decodeIfPresent([Change].self, forKey: .revert) ?? []
            storedRevert = revert
            steps = command == .apply ? revert.reversed().map(\.inverse) : revert
        } else {
            id = try c.decode(String.self, forKey: .id)
            steps = try c.decodeIfPresent([Change].self, forKey: .steps) ?? []
        }
    }
}

/// Times as RFC 3339 in UTC with milliseconds: a confirm deadline must keep its fractions.
public enum Timestamp {
    public static func rfc3339(_ date: Date) -> String {
        let millis = Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
        var seconds = time_t(millis / 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, Int32(millis % 1000))
    }

    /// `20261201T210152Z`, for ids.
    static func compact(_ date: Date) -> String {
        rfc3339(date).prefix(19).filter { $0 != "-" && $0 != ":" } + "Z"
    }

    /// RFC 3339 with or without fractions (UTC `Z` or an offset).
    public static func parse(_ text: String) -> Date? {
        let plain = ISO8601DateFormatter()
        if let date = plain.date(from: text) { return date }
        let fractional = ISO8601DateFormatter()
        fractional.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return fractional.date(from: text)
    }
}

/// `<state dir>/journal.jsonl`: one record per line, appended with checked, fsync'd writes. When a
/// line would take the file past `rotateAtBytes`, it becomes `journal.jsonl.1` (replacing the one
/// before) and a new file starts; reading covers both generations.
public struct Journal: Sendable {
    public var directory: StateDirectory
    public var rotateAtBytes: Int
    public static let name = "journal.jsonl"
    public static let previousName = "journal.jsonl.1"
    public var path: String { directory.file(Self.name) }

    public init(directory: StateDirectory, rotateAtBytes: Int = 16 << 20) {
        self.directory = directory
        self.rotateAtBytes = rotateAtBytes
    }

    public func append(_ record: JournalRecord) throws {
        try append(line: try StreamingJSONEncoder().encode(record))
    }

    /// Appends a record encoded beforehand; durable when this returns.
    public func append(line encoded: [UInt8]) throws {
        var line = encoded
        line.append(0x0A)
        if let info = try? Syscall.linkStatus(path), info.size > 0, info.size + line.count > rotateAtBytes {
            // rename is atomic: a writer that opened the file before appends to the old generation.
            try directory.move(Self.name, to: Self.previousName)
        }
        try directory.append(Self.name, line)
    }

    /// What was read: the records, oldest first, and one warning per line that could not be read
    /// (a corrupt or partial line hides nothing else).
    public struct Reading: Sendable {
        public var records: [JournalRecord] = []
        public var warnings: [String] = []
    }

    public func read() throws -> Reading {
        let decoder = JSONDecoder()
        var reading = Reading()
        for name in [Self.previousName, Self.name] {
            guard let data = try directory.read(name) else { continue }
            var lineNumber = 0
            for line in data.split(separator: 0x0A, omittingEmptySubsequences: false) {
                lineNumber += 1
                if line.allSatisfy({ $0 == 0x20 || $0 == 0x0D }) { continue }
                do {
                    reading.records.append(try decoder.decode(JournalRecord.self, from: Data(line)))
                } catch {
                    reading.warnings.append("\(directory.file(name)):\(lineNumber): skipped a record that cannot be read (\(Self.reason(error)))")
                }
            }
        }
        return reading
    }

    static func reason(_ error: Error) -> String {
        switch error {
        case DecodingError.dataCorrupted(let c): return c.debugDescription
        case DecodingError.keyNotFound(let key, _): return "no \"\(key.stringValue)\""
        case DecodingError.typeMismatch(_, let c), DecodingError.valueNotFound(_, let c):
            return "unexpected value at \(c.codingPath.map(\.stringValue).joined(separator: "."))"
        default: return "\(error)"
        }
    }
}
