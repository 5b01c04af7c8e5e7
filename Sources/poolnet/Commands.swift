import SystemCalls
import ArgumentParser
import Engine
import Foundation
import HostState
import Planner
import Topology

struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "validate", abstract: "Check a pool file for every host, without touching any host.")

    @Argument(help: "The pool topology file (YAML).", completion: Completion.poolFile) var file: String
    @Flag(name: .long, help: "Machine-readable JSON on stdout.") var json = false
    @Flag(name: .long, help: "Also report each host's single points of failure (exit 2 when any).") var redundancy = false

    func run() throws {
        try poolnet.run {
            let topology: Topology
            do { topology = try Topology.load(path: file) } catch let e as TopologyErrors { return try report(e.errors, pool: nil, hosts: 0) }
            let (errors, states) = topology.validateResolving()
            // Warnings (e.g. an unusual NAA in a WWN) never fail validation.
            let warnings = TopologyErrors(states.values.flatMap(\.warnings)).errors
            if !warnings.isEmpty && !json { FileHandle.standardError.write(Data((warnings.map(\.description).joined(separator: "\n") + "\n").utf8)) }
            if redundancy && errors.isEmpty { return try reportRedundancy(topology, states) }
            return try report(errors, pool: topology.pool, hosts: topology.hosts.count, warnings: warnings)
        }
    }

    private func reportRedundancy(_ topology: Topology, _ states: [String: DesiredState]) throws -> Int32 {
        let findings = RedundancyReport.findings(topology, states)
        let hosts = topology.hosts.map(\.name)
        if json {
            try emitJSON(RedundancyOutput(file: file, pool: topology.pool, hosts: hosts, findings: findings.map(RedundancyOutput.Finding.init)))
        } else {
            emit("\(file): ok (pool \(topology.pool), \(hosts.count) host\(hosts.count == 1 ? "" : "s"))\n" + RedundancyReport.render(findings, hosts: hosts))
        }
        return findings.isEmpty ? 0 : 2
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

    @Argument(help: "The pool topology file (YAML).", completion: Completion.poolFile) var file: String
    @OptionGroup var options: HostOptions
    @Flag(name: .long, help: "Also plan taking ownership of declared objects that exist without poolnet's marks.") var adopt = false

    @Flag(name: .long, help: "Apply to devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims: report them, do not refuse.")
    var allowManaged = false

    func run() throws {
        try poolnet.run {
            let (plan, desired, _) = try planAndReport(file, options, command: "plan", adopt: adopt, allowManaged: allowManaged) { $0.renderPlan() }
            if !options.json, let line = RedundancyReport.summary(desired) { emit(line) }
            if !adopt && !options.json { emit(unownedNote(plan.unowned)) }
            if !plan.problems.isEmpty { return 1 }
            return plan.changes.isEmpty ? 0 : 2
        }
    }
}

