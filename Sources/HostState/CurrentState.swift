/// Everything read from one host (or namespace) in a single pass: one dump per object class.
public struct CurrentState: Sendable, Codable, Equatable {
    public var links: [LinkState]
    public var addresses: [AddressState]
    /// Only the sysctls the file manages (and their `all` and `default` values).
    public var sysctls: [SysctlValue]
    /// Only default routes, and only when the file has storage NICs.
    public var routes: [RouteState]
    /// iSCSI and multipath, only when the file declares iSCSI.
    public var iscsi: ISCSIState?
    /// Fibre Channel ports and NPIV vports, only when the file declares vports.
    public var fc: FCState?
    /// What decides which addresses are the pool's; nil when not read (the kernel's marks, and no
    /// record yet).
    public var addressOwnership: AddressOwnership?
    /// The host's other network managers, as far as the file's devices go (nil: not read).
    public var foreign: ForeignState?

    public init(links: [LinkState] = [], addresses: [AddressState] = [], sysctls: [SysctlValue] = [], routes: [RouteState] = [],
                iscsi: ISCSIState? = nil, fc: FCState? = nil, addressOwnership: AddressOwnership? = nil) {
        self.addressOwnership = addressOwnership
        self.iscsi = iscsi
        self.fc = fc
        self.links = links
        self.addresses = addresses
        self.sysctls = sysctls
        self.routes = routes
    }

    enum CodingKeys: String, CodingKey { case links, addresses, sysctls, routes, iscsi, fc, addressOwnership = "address_ownership", foreign }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        links = try c.decodeIfPresent([LinkState].self, forKey: .links) ?? []
        addresses = try c.decodeIfPresent([AddressState].self, forKey: .addresses) ?? []
        sysctls = try c.decodeIfPresent([SysctlValue].self, forKey: .sysctls) ?? []
        routes = try c.decodeIfPresent([RouteState].self, forKey: .routes) ?? []
        iscsi = try c.decodeIfPresent(ISCSIState.self, forKey: .iscsi)
        fc = try c.decodeIfPresent(FCState.self, forKey: .fc)
        addressOwnership = try c.decodeIfPresent(AddressOwnership.self, forKey: .addressOwnership)
        foreign = try c.decodeIfPresent(ForeignState.self, forKey: .foreign)
    }

    public func sysctlValues() -> [SysctlKey: Int] {
        var values = [SysctlKey: Int](minimumCapacity: sysctls.count)
        for sysctl in sysctls.reversed() { values[sysctl.key] = sysctl.value }  // the first of a key wins
        return values
    }

    /// Links by name, built once per plan so that matching stays linear.
    public func linksByName() -> [String: LinkState] {
        // Filled in place, last to first so that the first of a name is kept: no array of
        // (name, link) pairs copied first, one hash look-up each.
        var byName = [String: LinkState](minimumCapacity: links.count)
        for link in links.reversed() { byName[link.name] = link }
        return byName
    }

    /// Addresses grouped by link name.
    public func addressesByLink() -> [String: [AddressState]] {
        Dictionary(grouping: addresses, by: { $0.link })
    }

    /// A stable, order-independent form for comparing two reads.
    public func normalized() -> CurrentState {
        CurrentState(links: links.sorted { $0.name < $1.name },
                     addresses: addresses.sorted { ($0.link, $0.prefix) < ($1.link, $1.prefix) },
                     sysctls: sysctls.sorted { $0.key < $1.key },
                     routes: routes.sorted { ($0.link, $0.destination) < ($1.link, $1.destination) }, iscsi: iscsi, fc: fc,
                     addressOwnership: addressOwnership)
    }
}
