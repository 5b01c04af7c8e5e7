import HostState

/// `storage_nics:` entry. A dedicated storage NIC: jumbo MTU, per-host addresses, never a gateway.
///
///     storage_nics:
///       - name: eth1
///         mtu: 9000
///         subnet: 192.0.2.0/24
///         addresses: ["192.0.2.${index + 10}"]
public struct StorageNICSpec {
    let header: ObjectHeader
    let mtu: YNode?
    let subnet: YNode?
    let addresses: YNode?
    let ipv6: YNode?
    let sysctls: YNode?

    static let kind = "storage_nic"

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> StorageNICSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a storage_nics entry", keys: ["name", "hosts", "mtu", "subnet", "addresses", "ipv6", "sysctls", "gateway"])
            let header = try parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = StorageNICSpec(header: header, mtu: r.optional("mtu"), subnet: r.optional("subnet"),
                                      addresses: r.optional("addresses"), ipv6: r.optional("ipv6"), sysctls: r.optional("sysctls"))
            for field in [spec.mtu, spec.subnet, spec.addresses, spec.ipv6, spec.sysctls] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            if r.keyNode("gateway") != nil {
                errors.add("storage NICs carry no gateway: storage traffic must not be routed", at: r.keyNode("gateway")!.mark, object: header.label)
                _ = r.optional("gateway")
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    func resolve(for host: PoolHost, layout: StorageLayout) throws -> DesiredNIC? {
        guard header.applies(to: host.name) else { return nil }
        let r = HostResolver(host: host, object: header.label)
        guard let name = try r.interfaceName(header.name, "name") else {
            throw r.fail("storage_nic has no name on this host", at: header.name)
        }
        let named = HostResolver(host: host, object: "\(Self.kind) \(name)")
        let subnet = try named.subnet(subnet)
        let addresses = try named.addresses(addresses, subnet: subnet)
        return DesiredNIC(name: name, mtu: try named.mtu(mtu), addresses: addresses,
                          sysctls: try named.storageSysctls(nic: name, layout: layout, ipv6: ipv6, overrides: sysctls, addresses: addresses),
                          mark: header.mark)
    }
}

/// Reads `name` and `hosts`, the keys every object kind has.
func parseHeader(_ r: MappingReader, kind: String, node: YNode, hosts: Set<String>, errors: ErrorSink) throws -> ObjectHeader {
    let name = try r.required("name")
    let label = ObjectHeader(kind: kind, name: name, hosts: nil, mark: node.mark).label
    checkPerHost(name, hosts: hosts, errors: errors, object: label)
    var only: [String]?
    if let list = r.optional("hosts") {
        only = try list.sequence("hosts").compactMap { item in
            guard let host = errors.collect({ try item.string("a host name") }) else { return nil }
            if !hosts.contains(host) {
                errors.add("\"\(host)\" is not a host in this file (hosts: \(hosts.sorted().joined(separator: ", ")))", at: item.mark, object: label)
            }
            return host
        }
    }
    return ObjectHeader(kind: kind, name: name, hosts: only, mark: node.mark)
}
