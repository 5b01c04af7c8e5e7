import HostState
import Synchronization

/// A link the file declares and poolnet creates (a bridge, VLAN, bond, VXLAN, …). What is common
/// to every kind is asked through this protocol, so that the resolver, the host checks, the
/// creation MTU, coexistence and the planner need not name the kinds; each kind answers in its
/// own file (`VLAN.swift`, …).
public protocol DesiredLink: Sendable, Equatable, Codable {
    /// The kernel's kind of the link this creates.
    static var kind: LinkKind { get }
    /// The word the file and the messages use, e.g. `vlan`.
    static var fileKind: String { get }
    /// Whether a storage NIC entry may name a link of this kind to put the storage role on top of
    /// it (a VLAN or a bond may be a storage NIC; a bridge may not).
    static var mayCarryStorageRole: Bool { get }

    var name: String { get }
    var mtu: UInt32? { get }
    var mark: SourceMark { get }
    /// The kind and options it is created with, compared with the live link's.
    var linkOptions: LinkOptions { get }
    /// Whether `link` is this link (else it is deleted and created again).
    func keepsIdentity(of link: LinkState) -> Bool
    /// The devices it stands on: a VLAN's parent, a bond's members, a VXLAN's underlay, a
    /// bridge's ports (the devices another network manager could also configure).
    var lowerDevices: [String] { get }
    /// Where its MTU comes from when the file declares none.
    var creationMTU: CreationMTU { get }
}

/// The MTU a link the file creates without an `mtu` gets.
public enum CreationMTU: Sendable, Equatable {
    /// Whatever the host has (or the kernel's default when the link is new; not known beforehand).
    case asTheHostHasIt
    /// The kernel creates it at this MTU (a bond: ETH_DATA_LEN).
    case kernelDefault(UInt32)
    /// The kernel gives it its parent's (a VLAN).
    case parents(String)
}

extension DesiredLink {
    public static var mayCarryStorageRole: Bool { false }
    public var creationMTU: CreationMTU { .asTheHostHasIt }
    /// The label errors and plan lines use, e.g. `vlan bond0.20`.
    public var label: String { "\(Self.fileKind) \(name)" }
}

/// The links of one host, one list per kind, in the registry's order of kinds
/// (`Topology.linkKinds`) and, inside a kind, in file order.
public struct DesiredLinks: Sendable, Equatable {
    private var lists: [ObjectIdentifier: any DesiredLinkList] = [:] {
        didSet { names = NameIndex() }
    }
    /// Where each name is, built on the first look-up after a change: the creation-MTU rule and
    /// the planner look names up once per link, and a scan each time made that quadratic.
    private var names = NameIndex()

    public init() {}

    /// The links of one kind.
    public subscript<Link: DesiredLink>(_ kind: Link.Type) -> [Link] {
        get { (lists[ObjectIdentifier(kind)] as? [Link]) ?? [] }
        set { lists[ObjectIdentifier(kind)] = newValue.isEmpty ? nil : newValue }
        // Taken out of the dictionary while it changes, so that changing one link copies nothing.
        _modify {
            let key = ObjectIdentifier(kind)
            var list = (lists.removeValue(forKey: key) as? [Link]) ?? []
            defer { if !list.isEmpty { lists[key] = list } }
            yield &list
        }
    }

    /// Every link, kind after kind in the registry's order.
    public var all: [any DesiredLink] {
        Topology.desiredLinkTypes.flatMap { lists[ObjectIdentifier($0)]?.links ?? [] }
    }

    /// The link declared under `name`, of whatever kind.
    public func named(_ name: String) -> (any DesiredLink)? { allNamed(name).first }

    /// Every link declared under `name` (more than one only in a file validation refuses), in
    /// the registry's order of kinds, first declaration first.
    public func allNamed(_ name: String) -> [any DesiredLink] {
        let found = names.places.withLock { places in
            if places == nil {
                var built: [String: [(kind: ObjectIdentifier, position: Int)]] = [:]
                for type in Topology.desiredLinkTypes {
                    let key = ObjectIdentifier(type)
                    guard let list = lists[key] else { continue }
                    for (position, link) in list.links.enumerated() { built[link.name, default: []].append((key, position)) }
                }
                places = built
            }
            return places![name] ?? []
        }
        return found.compactMap { lists[$0.kind]?.link(at: $0.position) }
    }

    /// Every declared name, built once per change of the links (each plan asks for it; built
    /// from each kind's list, without boxing every link).
    public var allNames: Set<String> {
        names.all.withLock { found in
            if let found { return found }
            var built = Set<String>(minimumCapacity: count)
            for list in lists.values { built.formUnion(list.names) }
            found = built
            return built
        }
    }

    /// How many links, of every kind.
    public var count: Int { lists.values.reduce(0) { $0 + $1.count } }

    public static func == (a: DesiredLinks, b: DesiredLinks) -> Bool {
        guard a.lists.count == b.lists.count else { return false }
        return a.lists.allSatisfy { key, list in b.lists[key].map(list.isEqual) ?? false }
    }
}

/// One kind's list, kept typed (reading it back as `[Link]` is a cast, not a copy).
protocol DesiredLinkList: Sendable {
    var count: Int { get }
    var links: [any DesiredLink] { get }
    var names: [String] { get }
    func link(at position: Int) -> any DesiredLink
    func isEqual(_ other: any DesiredLinkList) -> Bool
}

extension Array: DesiredLinkList where Element: DesiredLink {
    var links: [any DesiredLink] { map { $0 } }
    var names: [String] { map(\.name) }
    func link(at position: Int) -> any DesiredLink { self[position] }
    func isEqual(_ other: any DesiredLinkList) -> Bool { (other as? [Element]) == self }
}

/// A cache of where each name is; replaced (never changed) when the links change.
private final class NameIndex: Sendable {
    let places = Mutex<[String: [(kind: ObjectIdentifier, position: Int)]]?>(nil)
    let all = Mutex<Set<String>?>(nil)
}

/// Written as one list per kind under the kind's file word (`{"vlan": [...], "bond": [...]}`),
/// for the resolved-state cache; a kind with no list is left out.
extension DesiredLinks: Codable {
    public init(from decoder: Decoder) throws {
        self.init()
        let c = try decoder.container(keyedBy: WireKey.self)
        for type in Topology.desiredLinkTypes { try decodeList(type, from: c) }
    }

    private mutating func decodeList<Link: DesiredLink>(_ type: Link.Type, from c: KeyedDecodingContainer<WireKey>) throws {
        self[type] = try c.decodeIfPresent([Link].self, forKey: WireKey(Link.fileKind)) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: WireKey.self)
        for type in Topology.desiredLinkTypes { try encodeList(type, into: &c) }
    }

    private func encodeList<Link: DesiredLink>(_ type: Link.Type, into c: inout KeyedEncodingContainer<WireKey>) throws {
        let list = self[type]
        if !list.isEmpty { try c.encode(list, forKey: WireKey(Link.fileKind)) }
    }
}
