import CMnl

extension NetlinkRequest {
    /// IFLA_VLAN_ID inside IFLA_INFO_DATA: `ip link add link PARENT name N type vlan id ID`.
    static func putVLANData(_ nlh: UnsafeMutablePointer<nlmsghdr>, id: UInt16) {
        mnl_attr_put_u16(nlh, UInt16(IFLA_VLAN_ID), id)
    }
}
