import HostState

/// A single point of failure the pool file reveals on one host (`validate --redundancy`).
public struct RedundancyFinding: Sendable, Equatable {
    /// An object the finding is about, where the file declares it.
    public struct Located: Sendable, Hashable {
        public var object: String
        public var mark: SourceMark
    }

    public enum Rule: String, Sendable, CaseIterable {
        /// Every storage path leaves through one physical NIC (VLANs on one parent, a one-member bond).
        case storageOneNIC = "storage-one-nic"
        /// Every storage path stacks on one bond.
        case storageOneBond = "storage-one-bond"
        /// Every iSCSI session goes to one portal address.
        case storageOnePortal = "storage-one-portal"
        /// Every storage path is in one subnet.
        case storageOneSubnet = "storage-one-subnet"
        case bondOneMember = "bond-one-member"
        /// A bridge (guest traffic) shares a physical NIC with storage.
        case guestAndStorage = "guest-and-storage-on-one-nic"
        case vxlanOneNIC = "vxlan-underlay-one-nic"
    }

    public var host: String
    public var rule: Rule
    public var message: String
    public var objects: [Located]
}

/// The rules, from one host's resolved state alone (no host is read).
///
/// Storage paths are the iSCSI paths when the file has them for the host, otherwise its storage
/// NICs (storage reached by other means still leaves through them). A NIC is a single point of
/// failure for a path when the path goes down with it alone: a VLAN with its parent, a bond with
/// its only member; a bond of two NICs survives either.
public struct Redundancy {
    let state: DesiredState
    let bonds: [String: DesiredBond]
    let vlans: [String: DesiredVLAN]
    let vxlans: [String: DesiredVXLAN]
    let bridges: [String: DesiredBridge]
    let nics: [String: DesiredNIC]

