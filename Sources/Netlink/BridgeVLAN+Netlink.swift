import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

// From linux/if_bridge.h (not imported: it pulls in headers that clash with glibc's).
let IFLA_BRIDGE_FLAGS: UInt16 = 0
let IFLA_BRIDGE_VLAN_INFO: UInt16 = 2
let BRIDGE_FLAGS_SELF: UInt16 = 2
let BRIDGE_VLAN_INFO_PVID: UInt16 = 1 << 1
let BRIDGE_VLAN_INFO_UNTAGGED: UInt16 = 1 << 2
let BRIDGE_VLAN_INFO_RANGE_BEGIN: UInt16 = 1 << 3
let BRIDGE_VLAN_INFO_RANGE_END: UInt16 = 1 << 4
let RTEXT_FILTER_BRVLAN_COMPRESSED: UInt32 = 1 << 2

extension NetlinkRequest {
    /// IFLA_AF_SPEC of an AF_BRIDGE RTM_SETLINK/RTM_DELLINK: `bridge vlan add|del vid … dev D [self]`.
    /// Runs of VLANs with the same flags go as one range (a PVID never sits in a range).
    static func putBridgeVLANs(_ nlh: UnsafeMutablePointer<nlmsghdr>, _ vlans: [BridgeVLAN], bridgeItself: Bool) {
        let spec = mnl_attr_nest_start(nlh, UInt16(IFLA_AF_SPEC))
        if bridgeItself { mnl_attr_put_u16(nlh, IFLA_BRIDGE_FLAGS, BRIDGE_FLAGS_SELF) }
        func put(_ flags: UInt16, _ vid: UInt16) {
            var info: (UInt16, UInt16) = (flags, vid)  // struct bridge_vlan_info { u16 flags; u16 vid; }
            withUnsafeBytes(of: &info) { mnl_attr_put(nlh, IFLA_BRIDGE_VLAN_INFO, 4, $0.baseAddress) }
        }
        let sorted = vlans.sorted()
        var i = 0
        while i < sorted.count {
            let v = sorted[i]
            let flags = (v.pvid ? BRIDGE_VLAN_INFO_PVID : 0) | (v.untagged ? BRIDGE_VLAN_INFO_UNTAGGED : 0)
            var j = i
            while !v.pvid, j + 1 < sorted.count, sorted[j + 1].vid == sorted[j].vid + 1, !sorted[j + 1].pvid,
                  sorted[j + 1].untagged == v.untagged { j += 1 }
            if j > i {
                put(flags | BRIDGE_VLAN_INFO_RANGE_BEGIN, v.vid)
                put(flags | BRIDGE_VLAN_INFO_RANGE_END, sorted[j].vid)
            } else {
                put(flags, v.vid)
            }
            i = j + 1
        }
        mnl_attr_nest_end(nlh, spec)
    }
}

/// The VLANs of one bridge port (or of the bridge itself), as an AF_BRIDGE RTM_NEWLINK of a
/// `bridge vlan show` dump reports them: IFLA_BRIDGE_VLAN_INFO entries in IFLA_AF_SPEC, ranges
/// expanded.
struct BridgePortVLANs: Equatable {
    var index: Int32
    var vlans: [BridgeVLAN]

    /// Nil for another message type or a link without IFLA_AF_SPEC (not a bridge or port).
    init?(_ message: NetlinkMessage) {
        guard message.type == UInt16(RTM_NEWLINK), let (header, attributes) = message.family(ifinfomsg.self),
              let spec = attributes.first(Int(IFLA_AF_SPEC)) else { return nil }
        var vlans: [BridgeVLAN] = []
        var rangeStart: UInt16?
        for entry in spec.nested where entry.type == IFLA_BRIDGE_VLAN_INFO && entry.payload.count >= 4 {
            let flags = entry.payload.loadUnaligned(fromByteOffset: 0, as: UInt16.self)
            let vid = entry.payload.loadUnaligned(fromByteOffset: 2, as: UInt16.self)
            let pvid = flags & BRIDGE_VLAN_INFO_PVID != 0, untagged = flags & BRIDGE_VLAN_INFO_UNTAGGED != 0
            if flags & BRIDGE_VLAN_INFO_RANGE_BEGIN != 0 { rangeStart = vid; continue }
            let first = flags & BRIDGE_VLAN_INFO_RANGE_END != 0 ? rangeStart ?? vid : vid
            rangeStart = nil
            for v in first...vid { vlans.append(BridgeVLAN(vid: v, pvid: pvid, untagged: untagged)) }
        }
        self.init(index: header.ifi_index, vlans: vlans)
    }

    init(index: Int32, vlans: [BridgeVLAN]) {
        self.index = index
        self.vlans = vlans
    }
}
