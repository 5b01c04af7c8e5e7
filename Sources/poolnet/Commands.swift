import ArgumentParser
import Engine
import Foundation
import HostState
import Planner
import Topology

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check a pool file for every host, without touching any host.")

    @Argument(help: "The pool topology file (YAML).") var file: String
    @Flag(name: .long, help: "Machine-readable JSON on stdout.") var json = false

    func run() throws {
        try poolnet.run {
            let topology: Topology
            do { topology = try Topology.load(path: file) } catch let e as TopologyErrors { return try report(e.errors, pool: nil, hosts: 0) }
            let (errors, states) = topology.validateResolving()
            // Warnings (e.g. an unusual NAA in a WWN) never fail validation.
            let warnings = TopologyErrors(states.values.flatMap(\.warnings)).errors
            if !warnings.isEmpty && !json { FileHandle.standardError.write(Data((warnings.map(\.description).joined(separator: "\n") + "\n").utf8)) }
            return try report(errors, pool: topology.pool, hosts: topology.hosts.count, warnings: warnings)
        }
    }

    private func report(_ errors: [TopologyError], pool: String?, hosts: Int, warnings: [TopologyError] = []) throws -> Int32 {
        if json {
            try emitJSON(ValidateOutput(file: file, valid: errors.isEmpty, pool: pool, hosts: hosts,
                                        errors: errors.map(ValidateOutput.Problem.init), warnings: warnings.map(ValidateOutput.Problem.init)))
        } else if errors.isEmpty {
            emit("\(file): ok (pool \(pool ?? "?"), \(hosts) host\(hosts == 1 ? "" : "s"))\n")
        } else {
            FileHandle.standardError.write(Data(TopologyErrors(errors).description.utf8 + Data("\n".utf8)))
        }
        return errors.isEmpty ? 0 : 1
    }
}

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "plan", abstract: "Show what apply would change on this host (exit 2 when there are changes).")

    @Argument(help: "The pool topology file (YAML).") var file: String
    @OptionGroup var options: HostOptions
    @Flag(name: .long, help: "Apply to devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims: report them, do not refuse.")
    var allowManaged = false

    func run() throws {
        try poolnet.run {
            let (plan, _, _) = try planAndReport(file, options, command: "plan", allowManaged: allowManaged) { $0.renderPlan() }
            if !plan.problems.isEmpty { return 1 }
            return plan.changes.isEmpty ? 0 : 2
        }
    }
}

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make this host match the file; verify; roll back on any failure (exit 2 when something changed).")

    @Argument(help: "The pool topology file (YAML).") var file: String
    @OptionGroup var options: HostOptions

    @Flag(name: .long, help: "Apply even when the plan deletes, re-addresses or takes down the interfaces that carry the default route or this SSH session.")
    var allowDisruptive = false

    @Flag(name: .long, help: "Log out iSCSI sessions (and rebind ifaces) even when their LUNs are in use.")
    var force = false
    @Flag(name: .long, help: "Apply to devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims: report them, do not refuse.")
    var allowManaged = false

    @Option(name: .long, help: "Revert automatically unless `poolnet confirm` runs within this time (e.g. 60s, 5m).")
    var confirmWithin: String?

    @Option(name: .long, help: "Wait this many seconds for another apply to finish (default: fail at once).")
    var waitLock: Double = 0

    func run() throws {
        try poolnet.run {
            let window = try confirmWithin.map(parseDuration)
            // The lock first: the state read next must not change under another apply.
            let lock = try ApplyLock(stateDirectory: options.stateDirectory, scope: options.scope, wait: waitLock)
            defer { withExtendedLifetime(lock) {} }
            let base = Prefetch(options.engine())
            var desired = try loadDesired(file, host: options.hostName)
            desired.coexist.allowAll = allowManaged
            if PendingRevert(directory: options.stateDirectory, scope: options.scope).load() != nil {
                throw Failure.other("an apply is waiting for confirmation on \(options.scope): run `poolnet confirm` or `poolnet rollback` first")
            }
            let journal = Journal(directory: options.stateDirectory)
            var engine = options.engine()
            engine.allowDisruptive = allowDisruptive
            engine.force = force
            let early = JournalLineInAdvance()
            if window == nil {
                let (netns, file) = (options.netns, file)
                engine.onPlanned = { plan in
                    early.start({ JournalRecord(command: "apply", host: plan.host, netns: netns, file: file, result: "applied",
                                                changes: plan.changes.map(\.line), revert: plan.rollback) },
                                steps: plan.changes.count)
                }
            }
            do {
                let plan = try engine.apply(desired, base: try base.value())
                let lines = plan.changes.map(\.line)
                if plan.changes.isEmpty {
                    try journal.append(JournalRecord(command: "apply", host: plan.host, netns: options.netns, file: file, result: "no-op", changes: []))
                } else if let window {
                    let deadline = Date().addingTimeInterval(window)
                    try journal.append(JournalRecord(command: "apply", host: plan.host, netns: options.netns, file: file,
                                                     result: "applied, awaiting confirm", changes: lines, revert: plan.rollback, confirmBy: deadline))
                    try PendingRevert(directory: options.stateDirectory, scope: options.scope)
                        .arm(PendingRevert.Record(deadline: deadline, host: plan.host, netns: options.netns, revert: plan.rollback),
                             stateDirectory: options.stateDirectory)
                } else if let line = early.line(for: plan) {
                    try journal.append(line: line)
                } else {
                    try journal.append(JournalRecord(command: "apply", host: plan.host, netns: options.netns, file: file,
                                                     result: "applied", changes: lines, revert: plan.rollback))
                }
                if options.json {
                    try emitJSON(PlanOutput(plan, command: "apply"))
                } else if plan.changes.isEmpty {
                    emit(plan.renderPlan())
                } else {
                    emit(OutputStyle.paint(plan.renderPlan()) + "applied \(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s"); verified: the host matches the file.\n")
                    if let window { emit("reverting in \(Int(window))s unless `poolnet confirm\(options.netns.map { " --netns \($0)" } ?? "")` runs first.\n") }
                }
                return plan.changes.isEmpty ? 0 : 2
            } catch let blocked as PlanBlocked {
                if options.json { try emitJSON(PlanOutput(blocked.plan, command: "apply")) }
                throw Failure.other(blocked.description)
            } catch let failure as ApplyFailure {
                try? journal.append(JournalRecord(command: "apply", host: desired.host, netns: options.netns, file: file,
                                                  result: failure.notRolledBack.isEmpty ? "failed, rolled back" : "failed, rollback incomplete",
                                                  changes: [], error: failure.cause))
                throw failure
            }
        }
    }
}

