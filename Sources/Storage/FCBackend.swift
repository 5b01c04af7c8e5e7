import Foundation
import SystemCalls
import HostState

/// NPIV over sysfs (root injectable for fixture trees): fc_host ports by WWPN, vports created and
/// deleted through the parent's `vport_create` / `vport_delete`, found by `port_name`, never by
/// path (vport numbers come from an ever-increasing counter).
public struct FCBackend: Sendable {
    public var root: String
    /// poolnet's record of the vports it created.
    public var ownership: String
    /// The pool whose vports these are (nil: the unassigned entries of the record).
    public var pool: String?
    /// How long a new vport may stay Initializing/Unknown before poolnet reports its state.
    public var settleTimeout: Double = 10

    public init(root: String = "/sys", ownership: String, pool: String? = nil) {
        self.root = root
        self.ownership = ownership
        self.pool = pool
    }

    private var fm: FileManager { FileManager.default }
    func value(_ path: String) -> String? { Sysfs.value(path) }
    func list(_ path: String) -> [String] { Sysfs.list(path) }

    public func read() -> FCState {
        let record = OwnershipRecord.read(ownership)
        var state = FCState(ownedVPorts: record.owned(by: pool).fcVPorts)
        state.otherPoolsVPorts = record.storage(notOf: pool).vports
        // A vport brings its own fc_host (named by the vport's WWPN): those are not ports to build on.
        let vportHosts = Set(list("\(root)/class/fc_vports").flatMap { vport in
            list(URL(fileURLWithPath: "\(root)/class/fc_vports/\(vport)/device").resolvingSymlinksInPath().path).filter { $0.hasPrefix("host") }
        })
        let hosts = "\(root)/class/fc_host"
        for name in list(hosts) where !vportHosts.contains(name) {
            let dir = "\(hosts)/\(name)"
            guard let port = value("\(dir)/port_name").flatMap(WWN.init(sysfs:)) else { continue }
            state.hosts.append(FCHost(name: name, portName: port, nodeName: value("\(dir)/node_name").flatMap(WWN.init(sysfs:)),
                                      permanentPortName: value("\(dir)/permanent_port_name").flatMap(WWN.init(sysfs:)),
                                      portState: value("\(dir)/port_state") ?? "Unknown",
                                      maxVPorts: value("\(dir)/max_npiv_vports").flatMap { Int($0) },
                                      vportsInUse: value("\(dir)/npiv_vports_inuse").flatMap { Int($0) },
                                      canCreateVPorts: fm.fileExists(atPath: "\(dir)/vport_create")))
        }
        let vports = "\(root)/class/fc_vports"
        for name in list(vports) {
            let dir = "\(vports)/\(name)"
            guard let port = value("\(dir)/port_name").flatMap(WWN.init(sysfs:)), let node = value("\(dir)/node_name").flatMap(WWN.init(sysfs:)) else { continue }
            // vport-H:C-N: created on scsi host H.
            let parent = name.dropFirst("vport-".count).split(separator: ":").first.map { "host\($0)" } ?? "?"
            state.vports.append(FCVPort(name: name, parent: parent, portName: port, nodeName: node, state: value("\(dir)/vport_state") ?? "Unknown",
                                        symbolicName: value("\(dir)/symbolic_name"), disks: disks(vportDir: dir)))
        }
        return state
    }

    /// The disks behind the vport's own SCSI host (device/hostM/targetM:C:T/M:C:T:L/block/sdX).
    func disks(vportDir: String) -> [SCSIDisk] {
        let device = URL(fileURLWithPath: "\(vportDir)/device").resolvingSymlinksInPath().path
        return list(device).filter { $0.hasPrefix("host") }.flatMap { Sysfs.disks(under: "\(device)/\($0)", root: root) }
    }

    func host(_ wwpn: WWN) -> FCHost? { read().hosts.first { $0.portName == wwpn } }

