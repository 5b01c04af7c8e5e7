import Engine
import Foundation
import HostState
import Planner
import Topology

/// `check --textfile PATH`: Prometheus node_exporter textfile metrics, written atomically (a
/// temporary file in the same directory, then rename), so the collector never reads half a file.
enum Textfile {
    /// Drift kinds, always all emitted (0 when none) so that series do not come and go.
    static let kinds = ["link", "bridge_vlan", "address", "sysctl", "route", "iscsi", "multipath", "fc", "coexist", "blocked", "path_health"]

    static func kind(of action: Action) -> String {
        switch action {
        case .setBridgeVLANs: return "bridge_vlan"
        case .addAddress, .removeAddress: return "address"
        case .setSysctl: return "sysctl"
        case .addRoute, .removeRoute: return "route"
        case .handOver: return "coexist"
        case .storage(let s):
            if s.isFibreChannel { return "fc" }
            switch s {
            case .writeMultipathConfig, .addMultipathMap, .removeMultipathMap: return "multipath"
            default: return "iscsi"
            }
        default: return "link"
        }
    }

    static func render(plan: Plan, desired: DesiredState, current: CurrentState, now: Date) -> String {
        let base = "pool=\"\(escape(plan.pool))\",host=\"\(escape(plan.host))\""
        var counts = Dictionary(uniqueKeysWithValues: kinds.map { ($0, 0) })
        for change in plan.changes { counts[kind(of: change.action), default: 0] += 1 }
        counts["blocked"] = plan.problems.count
        counts["path_health"] = plan.health.count
        var out = """
        # HELP poolnet_check_success 1 when the host matches the pool file and every storage path is healthy.
        # TYPE poolnet_check_success gauge
        poolnet_check_success{\(base)} \(plan.isClean ? 1 : 0)
        # HELP poolnet_check_timestamp_seconds When the check ran (Unix time).
        # TYPE poolnet_check_timestamp_seconds gauge
        poolnet_check_timestamp_seconds{\(base)} \(Int(now.timeIntervalSince1970))
        # HELP poolnet_drift Differences from the pool file, by kind (blocked: problems apply cannot fix; path_health: storage path findings).
        # TYPE poolnet_drift gauge

        """
        for kind in kinds { out += "poolnet_drift{\(base),kind=\"\(kind)\"} \(counts[kind]!)\n" }
        out += "# HELP poolnet_foreign_manager 1 for each device of the file that another network manager claims (docs/coexistence.md).\n# TYPE poolnet_foreign_manager gauge\n"
        for finding in plan.foreign {
            out += "poolnet_foreign_manager{\(base),device=\"\(escape(finding.device))\",manager=\"\(finding.manager.key)\"} 1\n"
        }
        if let want = desired.iscsi, let have = current.iscsi {
            let luns = LUNPaths.count(want, have)
            out += "# HELP poolnet_lun_active_paths Active multipath paths per LUN.\n# TYPE poolnet_lun_active_paths gauge\n"
            for lun in luns { out += "poolnet_lun_active_paths{\(base),wwid=\"\(escape(lun.wwid))\",target=\"\(escape(lun.target))\"} \(lun.active)\n" }
            out += "# HELP poolnet_lun_declared_paths Paths per LUN the pool file declares (sessions to its target).\n# TYPE poolnet_lun_declared_paths gauge\n"
            for lun in luns { out += "poolnet_lun_declared_paths{\(base),wwid=\"\(escape(lun.wwid))\",target=\"\(escape(lun.target))\"} \(lun.declared)\n" }
        }
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    static func write(_ text: String, to path: String) throws {
        let temp = "\(path).\(getpid()).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw Failure.other("cannot write \(temp)")
        }
        guard rename(temp, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temp)
            throw Failure.other("cannot rename \(temp) to \(path): \(reason)")
        }
    }
}

/// `check --syslog`: one line per drift, to syslog (the journal on systemd hosts).
enum DriftSyslog {
    nonisolated(unsafe) static let ident = strdup("poolnet")

    static func log(_ plan: Plan) {
        // openlog keeps the pointer: the ident must outlive the call.
        openlog(ident, LOG_PID, LOG_DAEMON)
        defer { closelog() }
        // A C string through the va_list: a Swift String is no C vararg.
        func send(_ priority: Int32, _ line: String) { line.withCString { text in withVaList([text]) { vsyslog(priority, "%s", $0) } } }
        for problem in plan.problems { send(LOG_ERR, "drift host=\(plan.host) pool=\(plan.pool) blocked: \(problem)") }
        for change in plan.changes { send(LOG_WARNING, "drift host=\(plan.host) pool=\(plan.pool): \(change.line)") }
        for finding in plan.health { send(LOG_WARNING, "drift host=\(plan.host) pool=\(plan.pool) path health: \(finding)") }
    }
}
