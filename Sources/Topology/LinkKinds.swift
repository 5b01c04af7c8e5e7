import HostState

/// A link kind's entry in the pool file: the top-level key it is listed under, how an entry is
/// parsed and how it resolves on one host. Each kind's file declares its conformance.
protocol LinkSpec: SendableMetatype {
    associatedtype Desired: DesiredLink
    /// The top-level key, e.g. `vlans`.
    static var fileKey: String { get }
    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> Self?
    /// The link on `host`; nil when the entry does not apply to it.
    func resolve(for host: PoolHost, in topology: Topology) throws -> Desired?
}

extension Topology {
    /// The link kinds the file may declare: the one line that lists them. Their order is the
    /// order the file's keys are suggested in, the host checks claim names and `DesiredLinks.all`
    /// lists them; the planner orders its work by stack depth.
    static let linkKinds: [any LinkSpec.Type] = [BridgeSpec.self, VLANSpec.self, BondSpec.self, VXLANSpec.self]

    /// The desired type of each link kind, in the registry's order.
    public static let desiredLinkTypes: [any DesiredLink.Type] = linkKinds.map { $0.desiredType }
}

extension LinkSpec {
    static var desiredType: any DesiredLink.Type { Desired.self }

    /// Parses every entry of the kind's list (nodes whose structure failed are left out, with
    /// their problems in `errors`).
    static func parseAll(_ nodes: [YNode], hosts: Set<String>, into specs: inout LinkSpecs, errors: ErrorSink) {
        specs[Self.self] = nodes.compactMap { parse($0, hosts: hosts, errors: errors) }
    }

    /// This kind's links on `host`, every problem collected.
    static func resolveAll(_ topology: Topology, for host: PoolHost, into links: inout DesiredLinks, errors: ErrorSink) {
        links[Desired.self] = topology.linkSpecs[Self.self].compactMap { spec in
            errors.collect { try spec.resolve(for: host, in: topology) } ?? nil
        }
    }
}

/// The file's link entries, one list per kind.
struct LinkSpecs {
    private var lists: [ObjectIdentifier: Any] = [:]

    subscript<Spec: LinkSpec>(_ kind: Spec.Type) -> [Spec] {
        get { (lists[ObjectIdentifier(kind)] as? [Spec]) ?? [] }
        set { lists[ObjectIdentifier(kind)] = newValue }
    }
}
