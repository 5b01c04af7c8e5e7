import Engine
import Foundation
import HostState
import Storage
import Topology

/// `check --peers`: this host's data plane to every other host of the pool, from the file alone.
enum PeerReport {
    static func run(_ file: String, _ options: HostOptions, deadline: Double, textfile: String?) throws -> Int32 {
        guard deadline > 0, deadline <= 600 else { throw Failure.other("--peer-deadline takes more than 0 and at most 600 seconds, not \(deadline)") }
        let engine = options.engine()
        let base = Prefetch(engine)
        let topology: Topology
        do { topology = try Topology.load(path: file) } catch { throw Failure.topology(error) }
        let (problems, states) = topology.validateResolving()
        if !problems.isEmpty { throw Failure.topology(TopologyErrors(problems)) }
        let host = options.hostName
        if states[host] == nil { _ = try loadDesired(file, host: host) }  // names the unknown host
        let targets = Topology.peerTargets(from: host, states: states, hosts: topology.hosts.map(\.name))
        let started = Date()
        let results = try PeerCheck(deadline: deadline).run(targets, allowed: Topology.poolAddresses(states), engine: engine, live: try base.value().state)
        if options.json {
            try emitJSON(PeersOutput(pool: topology.pool, host: host, time: started, deadline: deadline, results: results))
        } else {
            emit(OutputStyle.paint(render(pool: topology.pool, host: host, results)))
        }
        if let textfile { try Textfile.write(Textfile.renderPeers(pool: topology.pool, host: host, results: results, now: started), to: textfile) }
        return results.allSatisfy(\.ok) ? 0 : 2
    }

    static func render(pool: String, host: String, _ results: [PeerResult]) -> String {
        guard !results.isEmpty else { return "host \(host) (pool \(pool)): the file gives it no network shared with another host.\n" }
        let peers = Set(results.map(\.target.peer)).count
        let failing = results.filter { !$0.ok }.count
        var out = "host \(host) (pool \(pool)): \(results.count) path\(results.count == 1 ? "" : "s") to \(peers) peer\(peers == 1 ? "" : "s"), "
            + (failing == 0 ? "all pass.\n" : "\(failing) failing.\n")
        for r in results {
            let t = r.target
            let m = r.measurement
            let route = "\(t.source) → \(t.address)\(t.device.map { " via \($0)" } ?? "")"
            let size = r.size.map { t.overhead > 0 ? "\($0) (mtu \(r.mtu!) + \(t.overhead))" : "\($0)" } ?? "?"
            let rtt = m.rtt.map { String(format: ", rtt %.2f ms", $0 * 1000) } ?? ""
            if r.ok {
                out += "  ok \(t.peer) \(t.network): \(route): \(size) bytes pass\(rtt)\n"
            } else if m.reachable, let largest = m.largest {
                out += "  ! \(t.peer) \(t.network): \(route): largest frame that passes \(m.exact ? "" : "at least ")\(largest) < \(size)\(rtt)"
                    + (m.note.map { "; \($0)" } ?? "") + "\n"
            } else {
                out += "  ! \(t.peer) \(t.network): \(route): unreachable\(m.note.map { " (\($0))" } ?? "")\n"
            }
        }
        return out
    }
}

/// `check --peers --json` (schema "poolnet.peers/v1").
struct PeersOutput: Encodable {
    struct Result: Encodable {
        var peer: String
        var network: String
        var kind: String
        var device: String?
        var source: String
        var address: String
        var mtu: UInt32?
        var size: UInt32?
        var reachable: Bool
        var mtuOK: Bool
        var largest: UInt32?
        var exact: Bool
        var rttMs: Double?
        var probes: Int
        var note: String?

        enum CodingKeys: String, CodingKey {
            case peer, network, kind, device, source, address, mtu, size, reachable, mtuOK = "mtu_ok", largest, exact, rttMs = "rtt_ms", probes, note
        }

        init(_ r: PeerResult) {
            peer = r.target.peer
            network = r.target.network
            kind = r.target.kind.rawValue
            device = r.target.device
            source = r.target.source
            address = r.target.address
            mtu = r.mtu
            size = r.size
            reachable = r.measurement.reachable
            mtuOK = r.ok
            largest = r.measurement.largest
            exact = r.measurement.exact
            rttMs = r.measurement.rtt.map { ($0 * 1e6).rounded() / 1000 }
            probes = r.measurement.probes
            note = r.measurement.note
        }
    }

    var schema = "poolnet.peers/v1"
    var pool: String
    var host: String
    /// When the run started, RFC 3339 in UTC.
    var time: String
    var deadlineSeconds: Double
    var ok: Bool
    var results: [Result]

    enum CodingKeys: String, CodingKey { case schema, pool, host, time, deadlineSeconds = "deadline_seconds", ok, results }

    init(pool: String, host: String, time: Date, deadline: Double, results: [PeerResult]) {
        self.pool = pool
        self.host = host
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        self.time = formatter.string(from: time)
        deadlineSeconds = deadline
        ok = results.allSatisfy(\.ok)
        self.results = results.map(Result.init)
    }
}