    public init(_ state: DesiredState) {
        self.state = state
        bonds = Dictionary(state.bonds.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        vlans = Dictionary(state.vlans.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        vxlans = Dictionary(state.vxlans.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        bridges = Dictionary(state.bridges.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        nics = Dictionary(state.nics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
    }

    public static func findings(_ state: DesiredState) -> [RedundancyFinding] { Redundancy(state).findings() }

    public func findings() -> [RedundancyFinding] {
        storageFindings() + bondFindings() + guestFindings() + vxlanFindings()
    }

    // MARK: The stack under a device

    /// Every physical NIC under a device (a name the file does not create is a NIC).
    func physical(_ name: String, depth: Int = 0) -> Set<String> {
        guard depth < 16 else { return [] }
        if let vlan = vlans[name] { return physical(vlan.link, depth: depth + 1) }
        if let bond = bonds[name] { return bond.members.reduce(into: Set()) { $0.formUnion(physical($1, depth: depth + 1)) } }
        if let bridge = bridges[name] { return bridge.ports.reduce(into: Set()) { $0.formUnion(physical($1, depth: depth + 1)) } }
        if let vxlan = vxlans[name] { return vxlan.info.device.map { physical($0, depth: depth + 1) } ?? [] }
        return [name]
    }

    /// The NICs whose failure alone takes the device down.
    func dependsOn(_ name: String, depth: Int = 0) -> Set<String> {
        guard depth < 16 else { return [] }
        if let vlan = vlans[name] { return dependsOn(vlan.link, depth: depth + 1) }
        if let bond = bonds[name] {
            return intersection(bond.members.map { dependsOn($0, depth: depth + 1) })
        }
        if let vxlan = vxlans[name] { return vxlan.info.device.map { dependsOn($0, depth: depth + 1) } ?? [] }
        if bridges[name] != nil { return [] }
        return [name]
    }

    /// The declared objects a device stands on, itself first (a VLAN, then its bond, …).
    func stack(_ name: String, depth: Int = 0) -> [RedundancyFinding.Located] {
        guard depth < 16 else { return [] }
        if let vlan = vlans[name] { return [.init(object: "vlan \(name)", mark: vlan.mark)] + stack(vlan.link, depth: depth + 1) }
        if let bond = bonds[name] { return [.init(object: "bond \(name)", mark: bond.mark)] }
        if let vxlan = vxlans[name] { return [.init(object: "vxlan \(name)", mark: vxlan.mark)] + (vxlan.info.device.map { stack($0, depth: depth + 1) } ?? []) }
        return []
    }

    /// What every set has (empty for no sets).
    func intersection(_ sets: [Set<String>]) -> Set<String> {
        guard var common = sets.first else { return [] }
        for set in sets.dropFirst() { common.formIntersection(set) }
        return common
    }

    func bondsUnder(_ name: String) -> Set<String> {
        Set(stack(name).compactMap { $0.object.hasPrefix("bond ") ? String($0.object.dropFirst(5)) : nil })
    }

    // MARK: Rules

    struct StoragePath {
        var label: String
        var nic: String
        var portals: [String]
        var located: [RedundancyFinding.Located]
    }

    func storagePaths() -> (subject: String, paths: [StoragePath]) {
        func nicObjects(_ name: String) -> [RedundancyFinding.Located] {
            let own = nics[name].map { [RedundancyFinding.Located(object: "storage_nic \(name)", mark: $0.mark)] } ?? []
            return own + stack(name).filter { $0.object != "storage_nic \(name)" }
        }
        if let iscsi = state.iscsi, !iscsi.paths.isEmpty {
            let subject = "\(iscsi.paths.count == 1 ? "the only" : "every") iSCSI path to \(iscsi.targets.joined(separator: ", "))"
            return (subject, iscsi.paths.map { path in
                StoragePath(label: "\(path.iface) over \(path.nic)", nic: path.nic, portals: path.portals.map(\.address),
                            located: [.init(object: "iscsi path \(path.iface)", mark: path.mark)] + nicObjects(path.nic))
            })
        }
        return (state.nics.count == 1 ? "the only storage NIC" : "every storage NIC", state.nics.map { StoragePath(label: $0.name, nic: $0.name, portals: [], located: nicObjects($0.name)) })
    }

    func storageFindings() -> [RedundancyFinding] {
        let (subject, paths) = storagePaths()
        guard !paths.isEmpty else { return [] }
        var found: [RedundancyFinding] = []
        let names = "(\(paths.map(\.label).joined(separator: ", ")))"
        // In order, each once; a set, not a scan of the list so far (1,000 storage NICs: 500,000 compares).
        var seen = Set<RedundancyFinding.Located>()
        let located = paths.flatMap(\.located).filter { seen.insert($0).inserted }
        func add(_ rule: RedundancyFinding.Rule, _ message: String, _ objects: [RedundancyFinding.Located]) {
            found.append(RedundancyFinding(host: state.host, rule: rule, message: message, objects: objects))
        }
        let shared = intersection(paths.map { dependsOn($0.nic) })
        if !shared.isEmpty {
            add(.storageOneNIC, "\(subject) \(names) leaves through NIC \(shared.sorted().joined(separator: ", ")): its failure cuts off storage", located)
        }
        let bonds = intersection(paths.map { bondsUnder($0.nic) })
        for bond in bonds.sorted() {
            let members = self.bonds[bond]!.members.joined(separator: ", ")
            add(.storageOneBond, "\(subject) \(names) goes through bond \(bond) (members \(members)): one bond, its configuration and its switch side carry all storage paths", located)
        }
        let portals = Set(paths.flatMap(\.portals))
        if portals.count == 1, let portal = portals.first {
            add(.storageOnePortal, "\(subject) \(names) goes to one portal address, \(portal): the array's side has no second path", located)
        }
        let subnets = paths.map { path in Set((nics[path.nic]?.addresses ?? []).map(\.prefix.network)) }
        let all = subnets.reduce(into: Set<IPPrefix>()) { $0.formUnion($1) }
        if all.count == 1, subnets.allSatisfy({ !$0.isEmpty }), let subnet = all.first {
            add(.storageOneSubnet, "\(subject) \(names) is in one subnet, \(subnet): one broadcast domain (one switch VLAN) carries all storage paths", located)
        }
        return found
    }

    func bondFindings() -> [RedundancyFinding] {
        state.bonds.filter { $0.members.count == 1 }.map { bond in
            RedundancyFinding(host: state.host, rule: .bondOneMember,
                              message: "bond \(bond.name) has one member, \(bond.members[0]): it adds no redundancy",
                              objects: [.init(object: "bond \(bond.name)", mark: bond.mark)])
        }
    }

    /// Guest traffic (a bridge with an uplink) on a physical NIC that storage uses too.
    func guestFindings() -> [RedundancyFinding] {
        let (_, paths) = storagePaths()
        var storageNICs: [String: Set<String>] = [:]  // storage device → its physical NICs
        for path in paths { storageNICs[path.nic] = physical(path.nic) }
        for nic in state.nics { storageNICs[nic.name] = physical(nic.name) }
        // Physical NIC → the storage devices over it (in name order), built once: asking every
        // storage device for every bridge (sorted each time) was quadratic in a mixed file.
        var storageOver: [String: [String]] = [:]
        for device in storageNICs.keys.sorted() {
            for nic in storageNICs[device]! { storageOver[nic, default: []].append(device) }
        }
        return state.bridges.compactMap { bridge in
            let guest = physical(bridge.name)
            let sharing = Set(guest.flatMap { storageOver[$0] ?? [] }).sorted()
            guard !sharing.isEmpty else { return nil }
            let common = guest.filter { storageOver[$0] != nil }
            var objects: [RedundancyFinding.Located] = [.init(object: "bridge \(bridge.name)", mark: bridge.mark)]
            for name in sharing { if let nic = nics[name] { objects.append(.init(object: "storage_nic \(name)", mark: nic.mark)) } }
            return RedundancyFinding(host: state.host, rule: .guestAndStorage,
                                     message: "bridge \(bridge.name) (guest traffic) and storage \(sharing.joined(separator: ", ")) share NIC \(common.sorted().joined(separator: ", ")): guests can starve storage, and one NIC failure hits both",
                                     objects: objects)
        }
    }

    func vxlanFindings() -> [RedundancyFinding] {
        state.vxlans.compactMap { vxlan in
            guard let device = vxlan.info.device else { return nil }
            let nics = dependsOn(device)
            guard !nics.isEmpty else { return nil }
            return RedundancyFinding(host: state.host, rule: .vxlanOneNIC,
                                     message: "vxlan \(vxlan.name)'s underlay \(device) rests on one NIC, \(nics.sorted().joined(separator: ", ")): the private network spans the pool over a single link",
                                     objects: stack(vxlan.name))
        }
    }
}
