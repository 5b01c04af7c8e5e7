/// poolnet's hand-over drop-ins: where each lives and what it says. Shared by the planner (which
/// compares the wanted text with the file found) and the reader (which reads it back).
public enum HandOverFiles {
    public static let managers: [ForeignManager] = [.networkManager, .networkd]

    /// One file per pool, so that two pools on a host do not overwrite each other's.
    /// networkd uses the first `.network` file in lexical order that matches a link: `05-` sorts
    /// before netplan's `10-netplan-*` and the distribution's files.
    public static func path(_ manager: ForeignManager, pool: String) -> String? {
        switch manager {
        case .networkManager: return "/etc/NetworkManager/conf.d/95-poolnet-\(pool).conf"
        case .networkd: return "/etc/systemd/network/05-poolnet-\(pool).network"
        default: return nil
        }
    }

    /// The file's text; nil for a manager poolnet never writes to, or for no devices (an empty
    /// `Name=` would match every link).
    public static func content(_ manager: ForeignManager, pool: String, devices: [String]) -> String? {
        guard !devices.isEmpty else { return nil }
        let header = """
        # Written by poolnet for pool \(pool): \(manager.displayName) leaves these devices to poolnet.
        # poolnet rewrites or removes this file; edit the pool file's coexist: section instead.

        """
        switch manager {
        case .networkManager:
            // `+=` appends to the administrator's own unmanaged-devices instead of replacing it.
            return header + "[keyfile]\nunmanaged-devices+=\(devices.map { "interface-name:\($0)" }.joined(separator: ";"))\n"
        case .networkd:
            return header + "[Match]\nName=\(devices.joined(separator: " "))\n\n[Link]\nUnmanaged=yes\n"
        default:
            return nil
        }
    }

    /// The devices one of these files names (its `interface-name:` entries or its `Name=` line).
    public static func devices(in content: String) -> [String] {
        for line in content.split(separator: "\n") {
            if line.hasPrefix("unmanaged-devices+=") {
                return line.dropFirst("unmanaged-devices+=".count).split(separator: ";").map { $0.hasPrefix("interface-name:") ? String($0.dropFirst("interface-name:".count)) : String($0) }
            }
            if line.hasPrefix("Name=") { return line.dropFirst(5).split(separator: " ").map(String.init) }
        }
        return []
    }
}
