import Foundation
import HostState
import Yams

extension Topology {
    /// The pool file's top-level keys.
    static let keys = ["pool", "hosts", "storage", "storage_nics"] + linkKinds.map { $0.fileKey } + ["iscsi", "fc", "coexist"]

    /// Reads and structurally checks a pool file. Per-host values are checked by `validate()`.
    public static func load(path: String) throws(TopologyErrors) -> Topology { try loadKeepingBytes(path: path).topology }

    /// `load(path:)`, also returning the bytes it parsed: a digest of them names exactly the file checked.
    public static func loadKeepingBytes(path: String) throws(TopologyErrors) -> (topology: Topology, bytes: [UInt8]) {
        let data = try readBytes(path: path)
        return (try parse(bytes: data, file: path), data)
    }

    /// The pool file's bytes, bounded in size (see `PoolFile.read`); the error names the file.
    public static func readBytes(path: String) throws(TopologyErrors) -> [UInt8] {
        switch PoolFile.read(path) {
        case .failure(let reason): throw TopologyErrors([TopologyError(reason.message, at: SourceMark(file: path, line: 1, column: 1))])
        case .success(let bytes): return bytes
        }
    }

    /// `parse(yaml:file:)` of bytes read with `readBytes(path:)`.
    public static func parse(bytes: [UInt8], file: String) throws(TopologyErrors) -> Topology {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw TopologyErrors([TopologyError("the file is not UTF-8 text", at: SourceMark(file: file, line: 1, column: 1))])
        }
        return try parse(yaml: text, file: file)
    }

    public static func parse(yaml: String, file: String) throws(TopologyErrors) -> Topology {
        let start = SourceMark(file: file, line: 1, column: 1)
        if yaml.utf8.count > InputLimits.maxFileBytes {
            throw TopologyErrors([TopologyError(PoolFile.tooLarge(yaml.utf8.count), at: start)])
        }
        // Bounds first: Yams composes the whole file before anything else can look at it.
        let scan = YAMLPrescan.scan(yaml, file: file)
        if !scan.errors.isEmpty { throw TopologyErrors(scan.errors) }
        if scan.nodes > InputLimits.maxNodes {
            throw TopologyErrors([TopologyError("the file has about \(scan.nodes) YAML values; a pool file may have at most \(InputLimits.maxNodes)", at: start)])
        }
        if scan.aliases > InputLimits.maxAliases {
            throw TopologyErrors([TopologyError("the file uses \(scan.aliases) aliases (*name); a pool file may use at most \(InputLimits.maxAliases)", at: start)])
        }
        let root = try composeTree(yaml, file: file, expectedNodes: scan.nodes)
        let mayHaveAliases = yaml.utf8.contains(UInt8(ascii: "*"))
        if let problem = NodeBudget.check(root, mayHaveAliases: mayHaveAliases) { throw TopologyErrors([problem]) }

        let errors = ErrorSink()
        let topology = errors.collect { () throws -> Topology in
            let r = try MappingReader(root, what: "the pool file", keys: Topology.keys)
            let pool = try r.required("pool").string("pool")
            if pool.isEmpty || pool.unicodeScalars.contains(where: { $0 == ":" || $0.properties.isWhitespace || $0.properties.generalCategory == .control }) {
                errors.add("pool \(MultipathKeys.quoted(pool)) must be a non-empty name without \":\", whitespace or control characters", at: r.optional("pool")!.mark)
            } else if pool.utf8.count > maxPoolNameBytes {
                errors.add("pool is \(pool.utf8.count) bytes long; at most \(maxPoolNameBytes) fit in the ownership alias \"\(Ownership.portAlias(pool: "…"))\" (the kernel's IFALIASZ is 256 bytes)",
                           at: r.optional("pool")!.mark)
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
            let linkEntries = try Self.linkKinds.map { kind in try r.optional(kind.fileKey).map { try $0.sequence(kind.fileKey) } ?? [] }
            let iscsi = r.optional("iscsi").flatMap { ISCSISpec.parse($0, hosts: names, errors: errors) }
            let vports = r.optional("fc").map { VPortSpec.parseSection($0, hosts: names, errors: errors) } ?? []
            let coexist = r.optional("coexist").flatMap { CoexistPolicy.parse($0, errors: errors) } ?? CoexistPolicy()
            r.unknownKeys().forEach(errors.add)
            var topology = Topology(file: file, pool: pool, layout: layout, hosts: hosts,
                                    storageNICs: nics.compactMap { StorageNICSpec.parse($0, hosts: names, errors: errors) }, iscsi: iscsi, vports: vports)
            for (kind, entries) in zip(Self.linkKinds, linkEntries) { kind.parseAll(entries, hosts: names, into: &topology.linkSpecs, errors: errors) }
            topology.coexist = coexist
            return topology
        }
        guard var topology else { throw TopologyErrors(errors.errors) }
        topology.valueCount = scan.nodes
        // Every problem in one run: the objects that parsed are validated too, so that fixing the
        // structural mistakes does not reveal a second round.
        if !errors.errors.isEmpty { throw TopologyErrors(errors.errors + topology.validate()) }
        return topology
    }

    /// The document's root. Composed by `YAMLComposer`; what it hands back (a syntax error, an
    /// undefined alias, a key written twice) is composed again by Yams for its error.
    static func composeTree(_ yaml: String, file: String, expectedNodes: Int) throws(TopologyErrors) -> YNode {
        let start = SourceMark(file: file, line: 1, column: 1)
        let accepted: YAMLTree?
        switch YAMLComposer.compose(yaml, file: file, expectedNodes: expectedNodes) {
        case .tree(let tree): return tree.root!
        case .empty: throw TopologyErrors([TopologyError("the file is empty", at: start)])
        case .askYams(let tree): accepted = tree
        }
        do {
            // No implicit tag resolution: only the error matters here, and the default resolver
            // runs several regular expressions on every scalar.
            let node = try Yams.compose(yaml: yaml, .basic)
            if let accepted, node != nil { return accepted.root! }
            if node == nil { throw TopologyErrors([TopologyError("the file is empty", at: start)]) }
        } catch let e as TopologyErrors {
            throw e
        } catch let e as YamlError {
            throw TopologyErrors([yamlSyntaxError(e, file: file, text: yaml)])
        } catch {
            throw TopologyErrors([TopologyError("cannot parse YAML: \(error)", at: start)])
        }
        // Yams composed what libyaml's events did not: never expected; said rather than guessed.
        throw TopologyErrors([TopologyError("cannot parse YAML: the composer and Yams disagree about this file", at: start)])
    }

    /// `hosts:` is either a list of names (index = position, from 1) or a mapping
    /// `name: { index: N, vars: { key: value } }`.
    static func parseHosts(_ node: YNode, errors: ErrorSink) throws -> [PoolHost] {
        var hosts: [PoolHost] = []
        if node.kind == .sequence {
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
                                let name = try key.string("a var name")
                                guard value.scalar != nil else {
                                    errors.add("var \(name) of host \(host.name) must be a string or a number, found \(value.typeName)", at: value.mark)
                                    continue
                                }
                                host.vars[name] = try value.string("var \(name)")
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
}
