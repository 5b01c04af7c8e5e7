import HostState
import Planner
import Storage
import Topology

/// Storage path health: what `check` reports beyond drift, and `plan` shows as a pre-flight.
/// Per path: the NIC has carrier and its address, each portal answers TCP from that NIC, jumbo
/// frames pass end to end. Per declared session: logged in. Per LUN: as many active paths as the
/// file declares sessions to its target.
struct StorageHealth {
    var probe: PathProbe

    func findings(_ desired: DesiredState, _ current: CurrentState) -> [PlanProblem] {
        vportFindings(desired, current) + iscsiFindings(desired, current)
    }

    /// Declared vports that exist but are not Active, in the kernel's words, and parents that are
    /// not Online. (Missing vports are drift: the plan creates them.)
    func vportFindings(_ desired: DesiredState, _ current: CurrentState) -> [PlanProblem] {
        guard let fc = current.fc else { return [] }
        var found: [PlanProblem] = []
        let vports = Dictionary(fc.vports.map { ($0.portName, $0) }, uniquingKeysWith: { a, _ in a })
        for want in desired.vports {
            guard let vport = vports[want.wwpn], vport.nodeName == want.wwnn else { continue }
            let parent = fc.hosts.first { $0.name == vport.parent }
            if vport.state != "Active" {
                found.append(PlanProblem(object: "vport \(want.name)",
                                         message: "E_FC_VPORT_STATE: \(vport.name) (wwpn \(want.wwpn)) is \"\(vport.state)\", expected Active" +
                                            (parent.map { "; parent \($0.name) is \($0.portState)" } ?? "")))
            }
        }
        return found
    }

    func iscsiFindings(_ desired: DesiredState, _ current: CurrentState) -> [PlanProblem] {
        guard let want = desired.iscsi, let have = current.iscsi else { return [] }
        var found: [PlanProblem] = []
        let links = current.linksByName()
        let addresses = current.addressesByLink()
        let nics = Dictionary(desired.nics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        for path in want.paths {
            let object = "iscsi path \(path.iface) (\(path.nic))"
            guard let link = links[path.nic] else {
                found.append(PlanProblem(object: object, message: "NIC \(path.nic) is absent"))
                continue
            }
            guard link.up, link.carrier else {
                found.append(PlanProblem(object: object, message: "NIC \(path.nic) is \(link.up ? "up without carrier" : "down")"))
                continue
            }
            let declared = nics[path.nic]?.addresses.map(\.prefix) ?? []
            let present = Set((addresses[path.nic] ?? []).map(\.prefix))
            guard declared.allSatisfy(present.contains), present.contains(where: { $0.family == .ipv4 || $0.family == .ipv6 && !$0.address.hasPrefix("fe80") }) else {
                found.append(PlanProblem(object: object, message: "NIC \(path.nic) lacks its address (\(declared.map(\.description).joined(separator: ", ")))"))
                continue
            }
            for portal in path.portals {
                if let problem = probe.tcp(from: path.nic, to: portal.address, port: portal.port) {
                    found.append(PlanProblem(object: object, message: "portal \(portal): \(problem)"))
                    continue
                }
                let mtu = nics[path.nic]?.mtu ?? link.mtu
                if let problem = probe.jumbo(from: path.nic, to: portal.address, mtu: mtu) {
                    found.append(PlanProblem(object: object, message: problem))
                }
            }
        }
        let sessions = Dictionary(have.sessions.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        for key in want.sessions {
            if let session = sessions[key], session.state != "LOGGED_IN" {
                found.append(PlanProblem(object: "iscsi session \(key)", message: "session \(session.id) is \(session.state)"))
            }
        }
        found += lunFindings(want, have, sessions: sessions)
        // Verified, never written (the platform owns it): map names must be the WWID on every host.
        if have.multipathDefaults?["user_friendly_names"] == "yes" {
            found.append(PlanProblem(object: "multipath", message: "user_friendly_names is yes: map names (mpathN) differ between pool hosts; set it to no in /etc/multipath.conf"))
        }
        return found
    }

    /// Per LUN (WWID): active paths against the paths the file declares for its target.
    func lunFindings(_ want: DesiredISCSI, _ have: ISCSIState, sessions: [ISCSINodeKey: ISCSISession]) -> [PlanProblem] {
        LUNPaths.count(want, have).filter { $0.active < $0.declared }.map { lun in
            let down = want.sessions.filter { $0.target == lun.target && !lun.activeSessions.contains($0) }
            let detail = down.map { key -> String in
                if let p = lun.paths[key] { return "\(key.iface) → \(key.portal) (\(p.device) \(p.dmState) \(p.checkerState))" }
                return "\(key.iface) → \(key.portal) (no session)"
            }
            return PlanProblem(object: "multipath LUN \(lun.wwid)",
                               message: "\(lun.active) of \(lun.declared) paths active (target \(lun.target)); not active: \(detail.joined(separator: ", "))")
        }
    }
}

/// One LUN seen through the file's sessions: its paths, how many are active, how many the file
/// declares (sessions to its target).
public struct LUNPaths: Sendable {
    public var wwid: String
    public var target: String
    public var declared: Int
    public var active: Int
    var paths: [ISCSINodeKey: MultipathPath]
    var activeSessions: Set<ISCSINodeKey>

    /// Every LUN behind the file's sessions, by WWID (sorted).
    public static func count(_ want: DesiredISCSI, _ have: ISCSIState) -> [LUNPaths] {
        guard let all = have.multipathPaths else { return [] }
        let byDevice = Dictionary(all.map { ($0.device, $0) }, uniquingKeysWith: { a, _ in a })
        let sessions = Dictionary(have.sessions.map { ($0.key, $0) }, uniquingKeysWith: { a, _ in a })
        let expected = want.pathsPerTarget
        var luns: [String: LUNPaths] = [:]
        for key in want.sessions {
            for disk in sessions[key]?.disks ?? [] {
                guard let path = byDevice[disk.device], !path.wwid.isEmpty else { continue }
                var lun = luns[path.wwid] ?? LUNPaths(wwid: path.wwid, target: key.target, declared: expected[key.target] ?? 0, active: 0, paths: [:], activeSessions: [])
                lun.paths[key] = path
                if path.isActive { lun.active += 1; lun.activeSessions.insert(key) }
                luns[path.wwid] = lun
            }
        }
        return luns.keys.sorted().map { luns[$0]! }
    }
}
