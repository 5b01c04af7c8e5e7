import CMnl
import HostState

extension NetlinkRequest {
    /// IFLA_BR_* inside IFLA_INFO_DATA: `ip link set BR type bridge stp_state S vlan_filtering V`.
    static func putBridgeData(_ nlh: UnsafeMutablePointer<nlmsghdr>, stp: Bool?, vlanFiltering: Bool?) {
        if let stp { mnl_attr_put_u32(nlh, UInt16(IFLA_BR_STP_STATE), stp ? 1 : 0) }
        if let vlanFiltering { mnl_attr_put_u8(nlh, UInt16(IFLA_BR_VLAN_FILTERING), vlanFiltering ? 1 : 0) }
    }
}

extension BridgeOptions {
    /// Decodes IFLA_INFO_DATA of a bridge.
    init(infoData data: Attributes?) {
        self.init(stp: (data?.first(Int(IFLA_BR_STP_STATE))?.u32 ?? 0) != 0,
                  vlanFiltering: (data?.first(Int(IFLA_BR_VLAN_FILTERING))?.u8 ?? 0) != 0,
                  defaultPVID: data?.first(Int(IFLA_BR_VLAN_DEFAULT_PVID))?.u16 ?? 1)
    }
}

extension NetlinkRequest.KindData {
    /// A new bridge's STP and filtering (filtering only when on: the kernel's default is off).
    static func bridge(creating b: BridgeOptions) -> Self { .bridge(stp: b.stp, vlanFiltering: b.vlanFiltering ? true : nil) }
}
