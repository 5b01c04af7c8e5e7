import HostState

/// Why a set of hosts cannot be written as one pool file.
public struct PoolFileDraftError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// One object as one host has it: its fields in the order the file shows them (`name` first).
struct ObjectInstance {
    var host: DraftHost
    var name: String
    var fields: [YAMLEntry]

    func field(_ key: String) -> YAMLValue? { fields.first { $0.key == key }?.value }
}

/// Builds the pool file for some hosts from the desired state each must resolve to: objects
/// every host has once, values that differ per host as expressions or `per_host` maps, objects
/// on some hosts with `hosts:`. Used by `poolnet import` (one host) and `import --merge`.
struct PoolFileDraft {
    let pool: String
    let hosts: [ImportedHost]
    let real: [DraftHost]
    var pseudo: [String: DraftHost] = [:]   // remote VTEP address → the host standing for it
    var layout = StorageLayout.perPathSubnet

    init(pool: String, hosts: [ImportedHost]) {
        self.pool = pool
        self.hosts = hosts.sorted { $0.index < $1.index }
        real = self.hosts.map { DraftHost(name: $0.name, index: $0.index, pseudo: false) }
    }

    static let pseudoVar = "remote_vtep"

    mutating func render() throws -> String {
        try chooseLayout()
        var entries = [YAMLEntry("pool", .string(pool))]
        var sections: [YAMLEntry] = []
        let vxlans = try objects(kind: "vxlans") { state in state.vxlans.map { ($0.name, Self.vxlanFields($0)) } }
        let pseudoHosts = pseudo.values.sorted { $0.index < $1.index }
        let layout = self.layout
        let nics = try objects(kind: "storage_nics") { state in try state.nics.map { ($0.name, try Self.nicFields($0, layout: layout)) } }
        let bonds = try objects(kind: "bonds") { state in state.bonds.map { ($0.name, Self.bondFields($0)) } }
        let vlans = try objects(kind: "vlans") { state in state.vlans.map { ($0.name, Self.vlanFields($0)) } }
        let bridges = try objects(kind: "bridges") { state in state.bridges.map { ($0.name, Self.bridgeFields($0)) } }
        for (key, items) in [("storage_nics", nics), ("bonds", bonds), ("vlans", vlans), ("vxlans", vxlans), ("bridges", bridges)] where !items.isEmpty {
            sections.append(YAMLEntry(key, .list(items)))
        }
        if let iscsi = try iscsiSection() { sections.append(YAMLEntry("iscsi", iscsi)) }
        let vports = try objects(kind: "vports") { state in state.vports.map { ($0.name, Self.vportFields($0)) } }
        if !vports.isEmpty { sections.append(YAMLEntry("fc", .map([YAMLEntry("vports", .list(vports))]))) }

        var hostEntries = real.map { YAMLEntry($0.name, .map([YAMLEntry("index", .int($0.index))])) }
        for host in pseudoHosts {
            let address = pseudo.first { $0.value == host }!.key
            hostEntries.append(YAMLEntry(host.name, .map([YAMLEntry("index", .int(host.index)),
                                                           YAMLEntry("vars", .map([YAMLEntry(Self.pseudoVar, .string(address))]))]),
                                         comments: ["a remote VTEP (\(address)) of the VXLANs below: another host of the pool that no merged file",
                                                    "describes; it carries only those VXLANs (poolnet import --merge replaces it by that host's file)"]))
        }
        entries.append(YAMLEntry("hosts", .map(hostEntries)))
        if layout == .sharedSubnet { entries.append(YAMLEntry("storage", .map([YAMLEntry("layout", .string(layout.rawValue))]))) }
        return YAMLWriter.document(entries + sections, header: header())
    }

    func header() -> [String] {
        var lines = ["poolnet pool file, written by `poolnet import` from \(real.count == 1 ? "host \(real[0].name)" : "hosts \(real.map(\.name).joined(separator: ", "))")."]
        for host in hosts where !host.notes.isEmpty {
            lines.append("")
            lines.append("Not declared on host \(host.name):")
            lines += host.notes.map { "  - \($0)" }
        }
        return lines + [""]
    }

    /// Shared-subnet when every storage NIC has its ARP settings, so no NIC gets keys it lacks.
    mutating func chooseLayout() throws {
        layout = Self.sharedLayoutFits(hosts.flatMap(\.state.nics)) ? .sharedSubnet : .perPathSubnet
    }

    static func sharedLayoutFits(_ nics: [DesiredNIC]) -> Bool {
        !nics.isEmpty && nics.allSatisfy { nic in
            ["arp_ignore", "arp_announce", "rp_filter"].allSatisfy { nic.sysctls[SysctlKey(.ipv4, nic.name, $0)] != nil }
        }
    }

    // MARK: grouping

