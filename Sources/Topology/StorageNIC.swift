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
            let header = parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
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

    /// Every mistake of the NIC on this host is reported together (see ErrorSink.finish).
    func resolve(for host: PoolHost, layout: StorageLayout) throws -> DesiredNIC? {
        guard header.applies(to: host.name) else { return nil }
        let problems = ErrorSink()
        let name = header.resolveName(host, problems: problems)
        let named = header.resolver(host, name: name)
        let (subnet, badSubnet) = problems.field { try named.subnet(self.subnet) }
        // Addresses are judged against the subnet: against a bad one they would only add noise.
        let addresses = badSubnet ? nil : problems.value { try named.addresses(self.addresses, subnet: subnet) }
        let mtu = problems.value { try named.mtu(self.mtu) }
        let sysctls = problems.value {
            try named.storageSysctls(nic: name ?? "", layout: layout, ipv6: ipv6, overrides: self.sysctls, addresses: addresses ?? [])
        }
        return try problems.finish(name.flatMap { name in
            addresses.flatMap { addresses in sysctls.map { DesiredNIC(name: name, mtu: mtu, addresses: addresses, sysctls: $0, mark: header.mark) } }
        })
    }
}

/// Reads `name` and `hosts`, the keys every object kind has. A missing name or a bad `hosts`
/// is collected, and the rest of the object is still read.
func parseHeader(_ r: MappingReader, kind: String, node: YNode, hosts: Set<String>, errors: ErrorSink) -> ObjectHeader {
    let name = r.required("name", errors: errors)
    let label = ObjectHeader(kind: kind, name: name ?? node, hosts: nil, mark: node.mark).label
    checkPerHost(name, hosts: hosts, errors: errors, object: label)
    let only = errors.value { try parseHeaderlessHosts(r, hosts: hosts, errors: errors, object: label) }
    return ObjectHeader(kind: kind, name: name ?? node, hosts: only, mark: node.mark, hasName: name != nil)
}
