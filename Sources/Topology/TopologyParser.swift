import Foundation
import HostState
import Yams

extension Topology {
    /// Reads and structurally checks a pool file. Per-host values are checked by `validate()`.
    public static func load(path: String) throws(TopologyErrors) -> Topology {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TopologyErrors([TopologyError("cannot read the file", at: SourceMark(file: path, line: 1, column: 1))])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TopologyErrors([TopologyError("the file is not UTF-8 text", at: SourceMark(file: path, line: 1, column: 1))])
        }
        return try parse(yaml: text, file: path)
    }

    public static func parse(yaml: String, file: String) throws(TopologyErrors) -> Topology {
        let start = SourceMark(file: file, line: 1, column: 1)
        let root: Node
        do {
            // No implicit tag resolution: the reader types scalars itself, and the default resolver runs
            // several regular expressions on every scalar (a third of the parse time).
            guard let node = try Yams.compose(yaml: yaml, .basic) else {
                throw TopologyErrors([TopologyError("the file is empty", at: start)])
            }
            root = node
        } catch let e as TopologyErrors {
            throw e
        } catch let e as YamlError {
            throw TopologyErrors([yamlSyntaxError(e, file: file)])
        } catch {
            throw TopologyErrors([TopologyError("cannot parse YAML: \(error)", at: start)])
        }

        let errors = ErrorSink()
        let topology = errors.collect { () throws -> Topology in
            let r = try MappingReader(YNode(node: root, file: file), what: "the pool file")
            let pool = try r.required("pool").string("pool")
            if pool.isEmpty || pool.contains(where: { $0 == ":" || $0.isWhitespace }) {
                errors.add("pool \"\(pool)\" must be a non-empty name without \":\" or whitespace", at: r.optional("pool")!.mark)
            }
            let hosts = try parseHosts(try r.required("hosts"), errors: errors)
            var layout = StorageLayout.perPathSubnet
            if let storage = r.optional("storage") {
                let s = try MappingReader(storage, what: "storage")
                if let node = s.optional("layout") {
                    let text = try node.string("layout")
                    if let l = StorageLayout(rawValue: text) { layout = l } else {
                        errors.add("layout must be per-path-subnet or shared-subnet, found \"\(text)\"", at: node.mark)
                    }
                }
                s.unknownKeys().forEach(errors.add)
            }
            let names = Set(hosts.map(\.name))
            let nics = try r.optional("storage_nics").map { try $0.sequence("storage_nics") } ?? []
            let bridges = try r.optional("bridges").map { try $0.sequence("bridges") } ?? []
            let vlans = try r.optional("vlans").map { try $0.sequence("vlans") } ?? []
            let bonds = try r.optional("bonds").map { try $0.sequence("bonds") } ?? []
            let vxlans = try r.optional("vxlans").map { try $0.sequence("vxlans") } ?? []
            let iscsi = r.optional("iscsi").flatMap { ISCSISpec.parse($0, hosts: names, errors: errors) }
            let vports = r.optional("fc").map { VPortSpec.parseSection($0, hosts: names, errors: errors) } ?? []
            let coexist = r.optional("coexist").flatMap { CoexistPolicy.parse($0, errors: errors) } ?? CoexistPolicy()
            r.unknownKeys().forEach(errors.add)
            var topology = Topology(file: file, pool: pool, layout: layout, hosts: hosts,
                            storageNICs: nics.compactMap { StorageNICSpec.parse($0, hosts: names, errors: errors) },
                            bridges: bridges.compactMap { BridgeSpec.parse($0, hosts: names, errors: errors) },
                            vlans: vlans.compactMap { VLANSpec.parse($0, hosts: names, errors: errors) },
                            bonds: bonds.compactMap { BondSpec.parse($0, hosts: names, errors: errors) },
                            vxlans: vxlans.compactMap { VXLANSpec.parse($0, hosts: names, errors: errors) }, iscsi: iscsi, vports: vports)
            topology.coexist = coexist
            return topology
        }
        guard let topology, errors.errors.isEmpty else { throw TopologyErrors(errors.errors) }
        return topology
    }

    /// `hosts:` is either a list of names (index = position, from 1) or a mapping
    /// `name: { index: N, vars: { key: value } }`.
    static func parseHosts(_ node: YNode, errors: ErrorSink) throws -> [PoolHost] {
        var hosts: [PoolHost] = []
        if case .sequence = node.node {
            for (position, item) in try node.sequence("hosts").enumerated() {
                hosts.append(PoolHost(name: try item.string("a host name"), index: position + 1, vars: [:], mark: item.mark))
            }
        } else {
            for (position, entry) in try node.mapping("hosts").enumerated() {
                let name = try entry.key.string("a host name")
                var host = PoolHost(name: name, index: position + 1, vars: [:], mark: entry.key.mark)
                if !entry.value.isNull {
                    errors.collect {
                        let r = try MappingReader(entry.value, what: "host \(name)")
                        if let index = r.optional("index") { host.index = try index.int("index") }
                        if let vars = r.optional("vars") {
                            for (key, value) in try vars.mapping("vars") {
                                host.vars[try key.string("a var name")] = try value.string("a var value")
                            }
                        }
                        r.unknownKeys().forEach(errors.add)
                    }
                }
                hosts.append(host)
            }
        }
        if hosts.isEmpty { errors.add("hosts must name at least one host", at: node.mark) }
        var byName: [String: PoolHost] = [:]
        var byIndex: [Int: PoolHost] = [:]
        for host in hosts {
            if host.name.isEmpty || host.name.contains(where: { $0.isWhitespace || $0 == "/" }) {
                errors.add("host name \"\(host.name)\" must be non-empty, without whitespace or \"/\"", at: host.mark)
            }
            if let other = byName[host.name] {
                errors.add("host \(host.name) is listed twice (first at line \(other.mark.line))", at: host.mark)
            }
            if let other = byIndex[host.index] {
                errors.add("host \(host.name) has index \(host.index), already used by host \(other.name)", at: host.mark)
            }
            if host.index < 0 { errors.add("host \(host.name) has a negative index", at: host.mark) }
            byName[host.name] = host
            byIndex[host.index] = host
        }
        return hosts
    }

    static func yamlSyntaxError(_ error: YamlError, file: String) -> TopologyError {
        switch error {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            let text = [context?.text, problem].compactMap { $0 }.filter { !$0.isEmpty }.joined(separator: ": ")
            return TopologyError("YAML syntax: \(text)", at: SourceMark(file: file, line: mark.line, column: mark.column))
        case let .duplicatedKeysInMapping(duplicates, context):
            return TopologyError("duplicate key \(duplicates.map { "\"\($0)\"" }.joined(separator: ", ")) in a mapping",
                                 at: SourceMark(file: file, line: context.mark.line, column: context.mark.column))
        default:
            return TopologyError("YAML: \(error)", at: SourceMark(file: file, line: 1, column: 1))
        }
    }
}
