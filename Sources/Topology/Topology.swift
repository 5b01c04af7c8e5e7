import HostState

/// One host of the pool, with the values that expressions may use.
public struct PoolHost: Sendable {
    public var name: String
    public var index: Int
    public var vars: [String: String]
    public var mark: SourceMark

    public var context: HostContext { HostContext(name: name, index: index, vars: vars) }
}

/// The whole pool file, structurally checked; per-host values are resolved later, per host.
public struct Topology {
    public var file: String
    public var pool: String
    public var layout: StorageLayout
    public var hosts: [PoolHost]
    public var storageNICs: [StorageNICSpec]
    /// The bridges, VLANs, bonds, VXLANs, … the file declares (each kind's file reads its list).
    var linkSpecs = LinkSpecs()
    public var iscsi: ISCSISpec?
    public var vports: [VPortSpec] = []
    /// YAML values in the file (the prescan's count), for the hosts × values bound.
    var valueCount = 0
    public var coexist = CoexistPolicy()

    public func host(named name: String) -> PoolHost? { hosts.first { $0.name == name } }
}

/// What every kind of object shares: a name and an optional list of hosts it applies to.
struct ObjectHeader {
    let kind: String
    /// The `name` value; the entry itself when the key is missing (`hasName` false).
    let name: YNode
    let hosts: [String]?
    let mark: SourceMark
    var hasName = true

    /// Label used in error messages before the name is resolved.
    var label: String {
        if let s = name.scalar?.string, !HostExpression.hasExpression(s) { return "\(kind) \(s)" }
        return "\(kind) at line \(mark.line)"
    }

    func applies(to host: String) -> Bool { hosts?.contains(host) ?? true }

    /// This host's name for the object; nil with the reason kept in `problems` (nothing kept when
    /// the key is missing: the structural pass reported it).
    func resolveName(_ host: PoolHost, problems: ErrorSink, interface: Bool = true) -> String? {
        guard hasName else { return nil }
        let r = HostResolver(host: host, object: label)
        return problems.value {
            let found = interface ? try r.interfaceName(name, "name") : try r.string(name, "name")
            guard let found, !found.isEmpty else { throw r.fail("\(kind) has no name on this host", at: name) }
            return found
        }
    }

    /// The resolver for the object's other fields: errors name it by its name on this host.
    func resolver(_ host: PoolHost, name: String?) -> HostResolver {
        HostResolver(host: host, object: name.map { "\(kind) \($0)" } ?? label)
    }
}
