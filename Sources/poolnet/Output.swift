import HostState
import Planner
import Topology

/// `--json` of plan, apply and check (schema "poolnet.plan/v1").
struct PlanOutput: Encodable {
    struct Item: Encodable {
        var op: String
        var object: String
        var summary: String
        var disruptive: Bool
        var action: Action
    }

    var schema = "poolnet.plan/v1"
    var command: String
    var pool: String
    var host: String
    var changed: Bool
    var drift: Bool
    var changes: [Item]
    var problems: [PlanProblem]
    var health: [PlanProblem]
    var foreign: [ForeignFinding]

    init(_ plan: Plan, command: String) {
        self.command = command
        pool = plan.pool
        host = plan.host
        changed = !plan.changes.isEmpty
        drift = !plan.isClean
        changes = plan.changes.map {
            Item(op: String($0.action.symbol), object: $0.action.link, summary: $0.action.summary,
                 disruptive: $0.disruptive, action: $0.action)
        }
        problems = plan.problems
        health = plan.health
        foreign = plan.foreign
    }
}

/// `validate --json` (schema "poolnet.validate/v1").
struct ValidateOutput: Encodable {
    struct Problem: Encodable {
        var file: String
        var line: Int
        var column: Int
        var host: String?
        var object: String?
        var message: String

        init(_ e: TopologyError) {
            file = e.mark.file
            line = e.mark.line
            column = e.mark.column
            host = e.host
            object = e.object
            message = e.message
        }
    }

    var schema = "poolnet.validate/v1"
    var file: String
    var valid: Bool
    var pool: String?
    var hosts: Int
    var errors: [Problem]
    var warnings: [Problem] = []
}

/// `show --json` (schema "poolnet.show/v1").
struct ShowOutput: Encodable {
    var schema = "poolnet.show/v1"
    var host: String
    var links: [LinkState]
    var addresses: [AddressState]
    var iscsi: ISCSIState?
    var fc: FCState?
}

/// The commands whose output `--json` turns into one JSON object (errors included).
protocol ReportsJSON { var jsonRequested: Bool { get } }
extension Validate: ReportsJSON { var jsonRequested: Bool { json } }
extension PlanCommand: ReportsJSON { var jsonRequested: Bool { options.json } }
extension Apply: ReportsJSON { var jsonRequested: Bool { options.json } }
extension Check: ReportsJSON { var jsonRequested: Bool { options.json } }
extension Show: ReportsJSON { var jsonRequested: Bool { options.json } }
extension Confirm: ReportsJSON { var jsonRequested: Bool { options.json } }
extension Rollback: ReportsJSON { var jsonRequested: Bool { options.json } }
extension History: ReportsJSON { var jsonRequested: Bool { options.json } }

/// Commands that cannot run without root: apply, rollback and confirm change the host and its
/// state directory; plan and show entering a namespace (--netns) need setns. (check is left to
/// fail inside, where --textfile still records the failure; `run` explains the refusal.)
protocol Privileged { var needsRoot: Bool { get } }
extension Apply: Privileged { var needsRoot: Bool { true } }
extension Rollback: Privileged { var needsRoot: Bool { true } }
extension Confirm: Privileged { var needsRoot: Bool { true } }
extension PlanCommand: Privileged { var needsRoot: Bool { options.netns != nil } }
extension Show: Privileged { var needsRoot: Bool { options.netns != nil } }
