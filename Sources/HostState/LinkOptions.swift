/// The kind of a link as the kernel reports it in IFLA_INFO_KIND; physical NICs have none.
public enum LinkKind: Hashable, Sendable, Codable, CustomStringConvertible {
    case device
    case bridge
    case veth
    case vlan
    case bond
    case vxlan
    case other(String)

    public init(kernelKind: String?) {
        switch kernelKind {
        case nil, "": self = .device
        case "bridge": self = .bridge
        case "veth": self = .veth
        case "vlan": self = .vlan
        case "bond": self = .bond
        case "vxlan": self = .vxlan
        case let s?: self = .other(s)
        }
    }

    /// The name the kernel uses in IFLA_INFO_KIND (nil for a physical device).
    public var kernelKind: String? {
        switch self {
        case .device: return nil
        case .bridge: return "bridge"
        case .veth: return "veth"
        case .vlan: return "vlan"
        case .bond: return "bond"
        case .vxlan: return "vxlan"
        case .other(let s): return s
        }
    }

    public var description: String { kernelKind ?? "device" }

    public init(from decoder: Decoder) throws {
        self.init(kernelKind: try decoder.singleValueContainer().decode(String.self))
        if case .other("device") = self { self = .device }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(description)
    }
}

/// A link's kind together with the options of that kind: one value shared by the live state
/// (`LinkState`), the desired state and a create step. An option is nil where the kernel's reply
/// left it out (no IFLA_INFO_DATA), or where a file written by an earlier release had none.
public enum LinkOptions: Hashable, Sendable {
    case device
    case bridge(BridgeOptions?)
    case veth
    /// The 802.1Q id; the parent is the link's `link`.
    case vlan(id: UInt16?)
    case bond(BondOptions?)
    case vxlan(VXLANInfo?)
    case other(String)

    /// A kind with its options as they are written on the wire: one optional key per kind, of
    /// which only the one matching `kind` is kept.
    public init(kind: LinkKind, vlanID: UInt16? = nil, bridge: BridgeOptions? = nil, bond: BondOptions? = nil, vxlan: VXLANInfo? = nil) {
        switch kind {
        case .device: self = .device
        case .bridge: self = .bridge(bridge)
        case .veth: self = .veth
        case .vlan: self = .vlan(id: vlanID)
        case .bond: self = .bond(bond)
        case .vxlan: self = .vxlan(vxlan)
        case .other(let name): self = .other(name)
        }
    }

    public var kind: LinkKind {
        switch self {
        case .device: return .device
        case .bridge: return .bridge
        case .veth: return .veth
        case .vlan: return .vlan
        case .bond: return .bond
        case .vxlan: return .vxlan
        case .other(let name): return .other(name)
        }
    }

    /// Reads a record's per-kind keys (see `wireKey(in:)`); each is read, so a malformed one
    /// fails whatever the kind, as before the enum.
    public static func decode(kind: LinkKind, from c: KeyedDecodingContainer<WireKey>, in record: WireRecord) throws -> LinkOptions {
        func read<T: Decodable>(_ type: T.Type, _ sample: LinkOptions) throws -> T? {
            guard let key = sample.wireKey(in: record) else { return nil }
            return try c.decodeIfPresent(T.self, forKey: WireKey(key.name))
        }
        return LinkOptions(kind: kind, vlanID: try read(UInt16.self, .vlan(id: nil)),
                           bridge: try read(BridgeOptions.self, .bridge(nil)),
                           bond: try read(BondOptions.self, .bond(nil)),
                           vxlan: try read(VXLANInfo.self, .vxlan(nil)))
    }

    /// Writes this kind's key, if it has one and its place in `record` is `late`: the record
    /// calls this twice, at the two places the releases of one optional per kind wrote them.
    public func encode(into c: inout KeyedEncodingContainer<WireKey>, in record: WireRecord, late: Bool) throws {
        guard let key = wireKey(in: record), key.late == late else { return }
        let k = WireKey(key.name)
        switch self {
        case .vlan(let id): try c.encodeIfPresent(id, forKey: k)
        case .bridge(let b): try c.encodeIfPresent(b, forKey: k)
        case .bond(let b): try c.encodeIfPresent(b, forKey: k)
        case .vxlan(let v): try c.encodeIfPresent(v, forKey: k)
        case .device, .veth, .other: break
        }
    }

