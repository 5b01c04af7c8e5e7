import Foundation
import Planner

/// One line of the journal: what an apply (or a revert) did. No secrets: the plan lines and the
/// steps that revert it, never file contents.
public struct JournalRecord: Codable, Sendable {
    public var time: Date
    public var user: String
    public var host: String
    public var netns: String?
    public var command: String
    public var file: String?
    public var fileSHA256: String?
    /// applied, no-op, failed, reverted, revert-failed, confirmed
    public var result: String
    public var changes: [String]
    public var error: String?
    /// The steps that take the host back to the state before this record's apply.
    public var revert: [Change]
    /// For confirm-or-revert: the deadline by which `poolnet confirm` must run.
    public var confirmBy: Date?

    enum CodingKeys: String, CodingKey {
        case time, user, host, netns, command, file, fileSHA256 = "file_sha256", result, changes, error, revert, confirmBy = "confirm_by"
    }

    public init(command: String, host: String, netns: String?, file: String?, result: String, changes: [String],
                error: String? = nil, revert: [Change] = [], confirmBy: Date? = nil) {
        time = Date()
        user = ProcessInfo.processInfo.environment["SUDO_USER"] ?? ProcessInfo.processInfo.environment["USER"] ?? String(getuid())
        self.host = host
        self.netns = netns
        self.command = command
        self.file = file
        fileSHA256 = file.flatMap { FileManager.default.contents(atPath: $0) }.map { SHA256.hex(Array($0)) }
        self.result = result
        self.changes = changes
        self.error = error
        self.revert = revert
        self.confirmBy = confirmBy
    }
}

/// Appends records to `<state dir>/journal.jsonl` and reads them back. When a line would take the
/// file past `rotateAtBytes`, the file becomes `journal.jsonl.1` (replacing the one before) and a
/// new one starts: one apply of thousands of links writes a large line, and a journal that only
/// grows fills /var on a host that is applied to from cron. Reading covers both generations.
public struct Journal: Sendable {
    public var directory: String
    public var rotateAtBytes: Int
    public var path: String { "\(directory)/journal.jsonl" }
    public var previousPath: String { path + ".1" }

    public init(directory: String, rotateAtBytes: Int = 16 << 20) {
        self.directory = directory
        self.rotateAtBytes = rotateAtBytes
    }

    public func append(_ record: JournalRecord) throws {
        try append(line: try StreamingJSONEncoder().encode(record))
    }

    /// Appends a record encoded beforehand (see `JournalLineInAdvance`).
    public func append(line encoded: [UInt8]) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        var line = encoded
        line.append(0x0A)
        var info = stat()
        if stat(path, &info) == 0, info.st_size > 0, Int(info.st_size) + line.count > rotateAtBytes {
            // rename is atomic: a writer that opened the file before appends to the old generation.
            guard rename(path, previousPath) == 0 else {
                throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: previousPath])
            }
        }
        let fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw CocoaError(.fileWriteNoPermission, userInfo: [NSFilePathErrorKey: path]) }
        defer { close(fd) }
        _ = line.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }  // one write: lines never interleave
    }

    /// Every record, oldest first, from the previous generation and the current file.
    public func records() throws -> [JournalRecord] {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        var records: [JournalRecord] = []
        for file in [previousPath, path] {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            records += try data.split(separator: 0x0A).map { try decoder.decode(JournalRecord.self, from: Data($0)) }
        }
        return records
    }
}

/// Encodes an apply's journal record on another thread while the apply runs: at thousands of
/// steps the encoding took a tenth of a create-from-scratch. `line(for:)` hands it over only if
/// the applied plan is the one it was made from (a second round of multipath maps adds steps).
public final class JournalLineInAdvance: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var started = false
    private var stepCount = 0
    private var encoded: [UInt8]?

    public init() {}

    /// Starts encoding `record`, made for a plan of `steps` steps. Called once at most.
    public func start(_ record: @escaping @Sendable () -> JournalRecord, steps: Int) {
        started = true
        stepCount = steps
        Thread.detachNewThread { [self] in
            encoded = try? StreamingJSONEncoder().encode(record())
            done.signal()
        }
    }

    /// The encoded line, once ready; nil when it was never started, failed, or is for another plan.
    public func line(for plan: Plan) -> [UInt8]? {
        guard started else { return nil }
        done.wait()
        return plan.changes.count == stepCount ? encoded : nil
    }
}
