/// Everything read from one host (or namespace) in a single pass: one dump per object class.
public struct CurrentState: Sendable, Codable, Equatable {
    public var links: [LinkState]
    public var addresses: [AddressState]

    public init(links: [LinkState] = [], addresses: [AddressState] = []) {
        self.links = links
        self.addresses = addresses
    }

    /// Links by name, built once per plan so that matching stays linear.
    public func linksByName() -> [String: LinkState] {
        Dictionary(links.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Addresses grouped by link name.
    public func addressesByLink() -> [String: [AddressState]] {
        Dictionary(grouping: addresses, by: { $0.link })
    }

    /// A stable, order-independent form for comparing two reads.
    public func normalized() -> CurrentState {
        CurrentState(links: links.sorted { $0.name < $1.name },
                     addresses: addresses.sorted { ($0.link, $0.prefix) < ($1.link, $1.prefix) })
    }
}
