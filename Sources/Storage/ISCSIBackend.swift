import Foundation
import SystemCalls
import HostState

/// Where the storage backend reads and writes: the real system by default, a fixture tree in tests.
public struct StorageRoots: Sendable {
    public var sys: String
    public var etc: String
    public var proc: String
    /// poolnet's record of the iSCSI ifaces it owns (sysfs and iscsiadm have no owner field).
    public var ownership: String
    /// The pool whose entries of the ownership record the backends read and write (nil: the
    /// unassigned ones, e.g. a revert that does not know its pool).
    public var pool: String?

    public init(sys: String = "/sys", etc: String = "/etc", proc: String = "/proc", ownership: String = "/var/lib/poolnet/owned.json") {
        self.sys = sys
        self.etc = etc
        self.proc = proc
        self.ownership = ownership
    }

    public var initiatorFile: String { "\(etc)/iscsi/initiatorname.iscsi" }
    public var multipathDropIn: String { "\(etc)/multipath/conf.d/90-poolnet.conf" }
}

/// open-iscsi and multipathd, driven through `iscsiadm`, `multipath` and `multipathd` (argv
/// arrays via `runner`) and sysfs. State comes from sysfs and the tools, never from their
/// database files.
public struct ISCSIBackend: Sendable {
    public var runner: any CommandRunner
    public var roots: StorageRoots
    /// Node record keys read back and compared (the ones a file may set).
    public var managedSettings: Set<String>
    /// How long to wait for a new session's LUNs to be scanned and seen by multipathd.
    public var settleTimeout: Double = 15
    /// How long a login over IPv6 waits for its NIC's new addresses to finish DAD.
    public var dadTimeout: Double = 15

    public init(runner: any CommandRunner = ProcessRunner(), roots: StorageRoots = StorageRoots(), managedSettings: Set<String>) {
        self.runner = runner
        self.roots = roots
        self.managedSettings = managedSettings
    }

    var sysfs: ISCSISysfs { ISCSISysfs(root: roots.sys) }

    // MARK: reading

    public func read() throws -> ISCSIState {
        var state = ISCSIState()
        state.initiatorName = readInitiatorName()
        let ifaces = runner.run(["iscsiadm", "-m", "iface"])
        guard ifaces.status == 0 else { throw CommandFailure(argv: ["iscsiadm", "-m", "iface"], result: ifaces) }
        state.ifaces = ISCSIAdmOutput.ifaces(ifaces.stdout)
        let nodes = runner.run(["iscsiadm", "-m", "node", "-o", "show"])
        switch nodes.status {
        case 0: state.nodes = ISCSIAdmOutput.nodes(nodes.stdout, settings: managedSettings)
        case ISCSIAdmOutput.Status.noObjectsFound: state.nodes = []
        default: throw CommandFailure(argv: ["iscsiadm", "-m", "node", "-o", "show"], result: nodes)
        }
        state.sessions = sysfs.sessions()
        let record = OwnershipRecord.read(roots.ownership)
        state.ownedIfaces = record.owned(by: roots.pool).iscsiIfaces
        state.otherPoolsIfaces = record.storage(notOf: roots.pool).ifaces
        state.multipathConfig = FileManager.default.contents(atPath: roots.multipathDropIn).map { String(decoding: $0, as: UTF8.self) }
        let sockets = abstractSockets()
        state.iscsidRunning = sockets.contains("@ISCSIADM_ABSTRACT_NAMESPACE")
        if sockets.contains("@/org/kernel/linux/storage/multipathd") {
            let paths = runner.run(["multipathd", "show", "paths", "raw", "format", MultipathOutput.pathFormat])
            let maps = runner.run(["multipathd", "show", "maps", "raw", "format", MultipathOutput.mapFormat])
            if paths.status == 0 && maps.status == 0 {
                state.multipathPaths = MultipathOutput.paths(paths.stdout)
                state.multipathMaps = MultipathOutput.maps(maps.stdout)
            }
            let config = runner.run(["multipathd", "show", "config"])
            if config.status == 0 { state.multipathDefaults = MultipathOutput.defaults(config.stdout) }
        }
        return state
    }

