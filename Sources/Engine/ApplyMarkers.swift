import Foundation
import SystemCalls
import Storage
import Planner

/// The small files beside the journal that say what is under way for one namespace (`scope`:
/// `host` or `netns-NAME`): an apply in flight, and an apply waiting for `poolnet confirm`.
/// Both are written whole and durable (rename, fsync) before the first change they cover.
public struct ApplyMarkers: Sendable {
    public let directory: StateDirectory
    public let scope: String

    public init(directory: StateDirectory, scope: String) {
        self.directory = directory
        self.scope = scope
    }

    /// Written before the first change of an apply, removed once its outcome is journaled. Found
    /// while no apply holds the lock, it means an apply died midway.
    public struct InFlight: Codable, Sendable {
        public var v = 1
        public var id: String
        public var pid: Int32
        public var started: String

        public init(id: String) {
            self.id = id
            pid = Syscall.processID
            started = Timestamp.rfc3339(Date())
        }
    }

    /// Confirm-or-revert: the revert helper reverts `id` at `deadline` unless `poolnet confirm`
    /// removed this first. `applying`: the apply is still running (the helper then waits for it,
    /// and reverts at once if it dies).
    public struct Pending: Codable, Sendable {
        public var v = 1
        public var id: String
        public var host: String
        public var netns: String?
        public var deadline: String
        public var applying: Bool
        /// The apply's steps, for when the journal cannot be read at the deadline.
        public var steps: [Change]

        public init(id: String, host: String, netns: String?, deadline: Date, applying: Bool, steps: [Change]) {
            self.id = id
            self.host = host
            self.netns = netns
            self.deadline = Timestamp.rfc3339(deadline)
            self.applying = applying
            self.steps = steps
        }

        public var deadlineDate: Date { Timestamp.parse(deadline) ?? .distantPast }
    }

    var inFlightName: String { "applying-\(scope).json" }
    var pendingName: String { "pending-\(scope).json" }
    /// The file content of an apply waiting for confirmation; it becomes the accepted file.
    var candidateName: String { "candidate-\(scope).yaml" }
    /// The content of the last accepted file (applied without a window, or confirmed): what
    /// `apply --at-boot` applies when the file in place was reverted.
    public var acceptedName: String { "accepted-\(scope).yaml" }

    public func inFlight() -> InFlight? { load(inFlightName) }
    public func markInFlight(_ marker: InFlight) throws { try save(marker, inFlightName) }
    public func clearInFlight() throws { try directory.remove(inFlightName) }

    public func pending() -> Pending? { load(pendingName) }
    public func savePending(_ pending: Pending) throws { try save(pending, pendingName) }
    /// Removes the pending record; true when there was one.
    @discardableResult
    public func disarm() throws -> Bool {
        guard directory.exists(pendingName) else { return false }
        try directory.remove(pendingName)
        return true
    }

    public func saveCandidate(_ content: [UInt8]) throws { try directory.replace(candidateName, with: content) }

    /// The waiting apply was confirmed: its file becomes the accepted one.
    public func promoteCandidate() throws {
        if directory.exists(candidateName) { try directory.move(candidateName, to: acceptedName) }
    }

    public func saveAccepted(_ content: [UInt8]) throws { try directory.replace(acceptedName, with: content) }
    public func dropCandidate() throws { try directory.remove(candidateName) }

    private func load<T: Decodable>(_ name: String) -> T? {
        guard let data = try? directory.read(name) else { return nil }
        return try? JSONDecoder().decode(T.self, from: data)
    }

    private func save<T: Encodable>(_ value: T, _ name: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        try directory.replace(name, with: Array(try encoder.encode(value)))
    }
}
