/// How poolnet recognises what it created, without any state file: the kernel keeps the marks.
public enum Ownership {
    /// IFA_PROTO value on addresses poolnet added (the kernel stores any u8 since Linux 6.1;
    /// 0–3 are the kernel's own values).
    public static let addressProtocol: UInt8 = 0x70

    /// IFLA_IFALIAS of links poolnet created for `pool`.
    public static func linkAlias(pool: String) -> String { "poolnet:\(pool)" }

    /// IFLA_IFALIAS poolnet puts on an existing device it enslaved as a port, so that it can
    /// release it when the file drops the port, while guest ports attached by the hypervisor
    /// (no mark) are never touched.
    public static func portAlias(pool: String) -> String { "poolnet:\(pool):port" }
}
