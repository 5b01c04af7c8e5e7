import HostState

/// Something the planner cannot turn into a change (a declared NIC that is absent, a name taken by
/// a device of another kind). `plan`/`apply` refuse to go on; `check` reports it as drift.
public struct PlanProblem: Hashable, Codable, Sendable, CustomStringConvertible {
    public var object: String
    public var message: String

    public init(object: String, message: String) {
        self.object = object
        self.message = message
    }

    public var description: String { "\(object): \(message)" }
}

/// The ordered changes that take one host from its current state to the file's.
public struct Plan: Codable, Sendable, Equatable {
    public var pool: String
    public var host: String
    public var changes: [Change]
    public var problems: [PlanProblem]
    /// Storage path health (carrier, portal reachability, jumbo frames, active paths per LUN):
    /// not changes, but `check` fails on them and `plan` shows them.
    public var health: [PlanProblem] = []
    /// Devices another network manager claims, and what the plan does about each.
    public var foreign: [ForeignFinding] = []
    /// Declared objects that exist as described without poolnet's mark (see `Planner.unowned`),
    /// found by the same planning pass; empty with adopt. What `plan` notes for the operator: not
    /// part of the plan's JSON, nor of its equality (a plan read back from the journal has none).
    public var unowned: [UnownedObject] {
        get { unownedFound.value }
        set { unownedFound = ReadAlong(newValue) }
    }
    var unownedFound = ReadAlong([UnownedObject]())

    public init(pool: String, host: String, changes: [Change] = [], problems: [PlanProblem] = []) {
        self.pool = pool
        self.host = host
        self.changes = changes
        self.problems = problems
    }

    public var isEmpty: Bool { changes.isEmpty && problems.isEmpty }
    /// Nothing to change, nothing blocked, every storage path healthy.
    public var isClean: Bool { isEmpty && health.isEmpty }

    enum CodingKeys: String, CodingKey { case pool, host, changes, problems, health, foreign }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pool = try c.decode(String.self, forKey: .pool)
        host = try c.decode(String.self, forKey: .host)
        changes = try c.decode([Change].self, forKey: .changes)
        problems = try c.decode([PlanProblem].self, forKey: .problems)
        health = try c.decodeIfPresent([PlanProblem].self, forKey: .health) ?? []
        foreign = try c.decodeIfPresent([ForeignFinding].self, forKey: .foreign) ?? []
    }

    /// The steps that undo this plan, in the order they must run.
    public var rollback: [Change] { changes.reversed().map(\.inverse) }
}