    /// Creates the vport on the port named `parent`, waits (bounded) until it leaves the
    /// transient states, sets its symbolic name, and records it as poolnet's. Returns its state.
    @discardableResult
    public func create(parent: WWN, wwpn: WWN, wwnn: WWN, symbolicName: String?) throws -> String {
        guard let host = host(parent) else { throw StorageError("E_FC_PARENT: no fc_host has port_name \(parent)") }
        let dir = "\(root)/class/fc_host/\(host.name)"
        guard host.canCreateVPorts else { throw StorageError("E_FC_NO_NPIV: \(host.name) (\(parent)) has no vport_create: its driver does not do NPIV") }
        if let max = host.maxVPorts, let used = host.vportsInUse, used >= max {
            throw StorageError("E_FC_CAPACITY: \(host.name) (\(parent)) has \(used) of \(max) vports in use (ENOSPC)")
        }
        try write("\(wwpn.hex):\(wwnn.hex)\n", to: "\(dir)/vport_create")
        try OwnershipRecord.update(ownership, pool: pool) { $0.fcVPorts.insert(wwpn) }
        let deadline = Date().addingTimeInterval(settleTimeout)
        var vport = find(wwpn)
        while Date() < deadline, vport == nil || ["Initializing", "Unknown"].contains(vport!.state) {
            Syscall.sleep(0.1)
            vport = find(wwpn)
        }
        guard let vport else { throw StorageError("vport \(wwpn) did not appear under \(host.name) within \(Int(settleTimeout))s") }
        if let symbolicName { try write(symbolicName + "\n", to: "\(root)/class/fc_vports/\(vport.name)/symbolic_name") }
        return vport.state
    }

    /// Deletes the vport through its parent's `vport_delete` (ENODEV there: already gone).
    public func delete(parent: WWN, wwpn: WWN, wwnn: WWN) throws {
        if let vport = find(wwpn), let host = read().hosts.first(where: { $0.name == vport.parent }) {
            do { try write("\(wwpn.hex):\(wwnn.hex)\n", to: "\(root)/class/fc_host/\(host.name)/vport_delete") } catch let e as WriteError where e.code == ENODEV {}
            let deadline = Date().addingTimeInterval(settleTimeout)
            while find(wwpn) != nil {
                guard Date() < deadline else { throw StorageError("vport \(wwpn) is still under \(host.name) \(Int(settleTimeout))s after vport_delete") }
                Syscall.sleep(0.05)
            }
        }
        try OwnershipRecord.update(ownership, pool: pool) { $0.fcVPorts.remove(wwpn) }
    }

    /// Adoption of a vport made by hand (or its undo): the ownership record only, nothing in sysfs.
    public func recordVPort(_ wwpn: WWN, owned: Bool) throws {
        try OwnershipRecord.update(ownership, pool: pool) { if owned { $0.fcVPorts.insert(wwpn) } else { $0.fcVPorts.remove(wwpn) } }
    }

    public func setSymbolicName(wwpn: WWN, name: String?) throws {
        guard let vport = find(wwpn) else { throw StorageError("no vport \(wwpn)") }
        try write((name ?? "") + "\n", to: "\(root)/class/fc_vports/\(vport.name)/symbolic_name")
    }

    public func find(_ wwpn: WWN) -> FCVPort? { read().vports.first { $0.portName == wwpn } }

    struct WriteError: Error, CustomStringConvertible {
        var path: String
        var code: Int32
        var description: String { "writing \(path): \(Errno(code).text)" }
    }

    /// One write(2) of the whole text: sysfs attributes take a value per write, and report errors
    /// (EINVAL, ENOSPC, ENODEV) as the write's errno.
    func write(_ text: String, to path: String) throws {
        let fd: Int32
        do { fd = try Syscall.open(path, O_WRONLY | O_TRUNC | O_CLOEXEC) } catch { throw WriteError(path: path, code: error.code) }
        defer { Syscall.close(fd) }
        let bytes = Array(text.utf8)
        let n: Int
        do { n = try Syscall.writeOnce(fd, bytes) } catch { throw WriteError(path: path, code: error.code) }
        guard n == bytes.count else { throw WriteError(path: path, code: EIO) }
    }
}
