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
            let header = parseHeader(r, kind: kind, node: node, hosts: hosts, errors: errors)
            let spec = VLANSpec(header: header, link: r.optional("link"), id: r.optional("id"), mtu: r.optional("mtu"))
            for field in [spec.link, spec.id, spec.mtu] {
                checkPerHost(field, hosts: hosts, errors: errors, object: header.label)
            }
            r.unknownKeys().forEach(errors.add)
            return spec
        }
    }

    /// Every mistake of the VLAN on this host is reported together (see ErrorSink.finish).
    func resolve(for host: PoolHost) throws -> DesiredVLAN? {
        guard header.applies(to: host.name) else { return nil }
        let problems = ErrorSink()
        let name = header.resolveName(host, problems: problems)
        let named = header.resolver(host, name: name)
        // PARENT.ID names give both; explicit keys win.
        var derivedLink: String?
        var derivedID: Int?
        if let name, let dot = name.lastIndex(of: "."), let n = Int(name[name.index(after: dot)...]) {
            derivedLink = String(name[..<dot])
            derivedID = n
        }
        let (explicitLink, badLink) = problems.field { try named.interfaceName(link, "link") }
        let (explicitID, badID) = problems.field { try named.int(id, "id") }
        let parent = explicitLink ?? derivedLink
        var vid = explicitID ?? derivedID
        if name != nil, parent == nil, !badLink {
            problems.add(named.fail("vlan needs \"link\" (its parent device) unless its name is PARENT.ID", at: header.name))
        }
        if name != nil, vid == nil, !badID {
            problems.add(named.fail("vlan needs \"id\" unless its name is PARENT.ID", at: header.name))
        }
        let idNode = (try? named.select(id)) ?? nil
        if let v = vid, !(1...4094).contains(v) {
            problems.add(named.fail("vlan id \(v) is out of range (1–4094)", at: idNode ?? header.name))
            vid = nil
        } else if let v = vid, let derivedID, derivedID != v, let name {
            problems.add(named.fail("id \(v) differs from the id \(derivedID) the name \(name) implies; rename the VLAN or drop \"id\"", at: idNode ?? header.name))
        }
        if let parent, parent == name {
            problems.add(named.fail("a vlan cannot be its own parent", at: ((try? named.select(link)) ?? nil) ?? header.name))
        }
        let mtu = problems.value { try named.mtu(self.mtu) }
        return try problems.finish(name.flatMap { name in
            parent.flatMap { parent in vid.map { DesiredVLAN(name: name, link: parent, id: UInt16($0), mtu: mtu, mark: header.mark) } }
        })
    }
}

extension DesiredVLAN {
    /// The kind and options it is created with, compared with the live link's.
    public var linkOptions: LinkOptions { .vlan(id: id) }

    /// A VLAN's id and parent cannot change in place: another id or parent is another device.
    public func keepsIdentity(of link: LinkState) -> Bool {
        link.options == linkOptions && link.link == self.link
    }
}

/// An 802.1Q VLAN device on one host.
public struct DesiredVLAN: Sendable, Equatable {
    public var name: String
    public var link: String
    public var id: UInt16
    public var mtu: UInt32?
    public var mark: SourceMark

    public init(name: String, link: String, id: UInt16, mtu: UInt32? = nil, mark: SourceMark) {
        self.name = name
        self.link = link
        self.id = id
        self.mtu = mtu
        self.mark = mark
    }
}

// The kind's registration: its file key and what the resolver, host checks and planner ask of it.
extension VLANSpec: LinkSpec {
    static let fileKey = "vlans"

    func resolve(for host: PoolHost, in topology: Topology) throws -> DesiredVLAN? { try resolve(for: host) }
}

extension DesiredVLAN: DesiredLink {
    public static let kind = LinkKind.vlan
    public static let fileKind = VLANSpec.kind
    public static let mayCarryStorageRole = true
    public var creationMTU: CreationMTU { .parents(link) }
    public var lowerDevices: [String] { [link] }
}

extension Topology {
    public var vlans: [VLANSpec] { linkSpecs[VLANSpec.self] }
}

extension DesiredState {
    public var vlans: [DesiredVLAN] {
        get { links[DesiredVLAN.self] }
        set { links[DesiredVLAN.self] = newValue }
        _modify { yield &links[DesiredVLAN.self] }
    }
}