struct Apply: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "apply", abstract: "Make this host match the file; verify; roll back on any failure (exit 2 when something changed).")

    @Argument(help: "The pool topology file (YAML).", completion: Completion.poolFile) var file: String
    @OptionGroup var options: HostOptions

    @Flag(name: .long, help: "Apply even when the plan deletes, re-addresses or takes down the interfaces that carry the default route or this SSH session.")
    var allowDisruptive = false

    @Flag(name: .long, help: "Log out iSCSI sessions (and rebind ifaces) even when their LUNs are in use.")
    var force = false
    @Flag(name: .long, help: "Apply to devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims: report them, do not refuse.")
    var allowManaged = false

    @Flag(name: .long, help: "Take ownership of declared objects that exist without poolnet's marks, so that dropping them from the file prunes them.")
    var adopt = false

    @Option(name: .long, help: "Revert automatically unless `poolnet confirm` runs within this time (e.g. 60s, 5m).")
    var confirmWithin: String?

    @Option(name: .long, help: "Wait this many seconds for another apply to finish (default: fail at once).")
    var waitLock: Double = 0

    @Flag(name: .long, help: "Boot mode (for the apply-at-boot unit): a file whose apply was reverted and not accepted since is not applied; the last accepted file is applied instead.")
    var atBoot = false

    func run() throws {
        try poolnet.run {
            let window = try confirmWithin.map(parseConfirmWindow)
            let state = try options.state()
            // The lock first: the state read next must not change under another apply.
            let lock = try ApplyLock(netns: options.netns, wait: waitLock)
            defer { withExtendedLifetime(lock) {} }
            var (file, trigger, reason) = (self.file, JournalRecord.Trigger?.none, String?.none)
            if atBoot {
                let choice = try BootChoice.decide(file: file, state: state, options: options)
                guard let chosen = choice.file else {
                    try Journal(directory: state).append(JournalRecord(command: .apply, result: .noOp, host: options.hostName, netns: options.netns,
                                                                       file: file, trigger: .boot, reason: choice.reason))
                    emit("not applied at boot: \(choice.reason)\n")
                    return 0
                }
                (file, trigger, reason) = (chosen, .boot, choice.reason)
            }
            let base = Prefetch(options.engine())
            let loaded = try loadDesired(file, options: options) { base.classes(ReadClasses(parsed: $0)) }
            base.classes(ReadClasses(loaded.state))  // a cached state was never parsed
            var desired = loaded.state
            let validation = loaded.validation
            PhaseTrace.mark("file loaded (this host resolved)")
            desired.coexist.allowAll = allowManaged
            let recorder = ApplyRecorder(state: state, options: options, file: file, content: loaded.bytes, digest: loaded.digest, window: window,
                                         trigger: trigger, reason: reason)
            do { try recorder.refuseWhilePending() } catch {
                try validation.wait()  // an invalid file is said first, as when validation ran first
                throw error
            }
            recorder.warnIfInterrupted()
            var engine = options.engine()
            engine.allowDisruptive = allowDisruptive
            engine.force = force
            engine.adopt = adopt
            engine.batchPause = FaultHooks.batchPause
            engine.killAtStep = FaultHooks.killAtStep
            engine.afterPlanning = { try validation.wait() }
            engine.beforeFirstWrite = { plan in try recorder.begin(plan) }
            engine.beforeMoreWrites = { steps in try recorder.more(steps) }
            do {
                var plan = try engine.apply(desired, base: try base.value())
                let deadline = try recorder.finish(plan, engine: engine)
                PhaseTrace.mark("journal finished")
                plan.health = try storagePathHealth(engine, desired)  // reported as plan does; never blocks
                if options.json {
                    try emitJSON(PlanOutput(plan, command: "apply"))
                } else if plan.changes.isEmpty {
                    emit(plan.renderPlan())
                } else {
                    emit(OutputStyle.paint(plan.renderPlan()) + "applied \(plan.changes.count) change\(plan.changes.count == 1 ? "" : "s"); verified: the host matches the file.\n")
                    if let deadline {
                        emit("reverting at \(Timestamp.rfc3339(deadline)) (in \(window.map { String(format: "%g", $0) } ?? "?")s) unless `poolnet confirm\(options.netnsFlag)` runs first.\n")
                    }
                }
                return plan.changes.isEmpty ? 0 : 2
            } catch let blocked as PlanBlocked {
                if options.json { try emitJSON(PlanOutput(blocked.plan, command: "apply")) }
                throw Failure.other(blocked.description)
            } catch let failure as ApplyFailure {
                recorder.failed(failure)
                if !failure.notRolledBack.isEmpty { throw HostLeftChanged(text: failure.description) }
                throw failure
            } catch let error as HostLeftChanged {
                throw error
            } catch let error as Failure {
                throw error
            } catch {
                // A read that failed before the pool's validation was waited for: an invalid file
                // is the first thing to say, as when validation ran first.
                try validation.wait()
                // Before the first write this is the whole story; after it, undo what took effect.
                throw recorder.abandoned(error, engine: engine)
            }
        }
    }
}

