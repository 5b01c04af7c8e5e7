import Foundation
import HostState

/// Reading sysfs attributes and the SCSI disks under a device, shared by the iSCSI and FC readers.
enum Sysfs {
    /// An attribute's text, trimmed; nil when absent, empty or "(null)".
    static func value(_ path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let text = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        return text.isEmpty || text == "(null)" ? nil : text
    }

    static func list(_ path: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted() }

    /// The block devices under `device`/targetH:C:T/H:C:T:L/block, with what holds them and what
    /// holds those (a disk held only by its multipath map is not in use; one under LVM is).
    static func disks(under device: String, root: String) -> [SCSIDisk] {
        var disks: [SCSIDisk] = []
        for target in list(device) where target.hasPrefix("target") {
            for lun in list("\(device)/\(target)") where lun.split(separator: ":").count == 4 {
                for name in list("\(device)/\(target)/\(lun)/block") {
                    let holders = list("\(root)/block/\(name)/holders")
                    disks.append(SCSIDisk(device: name, hctl: lun, holders: holders, upperHolders: holders.flatMap { list("\(root)/block/\($0)/holders") }))
                }
            }
        }
        return disks
    }
}
