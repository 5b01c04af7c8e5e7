import Foundation
import HostState

/// NetworkManager's runtime view of a device: `/run/NetworkManager/devices/<ifindex>`, a keyfile
/// NetworkManager rewrites whenever the device's state changes. `managed=true` is written only
/// while NetworkManager manages the device; an explicit `nmcli device set … managed no` writes
/// `managed=false`; a device unmanaged by configuration has no `managed=` line.
enum NetworkManagerDevices {
    static func claim(device: String, ifindex: Int32, roots: ForeignManagerRoots) -> ForeignClaim? {
        let hostPath = "/run/NetworkManager/devices/\(ifindex)"
        guard let text = ForeignFile.text(roots.local(hostPath)) else { return nil }
        let values = ForeignFile.keyValues(text)
        guard let managed = values["managed"], managed.value == "true" else { return nil }
        var evidence = "\(hostPath):\(managed.line): managed=true"
        if let uuid = values["connection-uuid"] { evidence += ", connection-uuid=\(uuid.value)" }
        return ForeignClaim(device: device, manager: .networkManager, evidence: evidence,
                            remedy: "coexist: { networkmanager: unmanage } in the pool file, or `nmcli device set \(device) managed no`")
    }
}
