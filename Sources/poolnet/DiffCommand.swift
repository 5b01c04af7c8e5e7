import ArgumentParser
import Foundation
import Planner
import Topology

/// `poolnet diff OLD NEW`: per host, what a change of the pool file changes, for code review.
struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Per host, what changes between two versions of a pool file (exit 2 when any host changes); touches no host.",
        discussion: """
        In CI, on a pull request: git show origin/main:pool.yaml > old.yaml; poolnet diff old.yaml pool.yaml
        Exit codes: 0 no host changes, 2 some host changes, 1 a file does not validate.
        """)

    @Argument(help: "The pool file as it was (YAML).") var old: String
    @Argument(help: "The pool file as it will be (YAML).") var new: String
    @Option(name: .long, help: "Only this host.") var host: String?
    @Flag(name: .long, help: "Machine-readable JSON on stdout (schema poolnet.diff/v1).") var json = false

    func run() throws {
        try poolnet.run {
            let before = Side.load(old), after = Side.load(new)
            let errors = before.errors + after.errors
            guard errors.isEmpty, let a = before.topology, let b = after.topology else {
                if json {
                    try emitJSON(DiffOutput(old: old, new: new, valid: false, pools: nil, changed: false, hosts: [],
                                            errors: errors.map(ValidateOutput.Problem.init)))
                } else {
                    var text = ""
                    for (side, name) in [(before, old), (after, new)] where !side.errors.isEmpty {
                        text += "\(name) does not validate:\n" + TopologyErrors(side.errors).description + "\n"
                    }
                    FileHandle.standardError.write(Data(text.utf8))
                }
                return 1
            }
            var oldHosts = a.hosts.map(\.name), newHosts = b.hosts.map(\.name)
            if let host {
                guard oldHosts.contains(host) || newHosts.contains(host) else {
                    throw Failure.other("host \"\(host)\" is in neither file (hosts: \(Array(Set(oldHosts + newHosts)).sorted().joined(separator: ", ")))")
                }
                oldHosts = oldHosts.filter { $0 == host }
                newHosts = newHosts.filter { $0 == host }
            }
            let hosts = PoolDiff.diff(old: before.states, oldHosts: oldHosts, new: after.states, newHosts: newHosts)
            let changed = hosts.contains { $0.status != .unchanged }
            if json {
                try emitJSON(DiffOutput(old: old, new: new, valid: true, pools: .init(old: a.pool, new: b.pool), changed: changed,
                                        hosts: hosts.map(DiffOutput.Host.init), errors: []))
            } else {
                emit(render(hosts, oldPool: a.pool, newPool: b.pool))
            }
            return changed ? 2 : 0
        }
    }

    /// One side of the diff: parsed, validated and resolved for every host, or its errors.
    struct Side {
        var topology: Topology?
        var states: [String: DesiredState] = [:]
        var errors: [TopologyError] = []

        static func load(_ file: String) -> Side {
            let topology: Topology
            do { topology = try Topology.load(path: file) } catch { return Side(topology: nil, errors: error.errors) }
            let (errors, states) = topology.validateResolving()
            return Side(topology: topology, states: states, errors: errors)
        }
    }

    func render(_ hosts: [PoolDiff.HostChanges], oldPool: String, newPool: String) -> String {
        var out = ""
        if oldPool != newPool {
            out += "! pool renamed \(oldPool) → \(newPool): links poolnet created carry the old pool's name and will not be recognised as its own\n"
        }
        for host in hosts {
            let disruptive = host.changes.filter(\.disruptive).count
            let count = "\(host.changes.count) change\(host.changes.count == 1 ? "" : "s")" + (disruptive > 0 ? " (\(disruptive) disruptive)" : "")
            switch host.status {
            case .unchanged: out += "host \(host.host): no changes\n"; continue
            case .added: out += "host \(host.host): added to the pool, \(count)\n"
            case .removed: out += "host \(host.host): removed from the pool (no apply runs there with the new file), \(count)\n"
            case .changed: out += "host \(host.host): \(count)\n"
            }
            for change in host.changes {
                out += "  \(change.operation.symbol) \(change.label) (\(change.mark))"
                if let reason = change.reason, change.disruptive { out += " ! disruptive: \(reason)" }
                out += "\n"
                for p in change.properties {
                    if change.operation != .changed {
                        out += "      \(p.name): \(p.new ?? p.old ?? "")\n"
                    } else {
                        out += "      \(p.name): \(p.old ?? "(unset)") → \(p.new ?? "(unset)")\n"
                    }
                }
            }
        }
        let changed = hosts.filter { $0.status != .unchanged }.count
        out += "changes on \(changed) of \(hosts.count) host\(hosts.count == 1 ? "" : "s").\n"
        return OutputStyle.paint(out)
    }
}

/// `diff --json` (schema "poolnet.diff/v1").
struct DiffOutput: Encodable {
    struct Pools: Encodable { var old: String; var new: String }

    struct Change: Encodable {
        var op: String
        var operation: String
        var kind: String
        var name: String
        var object: String
        var file: String
        var line: Int
        var column: Int
        var disruptive: Bool
        var reason: String?
        var properties: [PoolDiff.Property]

        init(_ c: PoolDiff.ObjectChange) {
            op = String(c.operation.symbol)
            operation = c.operation.rawValue
            kind = c.kind
            name = c.name
            object = c.label
            file = c.mark.file
            line = c.mark.line
            column = c.mark.column
            disruptive = c.disruptive
            reason = c.reason
            properties = c.properties
        }
    }

    struct Host: Encodable {
        var host: String
        var status: String
        var changes: [Change]

        init(_ h: PoolDiff.HostChanges) {
            host = h.host
            status = h.status.rawValue
            changes = h.changes.map(Change.init)
        }
    }

    var schema = "poolnet.diff/v1"
    var old: String
    var new: String
    var valid: Bool
    var pools: Pools?
    var changed: Bool
    var hosts: [Host]
    var errors: [ValidateOutput.Problem]
}
