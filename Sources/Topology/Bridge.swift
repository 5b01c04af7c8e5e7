import HostState

/// `bridges:` entry. With no uplink among its ports it is a guest-only private bridge.
///
///     bridges:
///       - name: xenbr-priv0
///         mtu: 9000
///         stp: false
///         ports: [eth3]
///         addresses: { per_host: { hv01: [198.51.100.1/24] } }
///
/// A VLAN-aware bridge filters by VLAN on each port:
///
///       - name: brtrunk
///         vlan_filtering: true
///         vlans: [10]                      # the bridge's own VLANs (for an address on it)
///         ports:
///           - { name: bond0, vlans: "100-110,200" }
///           - { name: eth3, pvid: 10, untagged: [10] }
public struct BridgeSpec {
    let header: ObjectHeader
    let mtu: YNode?
    let stp: YNode?
    let vlanFiltering: YNode?
    let vlans: YNode?
    let pvid: YNode?
    let untagged: YNode?
    let ports: [PortSpec]
    let portsNode: YNode?
    let subnet: YNode?
    let addresses: YNode?

    static let kind = "bridge"

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> BridgeSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a bridges entry", keys: ["name", "hosts", "mtu", "stp", "vlan_filtering", "vlans", "pvid", "untagged", "ports", "subnet", "addresses"])
            let header = parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let portsNode = r.optional("ports")
            var ports: [PortSpec] = []
            if let portsNode {
                switch portsNode.kind {
                case .sequence:
                    ports = try portsNode.sequence("ports").compactMap { PortSpec.parse($0, hosts: hosts, errors: errors, object: header.label) }
                case .mapping:
                    checkPerHost(portsNode, hosts: hosts, errors: errors, object: header.label)
                default:
                    errors.add("ports must be a list, found \(portsNode.typeName)", at: portsNode.mark, object: header.label)
                }
            }
            let spec = BridgeSpec(header: header, mtu: r.optional("mtu"), stp: r.optional("stp"),
                                  vlanFiltering: r.optional("vlan_filtering"), vlans: r.optional("vlans"),
                                  pvid: r.optional("pvid"), untagged: r.optional("untagged"),
                                  ports: ports, portsNode: portsNode, subnet: r.optional("subnet"),
                                  addresses: r.optional("addresses"))
            for field in [spec.mtu, spec.stp, spec.vlanFiltering, spec.vlans, spec.pvid, spec.untagged, spec.subnet, spec.addresses] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    /// Every mistake of the bridge on this host is reported together (see ErrorSink.finish).
    func resolve(for host: PoolHost) throws -> DesiredBridge? {
        guard header.applies(to: host.name) else { return nil }
        let problems = ErrorSink()
        let name = header.resolveName(host, problems: problems)
        let named = header.resolver(host, name: name)
        let (filteringValue, badFiltering) = problems.field { try named.bool(vlanFiltering, "vlan_filtering") }
        let filtering = filteringValue ?? false
        /// VLANs need vlan_filtering: true; when that value is itself wrong, it was reported already.
        func needsFiltering(_ message: String, at node: YNode) throws -> Bool {
            if filtering { return true }
            if badFiltering { return false }
            throw named.fail(message, at: node)
        }
        var ports: [String] = []
        var portVLANs: [String: [BridgeVLAN]] = [:]
        // A per-host list of plain names (`ports: { per_host: … }`) or a list of entries.
        let entries: [(PortSpec, YNode)]
        if let portsNode, portsNode.kind == .mapping {
            entries = problems.value { try named.strings(portsNode, "ports").map { (PortSpec(name: $1, vlans: nil, pvid: nil, untagged: nil), $1) } } ?? []
        } else {
            entries = self.ports.map { ($0, $0.name) }
        }
        for (spec, item) in entries {
            problems.collect {
                guard let port = try named.string(spec.name, "port") else { return }
                if let problem = InterfaceName.problem(port) { throw named.fail("port \"\(port)\" \(problem)", at: item) }
                if port == name { throw named.fail("a bridge cannot be its own port", at: item) }
                if ports.contains(port) { throw named.fail("port \(port) is listed twice", at: item) }
                ports.append(port)
                guard spec.managesVLANs else { return }
                // The VLAN values are judged even when vlan_filtering is missing: both are mistakes.
                let set = problems.value { try named.bridgeVLANs(vlans: spec.vlans, pvid: spec.pvid, untagged: spec.untagged, at: item) }
                if try needsFiltering("port \(port) lists VLANs, which need vlan_filtering: true on the bridge", at: item) { portVLANs[port] = set }
            }
        }
        var selfVLANs: [BridgeVLAN]?
        if vlans != nil || pvid != nil || untagged != nil {
            let set = problems.value { try named.bridgeVLANs(vlans: vlans, pvid: pvid, untagged: untagged, at: header.name) }
            selfVLANs = problems.value { try needsFiltering("the bridge lists its own VLANs, which need vlan_filtering: true", at: header.name) ? set : nil }
        }
        let (subnet, badSubnet) = problems.field { try named.subnet(self.subnet) }
        let addresses = badSubnet ? [] : problems.value { try named.addresses(self.addresses, subnet: subnet) }
        let mtu = problems.value { try named.mtu(self.mtu) }
        let stp = problems.value { try named.bool(self.stp, "stp") } ?? false
        return try problems.finish(name.map { name in
            DesiredBridge(name: name, mtu: mtu, stp: stp, vlanFiltering: filtering, selfVLANs: selfVLANs, ports: ports, portVLANs: portVLANs,
                          addresses: addresses ?? [], mark: header.mark)
        })
    }
}

