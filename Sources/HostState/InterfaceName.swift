/// Kernel rules for network device names (`dev_valid_name` in net/core/dev.c).
public enum InterfaceName {
    /// IFNAMSIZ is 16 including the terminating NUL.
    public static let maxBytes = 15

    /// Returns nil when `name` is valid, or the reason it is not.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.utf8.count > maxBytes { return "is \(name.utf8.count) bytes long; the kernel allows at most \(maxBytes)" }
        if name == "." || name == ".." { return "is reserved (\".\" and \"..\" are not allowed)" }
        // Letters, digits, ".", "_" and "-" (nearly every name) need no Unicode property tables,
        // which were a third of this check's cost over a 2,000-object file.
        if name.utf8.allSatisfy({ b in (b | 0x20 >= 0x61 && b | 0x20 <= 0x7a) || (b >= 0x30 && b <= 0x39) || b == 0x2e || b == 0x5f || b == 0x2d }) {
            return name.utf8.first == UInt8(ascii: "-") ? "starts with \"-\", which tools read as an option" : nil
        }
        for scalar in name.unicodeScalars {
            if scalar == "/" { return "contains \"/\"" }
            if scalar == ":" { return "contains \":\"" }
            if scalar.properties.isWhitespace { return "contains whitespace" }
            // The kernel takes a name with "%" as a pattern and picks a free one (eth%d → eth0): the
            // device would never have the declared name.
            if scalar == "%" { return "contains \"%\" (the kernel reads it as a pattern such as eth%d)" }
            if scalar.properties.generalCategory == .control { return "contains a control character" }
        }
        // Not a kernel rule: tools (ip, iscsiadm's iface.net_ifacename) read a leading "-" as an option.
        if name.hasPrefix("-") { return "starts with \"-\", which tools read as an option" }
        return nil
    }
}
