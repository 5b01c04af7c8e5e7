import ArgumentParser
import Engine
import Foundation
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
            return try report(topology.validate(), pool: topology.pool, hosts: topology.hosts.count)
        }
    }

    private func report(_ errors: [TopologyError], pool: String?, hosts: Int) throws -> Int32 {
        if json {
            try emitJSON(ValidateOutput(file: file, valid: errors.isEmpty, pool: pool, hosts: hosts,
                                        errors: errors.map(ValidateOutput.Problem.init)))
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

    func run() throws {
        try poolnet.run {
            let plan = try planAndReport(file, options, command: "plan") { $0.renderPlan() }
            if !plan.problems.isEmpty { return 1 }
            return plan.changes.isEmpty ? 0 : 2
        }
    }
}

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Make this host match the file; verify; roll back on any failure (exit 2 when something changed).")

    @Argument(help: "The pool topology file (YAML).") var file: String
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let desired = try loadDesired(file, host: options.hostName)
            do {
                let plan = try options.engine().apply(desired)
                if options.json {
                    try emitJSON(PlanOutput(plan, command: "apply"))
                } else if plan.changes.isEmpty {
                    emit(plan.renderPlan())
                } else {
                    emit(plan.renderPlan() + "applied \(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s"); verified: the host matches the file.\n")
                }
                return plan.changes.isEmpty ? 0 : 2
            } catch let blocked as PlanBlocked {
                if options.json { try emitJSON(PlanOutput(blocked.plan, command: "apply")) }
                throw Failure.other(blocked.description)
            }
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Report drift between this host and the file (exit 2 on drift); changes nothing.")

    @Argument(help: "The pool topology file (YAML).") var file: String
    @OptionGroup var options: HostOptions

    func run() throws {
        try poolnet.run {
            let plan = try planAndReport(file, options, command: "check") { $0.renderDrift() }
            return plan.isEmpty ? 0 : 2
        }
    }
}

/// plan and check: the same diff, printed as a plan or as drift.
func planAndReport(_ file: String, _ options: HostOptions, command: String, render: (Plan) -> String) throws -> Plan {
    let desired = try loadDesired(file, host: options.hostName)
    let plan = try options.engine().plan(desired).plan
    if options.json { try emitJSON(PlanOutput(plan, command: command)) } else { emit(render(plan)) }
    return plan
}
