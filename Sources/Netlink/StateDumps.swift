import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

extension RouteSocket {
    /// Every IPv4 and IPv6 address with its IFA_PROTO owner mark: one RTM_GETADDR dump.
    /// (libnl 3.7's address cache drops IFA_PROTO, which poolnet's ownership relies on.)
    func dumpAddresses(names: [Int32: String]) throws -> [AddressState] {
        try dump("addresses", .addresses, into: [AddressState]()) { result, message in
            guard let address = RawAddress(message), let link = names[address.index] else { return }
            result.append(AddressState(link: link, prefix: address.prefix, proto: address.proto, details: address.details))
        }
    }

    /// VLANs of every bridge port and bridge: one AF_BRIDGE RTM_GETLINK dump with compressed
    /// ranges (`bridge vlan show`).
    func dumpBridgeVLANs() throws -> [Int32: [BridgeVLAN]] {
        try dump("bridge VLANs", .bridgeVLANs, into: [Int32: [BridgeVLAN]]()) { result, message in
            guard let port = BridgePortVLANs(message) else { return }
            result[port.index, default: []] += port.vlans
        }
    }

    /// Remote VTEPs of every VXLAN device in `indexes`, from one AF_BRIDGE RTM_GETNEIGH dump
    /// (`bridge fdb show`), keeping the all-zero entries. One request whatever the number of
    /// VXLANs: a dump filtered by device (NDA_IFINDEX) walks every device in the kernel, so one
    /// per VXLAN made the read quadratic. `few`: the caller reads only some VXLANs again (the
    /// verification of a small change); up to `perDeviceFDBLimit` of them get one filtered dump
    /// each, which leaves out every other device's entries (the whole dump of 2,000 remotes at
    /// 1,000 VXLANs took 6 ms).
    func dumpVXLANRemotes(indexes: Set<Int32>, few: Bool = false) throws -> [Int32: [String]] {
        guard !indexes.isEmpty else { return [:] }
        if few && indexes.count <= Self.perDeviceFDBLimit {
            var remotes: [Int32: [String]] = [:]
            for index in indexes.sorted() {
                remotes.merge(try dumpRemotes(.fdbOf(device: index), of: [index])) { a, b in a + b }
            }
            return remotes.mapValues { $0.sorted() }
        }
        return try dumpRemotes(.fdb, of: indexes).mapValues { $0.sorted() }
    }

    /// At most this many VXLANs are read one by one: the requests of a read stay bounded.
    static let perDeviceFDBLimit = 8

    private func dumpRemotes(_ request: ReadRequest, of indexes: Set<Int32>) throws -> [Int32: [String]] {
        try dump("fdb of VXLAN devices", request, into: [Int32: [String]]()) { remotes, message in
            guard let entry = FDBEntry(message), indexes.contains(entry.index),
                  entry.mac?.allSatisfy({ $0 == 0 }) == true, let remote = entry.destination else { return }
            remotes[entry.index, default: []].append(remote.address)
        }
    }
}

/// Reads a host's state: one dump per object class (links with their options, addresses), then the
/// classes only some files need (bridge VLANs, VXLAN remotes, default routes).
public enum StateReader {
    public static func read(using socket: RouteSocket, bridgeVLANs: Bool = false, defaultRoutes: Bool = false,
                            vxlanRemotes: Bool = false) throws -> CurrentState {
        var state = try readBase(using: socket)
        try complete(&state, using: socket, bridgeVLANs: bridgeVLANs, defaultRoutes: defaultRoutes, vxlanRemotes: vxlanRemotes)
        return state
    }

    /// What every plan needs and no file changes: links with their kind's options, addresses.
    public static func readBase(using socket: RouteSocket) throws -> CurrentState {
        let raw = try socket.dumpLinks()
        let names = Dictionary(raw.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        let links = raw.map { LinkState($0, names: names) }
        return CurrentState(links: links, addresses: try socket.dumpAddresses(names: names))
    }

    /// `state` after an apply that touched only `touched`: those links are read again by name (a
    /// name the kernel no longer has is dropped), the others are kept, and the addresses are
    /// dumped again. Apply verifies a small plan with this instead of dumping thousands of links;
    /// the caller must pass every link the steps could have changed (their ports, members,
    /// children and masters too).
    public static func refresh(_ state: CurrentState, touched: Set<String>, using socket: RouteSocket) throws -> CurrentState {
        let fresh = try socket.getLinks(names: touched.sorted())
        var names: [Int32: String] = [:]
        for link in state.links where !touched.contains(link.name) { names[link.index] = link.name }
        for link in fresh.values { names[link.index] = link.name }
        var links = state.links.filter { !touched.contains($0.name) }
        links += fresh.values.map { LinkState($0, names: names) }
        links.sort { $0.index < $1.index }
        return CurrentState(links: links, addresses: try socket.dumpAddresses(names: names))
    }

    /// Adds the classes a file may need to a base read; each is one more dump, only when asked.
    /// `remotesOf`: the VXLANs whose remote VTEPs to read (the others keep theirs); nil: all.
    public static func complete(_ state: inout CurrentState, using socket: RouteSocket, bridgeVLANs: Bool,
                                defaultRoutes: Bool, vxlanRemotes: Bool, remotesOf: Set<String>? = nil) throws {
        let names = Dictionary(state.links.map { ($0.index, $0.name) }, uniquingKeysWith: { a, _ in a })
        if bridgeVLANs {
            let vlans = state.links.contains { $0.kind == .bridge } ? try socket.dumpBridgeVLANs() : [:]
            for i in state.links.indices { state.links[i].bridgeVLANs = vlans[state.links[i].index] }
        }
        if vxlanRemotes {
            func wanted(_ link: LinkState) -> Bool { link.kind == .vxlan && remotesOf.map { $0.contains(link.name) } ?? true }
            let vxlans = Set(state.links.filter(wanted).map(\.index))
            let remotes = try socket.dumpVXLANRemotes(indexes: vxlans, few: remotesOf != nil)
            for i in state.links.indices where wanted(state.links[i]) {
                let index = state.links[i].index
                state.links[i].options.setVXLANRemotes(remotes[index] ?? [])
            }
        }
        if defaultRoutes { state.routes = try DefaultRoutes.read(names: names) }
    }
}
