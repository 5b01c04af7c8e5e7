import HostState
import Topology

extension PlanBuilder {
    /// iSCSI: the initiator name, one iface per path, node records per (iface, portal, target),
    /// sessions, live timeouts, poolnet's multipath drop-in and maps for the LUNs behind the
    /// sessions. Only ifaces poolnet owns (created, or adopted: its ownership record) are ever
    /// deleted, with their records and sessions; the sessions and records of declared ifaces are
    /// managed too. The `default` iface and hand-made ones the file does not declare are left alone.
    mutating func planISCSI(force: Bool) {
        guard let have = current.iscsi else { return }
        let want = desired.iscsi
        let ifaces = Dictionary(have.ifaces.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        let records = Dictionary(have.nodes.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let sessions = Dictionary(have.sessions.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        // A declared iface another pool recorded is that pool's: this plan neither binds, logs
        // out nor records anything through it (a problem refuses the apply).
        let othersIfaces = Set(want?.paths.map(\.iface) ?? []).filter { ifaces[$0] != nil && !have.ownedIfaces.contains($0) && have.otherPoolsIfaces[$0] != nil }
        for name in othersIfaces.sorted() {
            problem("iscsi iface \(name)", "belongs to pool \(have.otherPoolsIfaces[name]!) on this host (its ownership record holds it): poolnet never binds, logs out or adopts another pool's iface; drop it from this file, or from pool \(have.otherPoolsIfaces[name]!)'s first")
        }
        let declaredIfaces = Set(want?.paths.map(\.iface) ?? []).subtracting(othersIfaces)
        let owned = have.ownedIfaces.union(declaredIfaces)
        let wanted = Set(want?.sessions ?? [])

        if let want, have.initiatorName != want.initiatorName {
            add(.storageConfig, .storage(.writeInitiatorName(name: want.initiatorName, previous: have.initiatorName)), depth: 0)
        }
        if want?.multipathConfig != have.multipathConfig {
            add(.storageConfig, .storage(.writeMultipathConfig(content: want?.multipathConfig, previous: have.multipathConfig)), depth: 0)
        }

        // Ifaces whose binding changes: their sessions go down, their records are recreated (a
        // record keeps a copy of the iface's binding), then the sessions come back.
        var rebound = Set<String>()
        for path in want?.paths ?? [] where !othersIfaces.contains(path.iface) {
            let iface = ISCSIIface(name: path.iface, netIfaceName: path.nic, initiatorName: want!.initiatorName)
            guard let existing = ifaces[path.iface] else {
                add(.storageConfig, .storage(.createIface(iface)), depth: 1)
                continue
            }
            // An iface without a name of its own logs in with the host's (iscsiadm's default):
            // the same as the file's while the host's name is not changing.
            let effectiveName = existing.initiatorName ?? (have.initiatorName == want!.initiatorName ? have.initiatorName : nil)
            if existing.netIfaceName != iface.netIfaceName || effectiveName != iface.initiatorName || existing.hwAddress != nil
                || existing.transport != "tcp" {
                rebound.insert(path.iface)
                var target = iface
                target.transport = existing.transport
                add(.storageConfig, .storage(.updateIface(target, previous: existing)), depth: 1, disruptive: true,
                    reason: "rebinding an iface logs its sessions out and in again")
            }
        }

        // Teardown: sessions, then records, then ifaces that the file no longer wants.
        for session in have.sessions.sorted(by: { $0.key < $1.key }) where owned.contains(session.key.iface) {
            guard !wanted.contains(session.key) || rebound.contains(session.key.iface) else { continue }
            let why = wanted.contains(session.key) ? "iface \(session.key.iface) is rebound" : "no longer in the file"
            add(.storageTeardown, .storage(.logout(session.key)), depth: 0, disruptive: true, reason: why)
            refuseIfInUse(session, force: force, doing: "logging out")
        }
        for record in have.nodes.sorted(by: { $0.key < $1.key }) where owned.contains(record.key.iface) {
            guard !wanted.contains(record.key) || rebound.contains(record.key.iface) else { continue }
            add(.storageTeardown, .storage(.deleteNode(record)), depth: 1)
        }
        for iface in have.ifaces.sorted(by: { $0.name < $1.name }) where have.ownedIfaces.contains(iface.name) && !declaredIfaces.contains(iface.name) {
            add(.storageTeardown, .storage(.deleteIface(iface)), depth: 2)
        }

        guard let want else { return }
        for key in want.sessions where !othersIfaces.contains(key.iface) {
            if let record = records[key], !rebound.contains(key.iface) {
                let changed = want.settings.filter { record.settings[$0.key] != $0.value }
                if !changed.isEmpty {
                    add(.storageConfig, .storage(.setNodeSettings(key, settings: changed, previous: record.settings.filter { changed[$0.key] != nil })),
                        depth: 2)
                }
            } else {
                add(.storageConfig, .storage(.createNode(ISCSINodeRecord(key: key, settings: want.settings))), depth: 2)
            }
            if let session = sessions[key], !rebound.contains(key.iface) {
                if let timeout = want.replacementTimeout, let live = session.recoveryTimeout, live != timeout {
                    add(.storageConfig, .storage(.setRecoveryTimeout(key, seconds: timeout, previous: live)), depth: 3)
                }
            } else {
                add(.storageLogin, .storage(.login(key)), depth: 0)
            }
        }

        guard !want.paths.isEmpty else { return }
        if !have.iscsidRunning { problem("iscsi", "iscsid is not running in this network namespace; start it (systemctl start iscsid)") }
        guard let paths = have.multipathPaths else {
            problem("multipath", "multipathd does not answer; start it (systemctl start multipathd)")
            return
        }
        // A LUN seen through the file's sessions but in no map: multipath adopts it.
        let byDevice = Dictionary(paths.map { ($0.device, $0) }, uniquingKeysWith: { a, _ in a })
        var adopted = Set<String>()
        for key in want.sessions {
            for disk in sessions[key]?.disks ?? [] {
                guard let path = byDevice[disk.device], path.isOrphan, !path.wwid.isEmpty, adopted.insert(path.wwid).inserted else { continue }
                add(.storageMaps, .storage(.addMultipathMap(wwid: path.wwid, device: disk.device)), depth: 0)
            }
        }
    }

    /// A LUN with holders above its multipath map (LVM, a mounted file system, a guest) is in use:
    /// taking a path away is refused unless the operator forces it.
    mutating func refuseIfInUse(_ session: ISCSISession, force: Bool, doing: String) {
        guard !force else { return }
        let used = session.disks.filter(\.inUse)
        guard !used.isEmpty else { return }
        problem("iscsi session \(session.key)", "\(doing) is refused: LUN \(used.map(\.heldByDescription).joined(separator: ", ")) is in use; pass --force to do it anyway")
    }
}