extension DesiredBridge {
    /// The bridge options the file manages (the default PVID is the kernel's).
    public var options: BridgeOptions { BridgeOptions(stp: stp, vlanFiltering: vlanFiltering) }

    /// The kind and options it is created with.
    public var linkOptions: LinkOptions { .bridge(options) }

    /// Every bridge option changes in place; only another kind of device is replaced.
    public func keepsIdentity(of link: LinkState) -> Bool { link.kind == .bridge }
}

/// A bridge on one host; with no uplink among its ports it is a guest-only private bridge.
public struct DesiredBridge: Sendable, Equatable {
    public var name: String
    public var mtu: UInt32?
    public var stp: Bool
    public var vlanFiltering: Bool
    /// The bridge's own VLANs, when the file manages them.
    public var selfVLANs: [BridgeVLAN]?
    public var ports: [String]
    /// The exact VLAN set of the ports whose entry lists VLANs; other ports are left as they are.
    public var portVLANs: [String: [BridgeVLAN]]
    public var addresses: [DesiredAddress]
    public var mark: SourceMark

    public init(name: String, mtu: UInt32? = nil, stp: Bool = false, vlanFiltering: Bool = false, selfVLANs: [BridgeVLAN]? = nil,
                ports: [String] = [], portVLANs: [String: [BridgeVLAN]] = [:], addresses: [DesiredAddress] = [], mark: SourceMark) {
        self.name = name
        self.mtu = mtu
        self.stp = stp
        self.vlanFiltering = vlanFiltering
        self.selfVLANs = selfVLANs
        self.portVLANs = portVLANs
        self.ports = ports
        self.addresses = addresses
        self.mark = mark
    }
}

// The kind's registration: its file key and what the resolver, host checks and planner ask of it.
extension BridgeSpec: LinkSpec {
    static let fileKey = "bridges"

    func resolve(for host: PoolHost, in topology: Topology) throws -> DesiredBridge? { try resolve(for: host) }
}

extension DesiredBridge: DesiredLink {
    public static let kind = LinkKind.bridge
    public static let fileKind = BridgeSpec.kind
    public var lowerDevices: [String] { ports }
}

extension Topology {
    public var bridges: [BridgeSpec] { linkSpecs[BridgeSpec.self] }

    /// Whether a bridge of the file lists VLANs (its own or a port's), before any host is resolved:
    /// a guess for the state read started early (the bridge may not apply to this host).
    public var listsBridgeVLANs: Bool {
        bridges.contains { $0.vlans != nil || $0.pvid != nil || $0.untagged != nil || $0.ports.contains(where: \.managesVLANs) }
    }
}

extension DesiredState {
    public var bridges: [DesiredBridge] {
        get { links[DesiredBridge.self] }
        set { links[DesiredBridge.self] = newValue }
        _modify { yield &links[DesiredBridge.self] }
    }
}
