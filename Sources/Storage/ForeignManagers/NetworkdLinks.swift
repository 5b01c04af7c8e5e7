import Foundation
import HostState

/// systemd-networkd's runtime view of a link: `/run/systemd/netif/links/<ifindex>` with its
/// `ADMIN_STATE` and the `.network` file that matched (`NETWORK_FILE`).
enum NetworkdLinks {
    /// Admin states in which networkd configures the link.
    static let managing: Set<String> = ["configuring", "configured", "failed", "initialized"]

    static func claim(device: String, ifindex: Int32, roots: ForeignManagerRoots) -> ForeignClaim? {
        let hostPath = "/run/systemd/netif/links/\(ifindex)"
        guard let text = ForeignFile.text(roots.local(hostPath)) else { return nil }
        let values = ForeignFile.keyValues(text)
        guard let admin = values["ADMIN_STATE"], managing.contains(admin.value) else { return nil }
        var evidence = "\(hostPath):\(admin.line): ADMIN_STATE=\(admin.value)"
        let file = values["NETWORK_FILE"]?.value
        if let file { evidence += ", NETWORK_FILE=\(file)" }
        let remedy: String
        if let file, file.contains("netplan") {
            remedy = "remove \(device) from /etc/netplan/*.yaml and run `netplan apply`, or coexist: { networkd: unmanage }"
        } else {
            remedy = "narrow the [Match] of \(file ?? "its .network file") and run `networkctl reload`, or coexist: { networkd: unmanage }"
        }
        return ForeignClaim(device: device, manager: .networkd, evidence: evidence, remedy: remedy)
    }
}