    func readInitiatorName() -> String? {
        guard let data = FileManager.default.contents(atPath: roots.initiatorFile) else { return nil }
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") where line.hasPrefix("InitiatorName=") {
            return String(line.dropFirst("InitiatorName=".count)).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    /// Abstract unix socket names listening in this network namespace (iscsid's and multipathd's).
    func abstractSockets() -> Set<String> {
        guard let data = FileManager.default.contents(atPath: "\(roots.proc)/net/unix") else { return [] }
        var names = Set<String>()
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst() {
            if let last = line.split(separator: " ").last, last.hasPrefix("@") { names.insert(String(last)) }
        }
        return names
    }

    // MARK: writing

    func must(_ argv: [String], accept: Set<Int32> = [0]) throws {
        let result = runner.run(argv)
        guard accept.contains(result.status) else { throw CommandFailure(argv: argv, result: result) }
    }

    func nodeArgs(_ key: ISCSINodeKey) -> [String] {
        ["iscsiadm", "-m", "node", "-T", key.target, "-p", key.portal.argument, "-I", key.iface]
    }

    public func writeInitiatorName(_ name: String?) throws {
        guard let name else {
            try? FileManager.default.removeItem(atPath: roots.initiatorFile)
            return
        }
        try AtomicFile.write("## Written by poolnet: the pool file sets this host's initiator name.\nInitiatorName=\(name)\n", to: roots.initiatorFile)
    }

    public func createIface(_ iface: ISCSIIface) throws {
        try must(["iscsiadm", "-m", "iface", "-I", iface.name, "-o", "new"])
        try updateIface(iface, previous: ISCSIIface(name: iface.name))
        try OwnershipRecord.update(roots.ownership, pool: roots.pool) { $0.iscsiIfaces.insert(iface.name) }
    }

    public func deleteIface(_ iface: ISCSIIface) throws {
        try must(["iscsiadm", "-m", "iface", "-I", iface.name, "-o", "delete"])
        try OwnershipRecord.update(roots.ownership, pool: roots.pool) { $0.iscsiIfaces.remove(iface.name) }
    }

    /// Adoption of an iface made by hand (or its undo): the ownership record only, no iscsiadm.
    public func recordIface(_ name: String, owned: Bool) throws {
        try OwnershipRecord.update(roots.ownership, pool: roots.pool) { if owned { $0.iscsiIfaces.insert(name) } else { $0.iscsiIfaces.remove(name) } }
    }

    /// Sets the fields that differ. One of net_ifacename and hwaddress, never both (open-iscsi
    /// leaves that case undefined).
    public func updateIface(_ iface: ISCSIIface, previous: ISCSIIface) throws {
        let base = ["iscsiadm", "-m", "iface", "-I", iface.name, "-o", "update", "-n"]
        if iface.transport != previous.transport { try must(base + ["iface.transport_name", "-v", iface.transport]) }
        if iface.hwAddress != previous.hwAddress { try must(base + ["iface.hwaddress", "-v", iface.hwAddress ?? ""]) }
        if iface.netIfaceName != previous.netIfaceName { try must(base + ["iface.net_ifacename", "-v", iface.netIfaceName ?? ""]) }
        if iface.initiatorName != previous.initiatorName { try must(base + ["iface.initiatorname", "-v", iface.initiatorName ?? ""]) }
    }

    /// A static record (no discovery: a plain discovery would reset settings and drop portals).
    public func createNode(_ record: ISCSINodeRecord) throws {
        try must(["iscsiadm", "-m", "node", "-o", "new", "-T", record.key.target, "-p", record.key.portal.argument, "-I", record.key.iface])
        try setNodeSettings(record.key, record.settings)
    }

    public func deleteNode(_ key: ISCSINodeKey) throws { try must(nodeArgs(key) + ["-o", "delete"]) }

    public func setNodeSettings(_ key: ISCSINodeKey, _ settings: [String: String]) throws {
        for name in settings.keys.sorted() { try must(nodeArgs(key) + ["-o", "update", "-n", name, "-v", settings[name]!]) }
    }

    /// Logs in (exit 15: the session exists, which is what was asked), then waits, bounded, until
    /// the kernel has scanned the LUNs and multipathd has seen them.
    public func login(_ key: ISCSINodeKey) throws {
        if key.portal.address.contains(":") {
            // Over IPv6, a login while the NIC's address is tentative would leave from fe80::.
            let ifaces = runner.run(["iscsiadm", "-m", "iface"])
            if ifaces.status == 0, let nic = ISCSIAdmOutput.ifaces(ifaces.stdout).first(where: { $0.name == key.iface })?.netIfaceName {
                try DuplicateAddressDetection.wait(for: nic, procRoot: roots.proc, timeout: dadTimeout)
            }
        }
        try must(nodeArgs(key) + ["-l"], accept: [0, ISCSIAdmOutput.Status.sessionExists])
        let deadline = Date().addingTimeInterval(settleTimeout)
        var session = sysfs.sessions().first { $0.key == key }
        while let s = session, !sysfs.settled(session: s.id), Date() < deadline {
            Syscall.sleep(0.1)
            session = sysfs.sessions().first { $0.key == key }
        }
        guard let devices = session?.disks.map(\.device), !devices.isEmpty,
              abstractSockets().contains("@/org/kernel/linux/storage/multipathd") else { return }
        while Date() < deadline {
            let known = Set(MultipathOutput.paths(runner.run(["multipathd", "show", "paths", "raw", "format", MultipathOutput.pathFormat]).stdout).map(\.device))
            if devices.allSatisfy(known.contains) { return }
            Syscall.sleep(0.2)
        }
    }

    /// Logs out; "no matching session" (21) means it is already gone.
    public func logout(_ key: ISCSINodeKey) throws {
        try must(nodeArgs(key) + ["-u"], accept: [0, ISCSIAdmOutput.Status.noObjectsFound])
    }

    public func setRecoveryTimeout(_ key: ISCSINodeKey, seconds: Int) throws {
        guard let session = sysfs.sessions().first(where: { $0.key == key }) else { throw StorageError("no session \(key)") }
        try sysfs.setRecoveryTimeout(session: session.id, seconds: seconds)
    }

    /// Writes (or removes) the drop-in and has multipathd re-read its configuration.
    public func writeMultipathConfig(_ content: String?) throws {
        if let content {
            if let problem = MultipathDropIn.problem(content) {
                throw StorageError("refusing to write \(roots.multipathDropIn): \(problem)")
            }
            try AtomicFile.write(content, to: roots.multipathDropIn)
        } else {
            try? FileManager.default.removeItem(atPath: roots.multipathDropIn)
        }
        if abstractSockets().contains("@/org/kernel/linux/storage/multipathd") { try must(["multipathd", "reconfigure"]) }
    }

    /// Records the WWID (find_multipaths strict only multipaths known WWIDs) and has multipathd
    /// build the map from the paths it already sees.
    public func addMultipathMap(wwid: String, device: String) throws {
        try must(["multipath", "-a", "/dev/\(device)"])
        try must(["multipathd", "add", "map", wwid])
    }

    public func removeMultipathMap(wwid: String, device: String) throws {
        try must(["multipathd", "del", "map", wwid])
        try must(["multipath", "-w", "/dev/\(device)"])
    }
}

/// Writes a file through a temporary sibling (fsync'd) and a rename, creating the directory if
/// needed: Foundation's atomic write (mode 0666 less the umask, as before).
enum AtomicFile {
    static func write(_ text: String, to path: String) throws {
        let dir = (path as NSString).deletingLastPathComponent
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
