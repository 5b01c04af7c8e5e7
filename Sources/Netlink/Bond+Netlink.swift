import CMnl
import HostState

extension NetlinkRequest {
    /// IFLA_BOND_* inside IFLA_INFO_DATA:
    /// `ip link add NAME type bond mode M miimon N lacp_rate R xmit_hash_policy P primary DEV`.
    /// Options that do not apply to the mode are left out (the kernel refuses them).
    static func putBondData(_ nlh: UnsafeMutablePointer<nlmsghdr>, _ b: BondData) {
        if let mode = b.mode { mnl_attr_put_u8(nlh, UInt16(IFLA_BOND_MODE), mode.rawValue) }
        if let miimon = b.miimon { mnl_attr_put_u32(nlh, UInt16(IFLA_BOND_MIIMON), miimon) }
        if let fast = b.lacpFast { mnl_attr_put_u8(nlh, UInt16(IFLA_BOND_AD_LACP_RATE), fast ? 1 : 0) }
        if let policy = b.xmitHashPolicy { mnl_attr_put_u8(nlh, UInt16(IFLA_BOND_XMIT_HASH_POLICY), policy.rawValue) }
        if let primary = b.primaryIndex { mnl_attr_put_u32(nlh, UInt16(IFLA_BOND_PRIMARY), UInt32(bitPattern: primary)) }
    }
}

/// The bond settings one request carries; nil fields are not sent.
public struct BondData: Sendable {
    public var mode: BondMode?
    public var miimon: UInt32?
    public var lacpFast: Bool?
    public var xmitHashPolicy: XmitHashPolicy?
    public var primaryIndex: Int32?

    public init(mode: BondMode? = nil, miimon: UInt32? = nil, lacpFast: Bool? = nil, xmitHashPolicy: XmitHashPolicy? = nil,
                primaryIndex: Int32? = nil) {
        self.mode = mode
        self.miimon = miimon
        self.lacpFast = lacpFast
        self.xmitHashPolicy = xmitHashPolicy
        self.primaryIndex = primaryIndex
    }
}

extension BondOptions {
    /// Decodes IFLA_INFO_DATA of a bond; `names` turns the primary's ifindex into its name.
    init(infoData data: Attributes?, names: [Int32: String]) {
        let mode = BondMode(rawValue: data?.first(Int(IFLA_BOND_MODE))?.u8 ?? 0) ?? .balanceRR
        let primary = data?.first(Int(IFLA_BOND_PRIMARY))?.u32.flatMap { names[Int32(bitPattern: $0)] }
        self.init(mode: mode,
                  miimon: data?.first(Int(IFLA_BOND_MIIMON))?.u32 ?? 0,
                  lacpFast: (data?.first(Int(IFLA_BOND_AD_LACP_RATE))?.u8 ?? 0) != 0,
                  xmitHashPolicy: XmitHashPolicy(rawValue: data?.first(Int(IFLA_BOND_XMIT_HASH_POLICY))?.u8 ?? 0) ?? .layer2,
                  primary: primary)
    }
}

extension DumpedOptions {
    /// A dumped bond: its options, the primary still an ifindex.
    static func bond(infoData data: Attributes?) -> DumpedOptions {
        DumpedOptions(options: .bond(BondOptions(infoData: data, names: [:])),
                      deviceIndex: Int32(bitPattern: data?.first(Int(IFLA_BOND_PRIMARY))?.u32 ?? 0))
    }
}

extension NetlinkRequest.KindData {
    /// A new bond's mode and options, without those its mode refuses (and without the primary,
    /// which must be a member first).
    static func bond(creating b: BondOptions) -> Self {
        .bond(BondData(mode: b.mode, miimon: b.miimon, lacpFast: b.mode == .lacp ? b.lacpFast : nil,
                       xmitHashPolicy: b.mode.hashes ? b.xmitHashPolicy : nil))
    }
}
