import HostState

/// `bridges:` entry. With no uplink among its ports it is a guest-only private bridge.
///
///     bridges:
///       - name: xenbr-priv0
///         mtu: 9000
///         stp: false
///         ports: [eth3]
///         addresses: { per_host: { hv01: [198.51.100.1/24] } }
public struct BridgeSpec {
    let header: ObjectHeader
    let mtu: YNode?
    let stp: YNode?
    let ports: YNode?
    let subnet: YNode?
    let addresses: YNode?

    static let kind = "bridge"

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> BridgeSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a bridges entry")
            let header = try parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = BridgeSpec(header: header, mtu: r.optional("mtu"), stp: r.optional("stp"),
                                  ports: r.optional("ports"), subnet: r.optional("subnet"),
                                  addresses: r.optional("addresses"))
            for field in [spec.mtu, spec.stp, spec.ports, spec.subnet, spec.addresses] {
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
        var ports: [String] = []
        for (port, item) in try named.strings(self.ports, "ports") {
            if let problem = InterfaceName.problem(port) { throw named.fail("port \"\(port)\" \(problem)", at: item) }
            if port == name { throw named.fail("a bridge cannot be its own port", at: item) }
            if ports.contains(port) { throw named.fail("port \(port) is listed twice", at: item) }
            ports.append(port)
        }
        let subnet = try named.subnet(subnet)
        return DesiredBridge(name: name, mtu: try named.mtu(mtu), stp: try named.bool(stp, "stp") ?? false,
                             ports: ports, addresses: try named.addresses(addresses, subnet: subnet), mark: header.mark)
    }
}
