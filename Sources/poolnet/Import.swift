import ArgumentParser
import Engine
import Foundation
import HostState
import Topology

/// `poolnet import`: a pool file from the live host (or from several hosts' files, merged).
struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Print a pool file for this live host, or merge single-host files into one pool file.",
        discussion: """
        Without --merge: reads this host (or --netns) and prints a file for which `plan` on the same host is empty. \
        iSCSI (initiator, ifaces bound to storage NICs, logged-in node records, poolnet's multipath drop-in) \
        and NPIV vports become the iscsi: and fc: sections. What poolnet cannot express, and guest ports (vifN.M, tapN, vnetN, tun/tap devices), are listed as comments. \
        VXLAN remote VTEPs appear as pseudo hosts (var remote_vtep) until the files are merged.
        With --merge FILE…: one pool file in which every host resolves to exactly what its own file gave it.
        """)

    @Option(name: .long, help: "The host name to write (default: this machine's short hostname).") var host: String?
    @Option(name: .long, help: "Read inside this named network namespace (ip netns).") var netns: String?
    @Option(name: .long, help: "The pool name (default: the pool of poolnet's marks on this host, else \"imported\").") var pool: String?
    @Option(name: .long, help: "The host's index (default: the number at the end of its name, else 1).") var index: Int?
    @Flag(name: .long, help: "Merge the files given as arguments instead of reading the host.") var merge = false
    @Argument(help: "With --merge: the pool files to merge.") var files: [String] = []

    func validate() throws {
        if merge && files.isEmpty { throw ValidationError("--merge needs the files to merge") }
        if !merge && !files.isEmpty { throw ValidationError("files are merged only with --merge") }
    }

    func run() throws {
        try poolnet.run {
            if merge {
                let inputs = try files.map { path -> (path: String, text: String) in
                    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
                        throw Failure.other("\(path): cannot read the file")
                    }
                    return (path, text)
                }
                do { emit(try PoolFileMerge.merge(files: inputs)) } catch let e as TopologyErrors { throw Failure.topology(e) }
                return 0
            }
            let name = host ?? HostOptions.shortHostname()
            let engine = Engine(netns: netns)
            var current = try engine.readForImport()
            let unread = engine.readStorageForImport(into: &current)
            let poolName = pool ?? Self.markedPool(current) ?? "imported"
            var imported = LiveImport.host(from: current, pool: poolName, host: name, index: index ?? Self.trailingNumber(name) ?? 1)
            imported.notes += unread
            LiveImport.addStorage(iscsi: current.iscsi, fc: current.fc, to: &imported)
            emit(try PoolFileMerge.write(pool: poolName, hosts: [imported]))
            return 0
        }
    }

    /// The pool whose marks (`poolnet:<pool>`) this host carries, when there is exactly one.
    static func markedPool(_ state: CurrentState) -> String? {
        let pools = Set(state.links.compactMap { link -> String? in
            guard let alias = link.alias, alias.hasPrefix("poolnet:") else { return nil }
            return alias.dropFirst(8).split(separator: ":").first.map(String.init)
        })
        return pools.count == 1 ? pools.first : nil
    }

    /// `hv03` → 3.
    static func trailingNumber(_ name: String) -> Int? {
        let digits = name.reversed().prefix { $0.isASCII && $0.isNumber }
        return digits.isEmpty ? nil : Int(String(digits.reversed()))
    }
}