    /// The one key this kind's options take in `record`, and whether the record writes it at its
    /// late place (`LinkState`: after `bridge_vlans`; `NewLink`: after `link`). The names and places
    /// are those the releases of one optional per kind wrote; the journal keeps key order, so they
    /// stay. A new kind picks a name and either place.
    func wireKey(in record: WireRecord) -> (name: String, late: Bool)? {
        switch (self, record) {
        case (.vlan, .linkState): return ("vlan_id", false)
        case (.vlan, .newLink): return ("vlanID", true)
        case (.bridge, _): return ("bridge", false)
        case (.bond, _): return ("bond", false)
        case (.vxlan, .linkState): return ("vxlan", true)
        case (.vxlan, .newLink): return ("vxlan", false)
        case (.device, _), (.veth, _), (.other, _): return nil
        }
    }

    /// The two records that carry a link's options on the wire.
    public enum WireRecord: Sendable { case linkState, newLink }

    /// What differs in the options between two reads of a link, e.g. `VLAN id 20 → 30`.
    func differences(to other: LinkOptions) -> [String] {
        var out: [String] = []
        func compare<T: Equatable>(_ what: String, _ x: T, _ y: T, _ show: (T) -> String) {
            if x != y { out.append("\(what) \(show(x)) → \(show(y))") }
        }
        compare("VLAN id", vlanID, other.vlanID) { $0.map(String.init) ?? "none" }
        compare("bridge options", bridge, other.bridge) { $0.map { "stp \($0.stp) vlan_filtering \($0.vlanFiltering)" } ?? "none" }
        compare("bond options", bond, other.bond) { $0.map { "mode \($0.mode) miimon \($0.miimon) primary \($0.primary ?? "none")" } ?? "none" }
        // Remotes compare as sets, and only when both reads asked for them.
        var x = vxlan, y = other.vxlan
        if x?.remotes == nil || y?.remotes == nil { x?.remotes = nil; y?.remotes = nil }
        x?.remotes?.sort()
        y?.remotes?.sort()
        compare("VXLAN", x, y) { $0.map { "vni \($0.vni) remotes \($0.remotes ?? [])" } ?? "none" }
        return out
    }

    /// The VLAN id, for a VLAN.
    public var vlanID: UInt16? { if case .vlan(let id) = self { return id }; return nil }
    /// The bridge options, for a bridge.
    public var bridge: BridgeOptions? { if case .bridge(let b) = self { return b }; return nil }
    /// The bond options, for a bond.
    public var bond: BondOptions? { if case .bond(let b) = self { return b }; return nil }
    /// VNI, local VTEP, port, underlay and remotes, for a VXLAN.
    public var vxlan: VXLANInfo? { if case .vxlan(let v) = self { return v }; return nil }

    /// Sets a VXLAN's remote VTEPs (nil: not read); another kind has none and is left as it is.
    public mutating func setVXLANRemotes(_ remotes: [String]?) {
        if case .vxlan(var v?) = self { v.remotes = remotes; self = .vxlan(v) }
    }
}

/// A JSON key of any name: `LinkState` and `NewLink` write their own keys and the ones
/// `LinkOptions` names for its kind in one container, so a kind's key is named only there (the
/// steps' wire format, `Action+Wire.swift`, reads its fields with it too).
public struct WireKey: CodingKey, Hashable, Sendable, ExpressibleByStringLiteral {
    public let stringValue: String
    public init(_ name: String) { stringValue = name }
    public init(stringValue: String) { self.init(stringValue) }
    public init(stringLiteral name: String) { self.init(name) }
    public var intValue: Int? { nil }
    public init?(intValue: Int) { nil }
}