    /// Every host's objects of one kind, grouped across hosts: by equal name, then names that
    /// differ only by a per-host number; each group written once.
    mutating func objects(kind: String, _ build: (DesiredState) throws -> [(String, [YAMLEntry])]) throws -> [YAMLValue] {
        var groups: [[ObjectInstance]] = []
        var byName: [String: Int] = [:]
        for (host, imported) in zip(real, hosts) {
            for (name, fields) in try build(imported.state) {
                let instance = ObjectInstance(host: host, name: name, fields: fields)
                if let i = byName[name] { groups[i].append(instance) } else {
                    byName[name] = groups.count
                    groups.append([instance])
                }
            }
        }
        groups = combineNumbered(groups)
        var out: [YAMLValue] = []
        for group in groups {
            var instances = group
            if kind == "vxlans" { instances = try addRemoteVTEPs(group).0 }
            let allHosts = instances.map(\.host)
            if let fields = merge(instances, hosts: allHosts) {
                out.append(.map(withHosts(fields, allHosts, extra: [])))
            } else {
                for instance in group { out.append(.map(withHosts(instance.fields, [instance.host], extra: []))) }
            }
        }
        return out
    }

    /// Groups found on different hosts whose names differ only by a number that steps with the
    /// host's index (`br-h1` on host 1, `br-h2` on host 2) become one group.
    func combineNumbered(_ groups: [[ObjectInstance]]) -> [[ObjectInstance]] {
        var result: [[ObjectInstance]] = []
        var used = Set<Int>()
        for (i, group) in groups.enumerated() where !used.contains(i) {
            guard group.count < real.count else { result.append(group); continue }
            var combined = group
            let shape = Self.shape(group[0].name)
            for (j, other) in groups.enumerated() where j > i && !used.contains(j) && other.count < real.count && Self.shape(other[0].name) == shape {
                let hostsNow = Set(combined.map(\.host))
                guard other.allSatisfy({ !hostsNow.contains($0.host) }) else { continue }
                let candidate = combined + other
                if PerHostEncoding.pattern(candidate.map { ($0.host.index, $0.name) }) != nil {
                    combined = candidate
                    used.insert(j)
                }
            }
            result.append(combined)
        }
        return result
    }

    static func shape(_ name: String) -> String {
        PerHostEncoding.tokens(name).map { $0.first?.isNumber == true ? "#" : $0 }.joined()
    }

    func withHosts(_ fields: [YAMLEntry], _ hosts: [DraftHost], extra: [DraftHost]) -> [YAMLEntry] {
        let all = Set(hosts)
        guard all != Set(real) || !pseudo.isEmpty else { return fields }
        var out = fields
        let names = (hosts + extra).sorted { $0.index < $1.index }.map { YAMLValue.string($0.name) }
        out.insert(YAMLEntry("hosts", .list(names)), at: min(1, out.count))
        return out
    }

    /// One object's fields for all its hosts; nil when they cannot be one object (port entries
    /// that differ in shape), and the object is then written once per host.
    func merge(_ instances: [ObjectInstance], hosts: [DraftHost]) -> [YAMLEntry]? {
        if instances.count == 1 { return instances[0].fields }
        var keys: [String] = []
        for instance in instances { for entry in instance.fields where !keys.contains(entry.key) { keys.append(entry.key) } }
        var out: [YAMLEntry] = []
        for key in keys {
            let values = instances.compactMap { i in i.field(key).map { (i.host, $0) } }
            if key == "ports", values.contains(where: { Self.hasEntries($0.1) }) {
                guard values.count == instances.count, let merged = mergeEntries(values) else { return nil }
                out.append(YAMLEntry(key, merged))
            } else {
                out.append(YAMLEntry(key, PerHostEncoding.encode(values, hosts: hosts)))
            }
        }
        return out
    }

    static func hasEntries(_ value: YAMLValue) -> Bool {
        if case .list(let items) = value { return items.contains { if case .map = $0 { return true } else { return false } } }
        return false
    }

    /// Port lists with VLAN entries: position by position, plain names by one value or expression,
    /// entries field by field (fields of an entry may be per host; the list itself may not).
    func mergeEntries(_ values: [(DraftHost, YAMLValue)]) -> YAMLValue? {
        guard case .list(let first) = values[0].1 else { return nil }
        var rows: [[YAMLValue]] = []
        for (_, value) in values {
            guard case .list(let row) = value, row.count == first.count else { return nil }
            rows.append(row)
        }
        var merged: [YAMLValue] = []
        for position in first.indices {
            let column = zip(values, rows).map { ($0.0, $1[position]) }
            if column.allSatisfy({ if case .map = $0.1 { return true } else { return false } }) {
                let instances = column.map { host, value -> ObjectInstance in
                    guard case .map(let fields) = value else { fatalError("checked above") }
                    return ObjectInstance(host: host, name: "", fields: fields)
                }
                guard let fields = merge(instances, hosts: instances.map(\.host)) else { return nil }
                merged.append(.map(fields))
            } else {
                guard let value = PerHostEncoding.common(column) else { return nil }
                if case .map = value { return nil }
                merged.append(value)
            }
        }
        return .list(merged)
    }
}
