/// One VLAN on a bridge port or on the bridge itself (`bridge vlan add vid V [pvid] [untagged]`).
public struct BridgeVLAN: Hashable, Sendable, Codable, Comparable {
    public var vid: UInt16
    /// Untagged ingress frames get this VLAN (at most one per port).
    public var pvid: Bool
    /// Egress frames of this VLAN leave without a tag.
    public var untagged: Bool

    public init(vid: UInt16, pvid: Bool = false, untagged: Bool = false) {
        self.vid = vid
        self.pvid = pvid
        self.untagged = untagged
    }

    public static func < (a: BridgeVLAN, b: BridgeVLAN) -> Bool { a.vid < b.vid }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        vid = try c.decode(UInt16.self, forKey: .vid)
        pvid = try c.decodeIfPresent(Bool.self, forKey: .pvid) ?? false
        untagged = try c.decodeIfPresent(Bool.self, forKey: .untagged) ?? false
    }
}

extension Array where Element == BridgeVLAN {
    /// `1 pvid untagged, 100-110, 200 untagged`: runs of plain VLANs fold into ranges.
    public var summary: String {
        if isEmpty { return "none" }
        var parts: [String] = []
        var i = 0
        let sorted = self.sorted()
        while i < sorted.count {
            let v = sorted[i]
            var j = i
            while j + 1 < sorted.count, sorted[j + 1].vid == sorted[j].vid + 1,
                  sorted[j + 1].pvid == false, sorted[j + 1].untagged == v.untagged, !v.pvid { j += 1 }
            var text = j > i ? "\(v.vid)-\(sorted[j].vid)" : "\(v.vid)"
            if v.pvid { text += " pvid" }
            if v.untagged { text += " untagged" }
            parts.append(text)
            i = j + 1
        }
        return parts.joined(separator: ", ")
    }
}
