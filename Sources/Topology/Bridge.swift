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
            let header = try parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let portsNode = r.optional("ports")
            var ports: [PortSpec] = []
            if let portsNode {
                switch portsNode.node {
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

    func resolve(for host: PoolHost) throws -> DesiredBridge? {
        guard header.applies(to: host.name) else { return nil }
        let r = HostResolver(host: host, object: header.label)
        guard let name = try r.interfaceName(header.name, "name") else {
            throw r.fail("bridge has no name on this host", at: header.name)
        }
        let named = HostResolver(host: host, object: "\(Self.kind) \(name)")
        let filtering = try named.bool(vlanFiltering, "vlan_filtering") ?? false
        var ports: [String] = []
        var portVLANs: [String: [BridgeVLAN]] = [:]
        // A per-host list of plain names (`ports: { per_host: … }`) or a list of entries.
        let entries: [(PortSpec, YNode)]
        if let portsNode, case .mapping = portsNode.node {
            entries = try named.strings(portsNode, "ports").map { (PortSpec(name: $1, vlans: nil, pvid: nil, untagged: nil), $1) }
        } else {
            entries = self.ports.map { ($0, $0.name) }
        }
        for (spec, item) in entries {
            guard let port = try named.string(spec.name, "port") else { continue }
            if let problem = InterfaceName.problem(port) { throw named.fail("port \"\(port)\" \(problem)", at: item) }
            if port == name { throw named.fail("a bridge cannot be its own port", at: item) }
            if ports.contains(port) { throw named.fail("port \(port) is listed twice", at: item) }
            ports.append(port)
            if spec.managesVLANs {
                guard filtering else { throw named.fail("port \(port) lists VLANs, which need vlan_filtering: true on the bridge", at: item) }
                portVLANs[port] = try named.bridgeVLANs(vlans: spec.vlans, pvid: spec.pvid, untagged: spec.untagged, at: item)
            }
        }
        var selfVLANs: [BridgeVLAN]?
        if vlans != nil || pvid != nil || untagged != nil {
            guard filtering else { throw named.fail("the bridge lists its own VLANs, which need vlan_filtering: true", at: header.name) }
            selfVLANs = try named.bridgeVLANs(vlans: vlans, pvid: pvid, untagged: untagged, at: header.name)
        }
        let subnet = try named.subnet(subnet)
        return DesiredBridge(name: name, mtu: try named.mtu(mtu), stp: try named.bool(stp, "stp") ?? false,
                             vlanFiltering: filtering, selfVLANs: selfVLANs, ports: ports, portVLANs: portVLANs,
                             addresses: try named.addresses(addresses, subnet: subnet), mark: header.mark)
    }
}