/// `60`, `60s`, `5m`, `1h` → seconds.
func parseDuration(_ text: String) throws -> TimeInterval {
    let units: [Character: Double] = ["s": 1, "m": 60, "h": 3600]
    var number = Substring(text)
    var factor = 1.0
    if let last = number.last, let unit = units[last] { factor = unit; number = number.dropLast() }
    guard let value = Double(number), value > 0 else {
        throw ValidationError("--confirm-within takes a duration such as 60s, 5m or 1h, not \"\(text)\"")
    }
    return value * factor
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Report drift between this host and the file (exit 2 on drift); changes nothing.")

    @Argument(help: "The pool topology file (YAML).") var file: String
    @OptionGroup var options: HostOptions

    @Option(name: .long, help: "Also write Prometheus node_exporter textfile metrics to this path (atomically).")
    var textfile: String?

    @Flag(name: .long, help: "Also log one line per drift to syslog (the journal on systemd hosts).")
    var syslog = false
    @Flag(name: .long, help: "Do not count as drift devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims (they stay in the JSON and the textfile).")
    var allowManaged = false

    func run() throws {
        try poolnet.run {
            let (plan, desired, current) = try planAndReport(file, options, command: "check", allowManaged: allowManaged) { $0.renderDrift() }
            if let textfile { try Textfile.write(Textfile.render(plan: plan, desired: desired, current: current, now: Date()), to: textfile) }
            if syslog { DriftSyslog.log(plan) }
            return plan.isClean ? 0 : 2
        }
    }
}

/// plan and check: the same diff, printed as a plan or as drift.
@discardableResult
func planAndReport(_ file: String, _ options: HostOptions, command: String, allowManaged: Bool = false,
                   render: (Plan) -> String) throws -> (Plan, DesiredState, CurrentState) {
    let engine = options.engine()
    let base = Prefetch(engine)
    var desired = try loadDesired(file, host: options.hostName)
    desired.coexist.allowAll = allowManaged
    let (plan, current) = try engine.plan(desired, base: try base.value(), health: true)
    if options.json { try emitJSON(PlanOutput(plan, command: command)) } else { emit(OutputStyle.paint(render(plan))) }
    return (plan, desired, current)
}
