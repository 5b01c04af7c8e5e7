/// What identifies a VXLAN device (IFLA_VXLAN_*), plus its head-end replication list.
public struct VXLANInfo: Hashable, Sendable, Codable {
    public var vni: UInt32
    /// The local VTEP address.
    public var local: String?
    public var port: UInt16
    /// The underlay device (IFLA_VXLAN_LINK).
    public var device: String?
    /// Remote VTEPs of the all-zero FDB entries (`bridge fdb append 00:00:00:00:00:00 dst R`);
    /// nil when not read.
    public var remotes: [String]?

    public init(vni: UInt32, local: String? = nil, port: UInt16 = 4789, device: String? = nil, remotes: [String]? = nil) {
        self.vni = vni
        self.local = local
        self.port = port
        self.device = device
        self.remotes = remotes
    }

    /// Same device identity (the kernel cannot change these in place).
    public func sameIdentity(as other: VXLANInfo) -> Bool {
        vni == other.vni && local == other.local && port == other.port && device == other.device
    }
}
