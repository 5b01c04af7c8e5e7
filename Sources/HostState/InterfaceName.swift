/// Kernel rules for network device names (`dev_valid_name` in net/core/dev.c).
public enum InterfaceName {
    /// IFNAMSIZ is 16 including the terminating NUL.
    public static let maxBytes = 15

    /// Returns nil when `name` is valid, or the reason it is not.
    public static func problem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if name.utf8.count > maxBytes { return "is \(name.utf8.count) bytes long; the kernel allows at most \(maxBytes)" }
        if name == "." || name == ".." { return "is reserved (\".\" and \"..\" are not allowed)" }
        for scalar in name.unicodeScalars {
            if scalar == "/" { return "contains \"/\"" }
            if scalar == ":" { return "contains \":\"" }
            if scalar.properties.isWhitespace { return "contains whitespace" }
        }
        return nil
    }
}
