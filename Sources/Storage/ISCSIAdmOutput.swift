import HostState

/// Parsers for what `iscsiadm` prints (open-iscsi 2.1). Tested against captured real output.
public enum ISCSIAdmOutput {
    /// `iscsiadm -m iface`: `name transport,hwaddress,ipaddress,net_ifacename,initiatorname` per
    /// line, `<empty>` for unset fields. open-iscsi's built-in `default` and `iser` are left out.
    public static func ifaces(_ text: String) -> [ISCSIIface] {
        text.split(separator: "\n").compactMap { line in
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { return nil }
            let name = parts[0]
            guard name != "default", name != "iser" else { return nil }
            let fields = parts[1].split(separator: ",", omittingEmptySubsequences: false).map { value -> String? in
                let v = String(value)
                return v == "<empty>" || v.isEmpty ? nil : v
            }
            guard fields.count >= 5 else { return nil }
            return ISCSIIface(name: name, transport: fields[0] ?? "tcp", netIfaceName: fields[3], hwAddress: fields[1], initiatorName: fields[4])
        }
    }

    /// Records of `iscsiadm -m node -o show`: blocks from `# BEGIN RECORD` to `# END RECORD` of
    /// `key = value` lines. Keeps the keys in `settings` (the ones poolnet manages).
    public static func nodes(_ text: String, settings keys: Set<String>) -> [ISCSINodeRecord] {
        var records: [ISCSINodeRecord] = []
        var fields: [String: String] = [:]
        func finish() {
            defer { fields = [:] }
            guard let target = fields["node.name"], let address = fields["node.conn[0].address"],
                  let port = fields["node.conn[0].port"].flatMap({ UInt16($0) }), let iface = fields["iface.iscsi_ifacename"] else { return }
            let settings = fields.filter { keys.contains($0.key) }
            records.append(ISCSINodeRecord(key: ISCSINodeKey(iface: iface, portal: ISCSIPortal(address: address, port: port), target: target),
                                           settings: settings))
        }
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# BEGIN RECORD") { fields = [:]; continue }
            if line.hasPrefix("# END RECORD") { finish(); continue }
            guard let eq = line.range(of: " = ") else { continue }
            let value = String(line[eq.upperBound...])
            fields[String(line[..<eq.lowerBound])] = value == "<empty>" ? "" : value
        }
        return records
    }

    /// Exit codes from open-iscsi's iscsi_err.h that poolnet treats specially.
    public enum Status {
        /// ISCSI_ERR_SESS_EXISTS: login to a session that exists; delete of a record in use.
        public static let sessionExists: Int32 = 15
        /// ISCSI_ERR_NO_OBJS_FOUND: no records, no sessions.
        public static let noObjectsFound: Int32 = 21
        /// ISCSI_ERR_IDBM: the record (e.g. an iface) does not exist.
        public static let databaseFailure: Int32 = 6
    }
}