struct Check: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Report drift between this host and the file (exit 2 on drift); changes nothing.")

    @Argument(help: "The pool topology file (YAML).", completion: Completion.poolFile) var file: String
    @OptionGroup var options: HostOptions

    @Option(name: .long, help: "Also write Prometheus node_exporter textfile metrics to this path (atomically).")
    var textfile: String?

    @Flag(name: .long, help: "Also log one line per drift to syslog (the journal on systemd hosts).")
    var syslog = false
    @Flag(name: .long, help: "Do not count as drift devices another network manager (NetworkManager, networkd, ifupdown, XAPI, Open vSwitch) also claims (they stay in the JSON and the textfile).")
    var allowManaged = false

    @Flag(name: .long, help: "Instead of drift: probe every other host on every network the file says they share (exit 2 when one fails).")
    var peers = false

    @Option(name: .long, help: "With --peers: seconds the whole run may take.")
    var peerDeadline: Double = 15

    func run() throws {
        let started = Date()
        try poolnet.run {
            if peers { return try PeerReport.run(file, options, deadline: peerDeadline, textfile: textfile) }
            let (plan, desired, current): (Plan, DesiredState, CurrentState)
            do {
                (plan, desired, current) = try planAndReport(file, options, command: "check", allowManaged: allowManaged) { $0.renderDrift() }
            } catch {
                // The metrics say the check failed, and why; the previous run's file does not stay.
                if let textfile {
                    try? Textfile.write(Textfile.renderFailure(pool: try? Topology.load(path: file).pool, host: options.hostName, reason: FailureKind(error),
                                                               now: started, duration: Date().timeIntervalSince(started)), to: textfile)
                }
                throw error
            }
            if let textfile {
                try Textfile.write(Textfile.render(plan: plan, desired: desired, current: current, now: started, duration: Date().timeIntervalSince(started)), to: textfile)
            }
            if syslog { DriftSyslog.log(plan) }
            return plan.isClean ? 0 : 2
        }
    }
}

/// plan and check: the same diff, printed as a plan or as drift.
@discardableResult
func planAndReport(_ file: String, _ options: HostOptions, command: String, adopt: Bool = false, allowManaged: Bool = false,
                   render: (Plan) -> String) throws -> (Plan, DesiredState, CurrentState) {
    var engine = options.engine()
    engine.adopt = adopt
    engine.listsUnowned = command == "plan"  // only plan names them
    let base = Prefetch(engine)
    noteInterruptedApply(options)
    let loaded = try loadDesired(file, options: options) { base.classes(ReadClasses(parsed: $0)) }
    base.classes(ReadClasses(loaded.state))  // a cached state was never parsed
    var desired = loaded.state
    desired.coexist.allowAll = allowManaged
    engine.afterPlanning = { [validation = loaded.validation] in try validation.wait() }
    let (plan, current): (Plan, CurrentState)
    do {
        (plan, current) = try engine.plan(desired, base: try base.value(), health: true)
    } catch {
        try loaded.validation.wait()  // an invalid file is said first, as when validation ran first
        throw error
    }
    PhaseTrace.mark("state read and planned")
    if options.json { try emitJSON(PlanOutput(plan, command: command)) } else { emit(OutputStyle.paint(render(plan))) }
    return (plan, desired, current)
}

/// After apply: the storage path findings `plan` and `check` report (a path outage, a LUN short of
/// paths), from a fresh read and probe. Files without iSCSI or vports have none to probe.
func storagePathHealth(_ engine: Engine, _ desired: DesiredState) throws -> [PlanProblem] {
    guard desired.iscsi != nil || !desired.vports.isEmpty else { return [] }
    return try engine.plan(desired, health: true).plan.health
}

/// What `plan` says about declared objects poolnet matches but does not own.
func unownedNote(_ objects: [UnownedObject]) -> String {
    guard !objects.isEmpty else { return "" }
    return "not owned by poolnet (no poolnet mark): \(objects.map(\.object).joined(separator: ", ")).\n"
        + "  They are matched as they are, but dropping them from the file will leave them in place; `poolnet apply --adopt` makes them poolnet's.\n"
}
