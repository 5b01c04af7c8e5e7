import HostState

/// `vlans:` entry. An 802.1Q sub-interface on a NIC or bond.
///
///     vlans:
///       - name: bond0.20          # parent and id taken from a PARENT.ID name
///       - name: vl-guests
///         link: eth1
///         id: 120
///         mtu: 9000
public struct VLANSpec {
    let header: ObjectHeader
    let link: YNode?
    let id: YNode?
    let mtu: YNode?

    static let kind = "vlan"

    static func parse(_ node: YNode, hosts: Set<String>, errors: ErrorSink) -> VLANSpec? {
        errors.collect {
            let r = try MappingReader(node, what: "a vlans entry", keys: ["name", "hosts", "link", "id", "mtu"])
            let header = try parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = VLANSpec(header: header, link: r.optional("link"), id: r.optional("id"), mtu: r.optional("mtu"))
            for field in [spec.link, spec.id, spec.mtu] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    func resolve(for host: PoolHost) throws -> DesiredVLAN? {
        guard header.applies(to: host.name) else { return nil }
        let r = HostResolver(host: host, object: header.label)
        guard let name = try r.interfaceName(header.name, "name") else {
            throw r.fail("vlan has no name on this host", at: header.name)
        }
        let named = HostResolver(host: host, object: "\(Self.kind) \(name)")
        // PARENT.ID names give both; explicit keys win.
        var derivedLink: String?
        var derivedID: Int?
        if let dot = name.lastIndex(of: "."), let n = Int(name[name.index(after: dot)...]) {
            derivedLink = String(name[..<dot])
            derivedID = n
        }
        guard let parent = try named.interfaceName(link, "link") ?? derivedLink else {
            throw named.fail("vlan needs \"link\" (its parent device) unless its name is PARENT.ID", at: header.name)
        }
        guard let vid = try named.int(id, "id") ?? derivedID else {
            throw named.fail("vlan needs \"id\" unless its name is PARENT.ID", at: header.name)
        }
        guard (1...4094).contains(vid) else {
            throw named.fail("vlan id \(vid) is out of range (1–4094)", at: try named.select(id) ?? header.name)
        }
        if let derivedID, derivedID != vid {
            throw named.fail("id \(vid) differs from the id \(derivedID) the name \(name) implies; rename the VLAN or drop \"id\"",
                             at: try named.select(id) ?? header.name)
        }
        if parent == name { throw named.fail("a vlan cannot be its own parent", at: try named.select(link) ?? header.name) }
        return DesiredVLAN(name: name, link: parent, id: UInt16(vid), mtu: try named.mtu(mtu), mark: header.mark)
    }
}
