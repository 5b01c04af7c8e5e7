import CMnl
import HostState
#if canImport(Glibc)
import Glibc
#endif

let NTF_SELF_FLAG: UInt8 = 0x02
let NUD_NOARP_STATE: UInt16 = 0x40
let NUD_PERMANENT_STATE: UInt16 = 0x80

extension NetlinkRequest {
    /// IFLA_VXLAN_* inside IFLA_INFO_DATA: `ip link add N type vxlan id VNI local L dstport P dev D`.
    static func putVXLANData(_ nlh: UnsafeMutablePointer<nlmsghdr>, vni: UInt32, local: IPPrefix?, port: UInt16, device: Int32?) {
        mnl_attr_put_u32(nlh, UInt16(IFLA_VXLAN_ID), vni)
        if let device { mnl_attr_put_u32(nlh, UInt16(IFLA_VXLAN_LINK), UInt32(bitPattern: device)) }
        if let local {
            let type = UInt16(local.family == .ipv4 ? IFLA_VXLAN_LOCAL : IFLA_VXLAN_LOCAL6)
            local.bytes.withUnsafeBytes { mnl_attr_put(nlh, type, $0.count, $0.baseAddress) }
        }
        mnl_attr_put_u16(nlh, UInt16(IFLA_VXLAN_PORT), port.bigEndian)
    }

    /// An all-zero MAC FDB entry with a destination: flooded traffic goes to that remote VTEP.
    static func putAllZeroFDB(_ nlh: UnsafeMutablePointer<nlmsghdr>, index: Int32, remote: IPPrefix) {
        let ndm = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ndmsg>.size)!.assumingMemoryBound(to: ndmsg.self)
        ndm.pointee.ndm_family = UInt8(AF_BRIDGE)
        ndm.pointee.ndm_ifindex = index
        ndm.pointee.ndm_state = NUD_NOARP_STATE | NUD_PERMANENT_STATE
        ndm.pointee.ndm_flags = NTF_SELF_FLAG
        let zero = [UInt8](repeating: 0, count: 6)
        zero.withUnsafeBytes { mnl_attr_put(nlh, UInt16(NDA_LLADDR), 6, $0.baseAddress) }
        remote.bytes.withUnsafeBytes { mnl_attr_put(nlh, UInt16(NDA_DST), $0.count, $0.baseAddress) }
    }
}

extension VXLANInfo {
    /// Decodes IFLA_INFO_DATA of a VXLAN device; its underlay device stays an index (RawLink).
    init(infoData data: Attributes?) {
        self.init(vni: data?.first(Int(IFLA_VXLAN_ID))?.u32 ?? 0,
                  local: (data?.first(Int(IFLA_VXLAN_LOCAL)) ?? data?.first(Int(IFLA_VXLAN_LOCAL6)))?.addressText,
                  port: UInt16(bigEndian: data?.first(Int(IFLA_VXLAN_PORT))?.u16 ?? UInt16(4789).bigEndian))
    }
}

extension DumpedOptions {
    /// A dumped VXLAN: VNI, local VTEP and port, the underlay device still an ifindex.
    static func vxlan(infoData data: Attributes?) -> DumpedOptions {
        DumpedOptions(options: .vxlan(VXLANInfo(infoData: data)),
                      deviceIndex: Int32(bitPattern: data?.first(Int(IFLA_VXLAN_LINK))?.u32 ?? 0))
    }
}

extension RawLink {
    /// A dumped VXLAN's options and its underlay's ifindex (0 for another kind).
    var vxlan: VXLANInfo? { dumped.options.vxlan }
    var vxlanDeviceIndex: Int32 { vxlan == nil ? 0 : dumped.deviceIndex }
}

/// One bridge FDB entry of a `bridge fdb show` dump (an AF_BRIDGE RTM_NEWNEIGH): a VXLAN's
/// all-zero entry names a remote VTEP.
struct FDBEntry: Equatable {
    var index: Int32
    /// NDA_LLADDR, when present.
    var mac: [UInt8]?
    /// NDA_DST, when it is an IPv4 or IPv6 address.
    var destination: IPPrefix?

    /// Nil for another message type or a truncated header.
    init?(_ message: NetlinkMessage) {
        guard message.type == UInt16(RTM_NEWNEIGH), let (header, attributes) = message.family(ndmsg.self) else { return nil }
        let dst = attributes.first(Int(NDA_DST))?.payload
        self.init(index: header.ndm_ifindex, mac: attributes.first(Int(NDA_LLADDR)).map { Array($0.payload) },
                  destination: dst.flatMap { $0.count == 4 || $0.count == 16 ? IPPrefix(bytes: Array($0), prefixLength: $0.count * 8) : nil })
    }

    init(index: Int32, mac: [UInt8]?, destination: IPPrefix?) {
        self.index = index
        self.mac = mac
        self.destination = destination
    }
}

extension NetlinkRequest.KindData {
    /// A new VXLAN's VNI, local VTEP and port; the underlay's index is the caller's to fill in.
    static func vxlan(creating v: VXLANInfo) -> Self {
        .vxlan(vni: v.vni, local: v.local.flatMap { IPPrefix($0, defaultPrefix: $0.utf8.contains(UInt8(ascii: ":")) ? 128 : 32) }, port: v.port, device: nil)
    }
}
