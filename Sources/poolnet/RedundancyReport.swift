import Foundation
import Topology

/// `validate --redundancy`: the single points of failure the file reveals, per host.
enum RedundancyReport {
    static func findings(_ topology: Topology, _ states: [String: DesiredState]) -> [RedundancyFinding] {
        topology.hosts.compactMap { states[$0.name] }.flatMap(Redundancy.findings)
    }

    static func render(_ findings: [RedundancyFinding], hosts: [String]) -> String {
        var out = ""
        for host in hosts {
            let mine = findings.filter { $0.host == host }
            guard !mine.isEmpty else { out += "host \(host): no single point of failure found\n"; continue }
            out += "host \(host): \(mine.count) single point\(mine.count == 1 ? "" : "s") of failure\n"
            for finding in mine {
                out += "  ! \(finding.rule.rawValue): \(finding.message)\n"
                for object in finding.objects { out += "      \(object.object) (\(object.mark))\n" }
            }
        }
        return out
    }

    /// The line `plan` adds for its host when the file gives it single points of failure.
    static func summary(_ state: DesiredState) -> String? {
        let found = Redundancy.findings(state)
        guard !found.isEmpty else { return nil }
        let rules = Set(found.map(\.rule.rawValue)).sorted().joined(separator: ", ")
        return "redundancy: \(found.count) single point\(found.count == 1 ? "" : "s") of failure on \(state.host) (\(rules)); see poolnet validate --redundancy\n"
    }
}

/// `validate --redundancy --json` (schema "poolnet.redundancy/v1").
struct RedundancyOutput: Encodable {
    struct Object: Encodable {
        var object: String
        var file: String
        var line: Int
        var column: Int
    }

    struct Finding: Encodable {
        var host: String
        var rule: String
        var message: String
        var objects: [Object]

        init(_ f: RedundancyFinding) {
            host = f.host
            rule = f.rule.rawValue
            message = f.message
            objects = f.objects.map { Object(object: $0.object, file: $0.mark.file, line: $0.mark.line, column: $0.mark.column) }
        }
    }

    var schema = "poolnet.redundancy/v1"
    var file: String
    var pool: String
    var hosts: [String]
    var findings: [Finding]
}
