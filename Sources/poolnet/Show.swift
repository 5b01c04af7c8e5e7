import ArgumentParser
import Engine
import HostState
import Planner
import Topology
import Foundation
import SystemCalls
import Storage

struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "Show the live links and addresses (with FILE: only what the file declares or poolnet owns).")

    @Argument(help: "Optional pool topology file; limits the output to its objects.", completion: Completion.poolFile) var file: String?
    @OptionGroup var options: HostOptions

    enum Format: String, ExpressibleByArgument, CaseIterable { case table, dot, svg }

    @Option(name: .long, help: "table (default), dot (Graphviz source, drift in red; needs FILE) or svg (through Graphviz's dot).")
    var format: Format = .table

    @Flag(name: .long, help: "With --format dot|svg: every host of the file, as the file declares them (no live state read).")
    var pool = false

    func run() throws {
        try poolnet.run {
            if format != .table { return try diagram() }
            let desired = try file.map { try loadDesired($0, host: options.hostName) }
            // With a file, iSCSI and FC are read too when the file declares them.
            var state = try options.engine().read(for: desired).normalized()
            if let desired {
                var names = Set(desired.nics.map(\.name) + desired.bridges.map(\.name) + desired.bridges.flatMap(\.ports))
                for link in state.links where link.alias == Ownership.linkAlias(pool: desired.pool) || link.alias == Ownership.portAlias(pool: desired.pool) {
                    names.insert(link.name)
                }
                state.links.removeAll { !names.contains($0.name) }
                state.addresses.removeAll { !names.contains($0.link) }
            }
            if options.json {
                try emitJSON(ShowOutput(host: options.hostName, links: state.links, addresses: state.addresses, iscsi: state.iscsi, fc: state.fc))
            } else {
                emit(render(state, poolAddresses: desired.map { Set(Planner.poolAddresses(desired: $0, current: state)) }, pool: desired?.pool))
            }
            return 0
        }
    }

    private func diagram() throws -> Int32 {
        guard let file else { throw ValidationError("--format \(format.rawValue) needs the pool FILE") }
        let topology: Topology
        do { topology = try Topology.load(path: file) } catch { throw Failure.topology(error) }
        let (problems, states) = topology.validateResolving()
        if !problems.isEmpty { throw Failure.topology(TopologyErrors(problems)) }
        var hosts: [(DesiredState, Plan?)] = []
        if pool {
            hosts = topology.hosts.compactMap { states[$0.name] }.map { ($0, nil) }
        } else {
            let desired = try loadDesired(file, host: options.hostName)
            hosts = [(desired, try options.engine().plan(desired).plan)]
        }
        let dot = Diagram.render(pool: topology.pool, hosts: hosts)
        guard format == .svg else { emit(dot); return 0 }
        let temp = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-\(Syscall.processID).dot").path
        try dot.write(toFile: temp, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: temp) }
        let result = ProcessRunner().run(["dot", "-Tsvg", temp], timeout: 60)
        guard result.status == 0 else { throw Failure.other("dot -Tsvg: \(result.message) (install Graphviz, or use --format dot)") }
        emit(result.stdout)
        return 0
    }

    /// `poolAddresses`: with a file, the addresses its pool owns (by its record and marks): only
    /// those are starred. Without one, every address carrying poolnet's protocol mark is.
    private func render(_ state: CurrentState, poolAddresses: Set<AddressState>?, pool: String?) -> String {
        let addresses = state.addressesByLink()
        var rows = [["NAME", "KIND", "MTU", "STATE", "MASTER", "OWNER", "ADDRESSES"]]
        for link in state.links {
            let owner: String
            switch link.alias {
            case let a? where a.hasSuffix(":port") && a.hasPrefix("poolnet:"): owner = "port"
            case let a? where a.hasPrefix("poolnet:"): owner = "poolnet"
            default: owner = "-"
            }
            let addrs = (addresses[link.name] ?? []).map { address in
                let starred = poolAddresses.map { $0.contains(address) } ?? (address.proto == Ownership.addressProtocol)
                return address.prefix.description + (starred ? "*" : "")
            }
            rows.append([link.name, link.kind.description, String(link.mtu),
                         link.up ? (link.carrier ? "up" : "up,no-carrier") : "down",
                         link.master ?? "-", owner, addrs.isEmpty ? "-" : addrs.joined(separator: " ")])
        }
        let widths = (0..<rows[0].count).map { c in rows.map { $0[c].count }.max()! }
        let lines = rows.map { row in
            row.enumerated().map { c, cell in c == row.count - 1 ? cell : cell.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        let legend = pool.map { "(* address owned by pool \($0))" } ?? "(* address added by poolnet, any pool)"
        return lines.joined(separator: "\n") + "\n" + legend + "\n" + renderStorage(state)
    }

    private func renderStorage(_ state: CurrentState) -> String {
        var out = ""
        if let iscsi = state.iscsi {
            out += "\niSCSI initiator \(iscsi.initiatorName ?? "none")\n"
            let maps = Dictionary((iscsi.multipathPaths ?? []).map { ($0.device, $0) }, uniquingKeysWith: { a, _ in a })
            for session in iscsi.sessions.sorted(by: { $0.key < $1.key }) {
                let owner = iscsi.ownedIfaces.contains(session.key.iface) ? "poolnet" : "-"
                let disks = session.disks.map { d in maps[d.device].map { "\(d.device) \($0.dmState)/\($0.checkerState) in \($0.map)" } ?? d.device }
                out += "  session \(session.id) \(session.key) \(session.state) [\(owner)] \(disks.joined(separator: ", "))\n"
            }
        }
        if let fc = state.fc {
            for host in fc.hosts {
                out += "\nFC port \(host.name) \(host.portName) \(host.portState)"
                if let max = host.maxVPorts { out += ", vports \(host.vportsInUse ?? 0)/\(max)" }
                out += host.canCreateVPorts ? "\n" : ", no NPIV\n"
                for vport in fc.vports where vport.parent == host.name {
                    out += "  \(vport.name) wwpn \(vport.portName) wwnn \(vport.nodeName) \"\(vport.state)\" [\(fc.ownedVPorts.contains(vport.portName) ? "poolnet" : "-")]\n"
                }
            }
        }
        return out
    }
}
