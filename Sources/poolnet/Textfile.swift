import Engine
import Foundation
import HostState
import Planner
import Topology
import SystemCalls

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

    static func render(plan: Plan, desired: DesiredState, current: CurrentState, now: Date, duration: TimeInterval) -> String {
        let base = "pool=\"\(escape(plan.pool))\",host=\"\(escape(plan.host))\""
        var counts = Dictionary(uniqueKeysWithValues: kinds.map { ($0, 0) })
        for change in plan.changes { counts[kind(of: change.action), default: 0] += 1 }
        counts["blocked"] = plan.problems.count
        counts["path_health"] = plan.health.count
        var out = common(labels: base, success: plan.isClean, now: now, duration: duration) + """
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

    /// A check that could not run (invalid file, host not in it, unreadable host state) still
    /// writes the file, so the previous run's `1` never outlives it: success 0 with the reason.
    static func renderFailure(pool: String?, host: String, reason: FailureKind, now: Date, duration: TimeInterval) -> String {
        let labels = (pool.map { "pool=\"\(escape($0))\"," } ?? "") + "host=\"\(escape(host))\""
        return common(labels: labels, success: false, reason: reason, now: now, duration: duration)
    }

    /// Success, time, duration and the build: in every file, whether the check ran or failed.
    static func common(labels: String, success: Bool, reason: FailureKind? = nil, now: Date, duration: TimeInterval) -> String {
        """
        # HELP poolnet_check_success 1 when the host matches the pool file and every storage path is healthy; 0 on drift, or with a reason label when the check failed (invalid_file, host_not_in_file, host_state, permission, other).
        # TYPE poolnet_check_success gauge
        poolnet_check_success{\(labels)\(reason.map { ",reason=\"\($0.rawValue)\"" } ?? "")} \(success ? 1 : 0)
        # HELP poolnet_check_timestamp_seconds When the check ran (Unix time).
        # TYPE poolnet_check_timestamp_seconds gauge
        poolnet_check_timestamp_seconds{\(labels)} \(Int(now.timeIntervalSince1970))
        # HELP poolnet_check_duration_seconds How long the check took.
        # TYPE poolnet_check_duration_seconds gauge
        poolnet_check_duration_seconds{\(labels)} \(String(format: "%.3f", duration))
        # HELP poolnet_build_info The poolnet version that wrote this file.
        # TYPE poolnet_build_info gauge
        poolnet_build_info{version="\(escape(Poolnet.configuration.version))"} 1

        """
    }

    /// `check --peers --textfile`: per peer, network and address, reachable and whether the declared size passes.
    static func renderPeers(pool: String, host: String, results: [PeerResult], now: Date) -> String {
        let base = "pool=\"\(escape(pool))\",host=\"\(escape(host))\""
        func labels(_ r: PeerResult) -> String {
            "\(base),network=\"\(escape(r.target.network))\",peer=\"\(escape(r.target.peer))\",address=\"\(escape(r.target.address))\""
        }
        var out = "# HELP poolnet_peer_reachable 1 when the peer answers on this network (check --peers).\n# TYPE poolnet_peer_reachable gauge\n"
        for r in results { out += "poolnet_peer_reachable{\(labels(r))} \(r.measurement.reachable ? 1 : 0)\n" }
        out += "# HELP poolnet_peer_mtu_ok 1 when a don't-fragment frame of the declared MTU reaches the peer and comes back.\n# TYPE poolnet_peer_mtu_ok gauge\n"
        for r in results { out += "poolnet_peer_mtu_ok{\(labels(r))} \(r.ok ? 1 : 0)\n" }
        out += "# HELP poolnet_peer_check_timestamp_seconds When check --peers ran (Unix time).\n# TYPE poolnet_peer_check_timestamp_seconds gauge\n"
        out += "poolnet_peer_check_timestamp_seconds{\(base)} \(Int(now.timeIntervalSince1970))\n"
        return out
    }

    static func escape(_ value: String) -> String {
        value.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    /// Mode 0644 is set before the rename, whatever the umask: node_exporter reads the file as
    /// another user. (Data.write(options: .atomic) leaves 0666 less the umask, so it is not used.)
    static func write(_ text: String, to path: String) throws {
        let temp = "\(path).\(Syscall.processID).tmp"
        guard FileManager.default.createFile(atPath: temp, contents: Data(text.utf8), attributes: [.posixPermissions: 0o644]) else {
            throw Failure.other("cannot write \(temp)")
        }
        do { try Syscall.rename(temp, to: path) } catch {
            try? Syscall.unlink(temp)
            throw Failure.other("cannot rename \(temp) to \(path): \(error.text)")
        }
    }
}

/// `check --syslog`: one line per drift, to syslog (the journal on systemd hosts).
enum DriftSyslog {
    static func log(_ plan: Plan) {
        Syscall.syslog(
            plan.problems.map { (.error, "drift host=\(plan.host) pool=\(plan.pool) blocked: \($0)") }
                + plan.changes.map { (.warning, "drift host=\(plan.host) pool=\(plan.pool): \($0.line)") }
                + plan.health.map { (.warning, "drift host=\(plan.host) pool=\(plan.pool) path health: \($0)") })
    }
}
