import Foundation
import HostState

/// Reads iSCSI sessions and the disks behind them from sysfs (injectable root for fixture trees):
/// /sys/class/iscsi_session/sessionN, /sys/class/iscsi_connection/connectionN:0 and the SCSI
/// devices under the session's host.
public struct ISCSISysfs: Sendable {
    public var root: String

    public init(root: String = "/sys") { self.root = root }

    func value(_ path: String) -> String? { Sysfs.value(path) }
    func list(_ path: String) -> [String] { Sysfs.list(path) }

    public func sessions() -> [ISCSISession] {
        let base = "\(root)/class/iscsi_session"
        return list(base).compactMap { name -> ISCSISession? in
            guard name.hasPrefix("session"), let id = Int(name.dropFirst(7)) else { return nil }
            let dir = "\(base)/\(name)"
            let conn = "\(root)/class/iscsi_connection/connection\(id):0"
            guard let target = value("\(dir)/targetname"), let iface = value("\(dir)/ifacename"),
                  let address = value("\(conn)/persistent_address") ?? value("\(conn)/address") else { return nil }
            let port = (value("\(conn)/persistent_port") ?? value("\(conn)/port")).flatMap { UInt16($0) } ?? 3260
            let device = URL(fileURLWithPath: "\(dir)/device").resolvingSymlinksInPath().path
            let hostDir = (device as NSString).deletingLastPathComponent
            let host = Int(((hostDir as NSString).lastPathComponent).dropFirst(4))
            return ISCSISession(id: id, key: ISCSINodeKey(iface: iface, portal: ISCSIPortal(address: address, port: port), target: target),
                                state: value("\(dir)/state") ?? "unknown", recoveryTimeout: value("\(dir)/recovery_tmo").flatMap { Int($0) },
                                scsiHost: host, initiatorName: value("\(dir)/initiatorname"), disks: disks(sessionDevice: device))
        }
    }

    /// Whether the kernel finished scanning the session's LUNs (`target_state` SCANNED) and every
    /// disk LUN (SCSI type 0) has its block device (sd attaches asynchronously after the scan).
    public func settled(session id: Int) -> Bool {
        let dir = "\(root)/class/iscsi_session/session\(id)"
        guard value("\(dir)/target_state") == "SCANNED" else { return false }
        let device = URL(fileURLWithPath: "\(dir)/device").resolvingSymlinksInPath().path
        for target in list(device) where target.hasPrefix("target") {
            for lun in list("\(device)/\(target)") where lun.split(separator: ":").count == 4 {
                if value("\(device)/\(target)/\(lun)/type") == "0", list("\(device)/\(target)/\(lun)/block").isEmpty { return false }
            }
        }
        return true
    }

    func disks(sessionDevice: String) -> [SCSIDisk] { Sysfs.disks(under: sessionDevice, root: root) }

    /// Sets a live session's replacement timeout.
    public func setRecoveryTimeout(session id: Int, seconds: Int) throws {
        let path = "\(root)/class/iscsi_session/session\(id)/recovery_tmo"
        do { try Data("\(seconds)\n".utf8).write(to: URL(fileURLWithPath: path)) } catch {
            throw StorageError("cannot write \(path): \(error.localizedDescription)")
        }
    }
}

/// An error of the storage backend, in words.
public struct StorageError: Error, CustomStringConvertible, Equatable {
    public var description: String
    public init(_ description: String) { self.description = description }
}
