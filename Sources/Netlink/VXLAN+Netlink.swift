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

extension RouteSocket {
    /// Remote VTEPs of every VXLAN device in `indexes`, from one AF_BRIDGE RTM_GETNEIGH dump
    /// (`bridge fdb show`), keeping the all-zero entries. One request whatever the number of
    /// VXLANs: a dump filtered by device (NDA_IFINDEX) walks every device in the kernel, so one
    /// per VXLAN made the read quadratic.
    func dumpVXLANRemotes(indexes: Set<Int32>) throws -> [Int32: [String]] {
        var remotes: [Int32: [String]] = [:]
        guard !indexes.isEmpty else { return remotes }
        try dump("fdb of VXLAN devices", build: { nlh in
            nlh.pointee.nlmsg_type = UInt16(RTM_GETNEIGH)
            let ndm = mnl_nlmsg_put_extra_header(nlh, MemoryLayout<ndmsg>.size)!.assumingMemoryBound(to: ndmsg.self)
            ndm.pointee.ndm_family = UInt8(AF_BRIDGE)
        }, each: { type, payload in
            guard type == UInt16(RTM_NEWNEIGH), payload.count >= MemoryLayout<ndmsg>.size else { return }
            let index = payload.loadUnaligned(as: ndmsg.self).ndm_ifindex
            guard indexes.contains(index) else { return }
            let attributes = Attributes(buffer: UnsafeRawBufferPointer(rebasing: payload[MemoryLayout<ndmsg>.size...]))
            guard let mac = attributes.first(Int(NDA_LLADDR)), mac.payload.allSatisfy({ $0 == 0 }),
                  let dst = attributes.first(Int(NDA_DST)), dst.payload.count == 4 || dst.payload.count == 16 else { return }
            remotes[index, default: []].append(IPPrefix(bytes: Array(dst.payload), prefixLength: dst.payload.count * 8).address)
        })
        return remotes.mapValues { $0.sorted() }
    }
}
