import Foundation
import HostState

/// Finds, for the devices a pool file declares or would create, which other manager claims each
/// one. Read-only and cheap: a few small files per device, one pass over /proc for the daemons.
public struct ForeignManagerReader: Sendable {
    public var roots: ForeignManagerRoots
    public var pool: String
    /// The daemons running in the namespace being read; nil: find them in /proc (tests pass them).
    public var daemons: [ForeignManager: Int32]?
    /// Whether the boot-time configuration files (ifupdown's interfaces, XAPI's networkd.db, OVSDB)
    /// apply: they configure the host's own namespace, not a namespace poolnet was pointed at.
    public var configFiles: Bool

    public init(roots: ForeignManagerRoots = ForeignManagerRoots(), pool: String, daemons: [ForeignManager: Int32]? = nil, configFiles: Bool = true) {
        self.roots = roots
        self.pool = pool
        self.daemons = daemons
        self.configFiles = configFiles
    }

    public func read(devices: [String], links: [LinkState]) -> ForeignState {
        // The pass over /proc only where a daemon has left runtime state: none on most hosts.
        let runtime = ["/run/NetworkManager/devices", "/run/systemd/netif/links"].contains { FileManager.default.fileExists(atPath: roots.local($0)) }
        let running = daemons ?? (runtime ? RunningDaemons.find(proc: roots.proc) : [:])
        let wanted = Set(devices)
        let live = links.filter { wanted.contains($0.name) }
        var state = ForeignState()
        var claims: [ForeignClaim] = []
        // Runtime files are keyed by ifindex in the daemon's namespace: only a daemon running in
        // this one says anything about these links.
        if running[.networkManager] != nil {
            state.present.insert(.networkManager)
            claims += live.compactMap { NetworkManagerDevices.claim(device: $0.name, ifindex: $0.index, roots: roots) }
        } else if FileManager.default.fileExists(atPath: roots.local("/etc/NetworkManager")) {
            state.present.insert(.networkManager)
        }
        if running[.networkd] != nil {
            state.present.insert(.networkd)
            claims += live.compactMap { NetworkdLinks.claim(device: $0.name, ifindex: $0.index, roots: roots) }
        } else if FileManager.default.fileExists(atPath: roots.local("/etc/systemd/network")) {
            state.present.insert(.networkd)
        }
        if configFiles {
            var ifupdown = IfupdownInterfaces(roots: roots)
            if ifupdown.present { state.present.insert(.ifupdown) }
            claims += ifupdown.claims(for: wanted)
            if XAPINetworkdDB.present(roots: roots) || running[.xapi] != nil { state.present.insert(.xapi) }
            claims += XAPINetworkdDB.claims(for: wanted, roots: roots)
        }
        let ovsKernel = OpenVSwitch.kernelClaims(live, devices: wanted)
        claims += ovsKernel
        if configFiles { claims += OpenVSwitch.databaseClaims(devices: wanted, roots: roots, already: Set(ovsKernel.map(\.device))) }
        if running[.openvswitch] != nil || !ovsKernel.isEmpty { state.present.insert(.openvswitch) }
        state.claims = claims.sorted { ($0.device, $0.manager) < ($1.device, $1.manager) }
        state.dropIns = HandOverFiles.managers.filter(state.present.contains).compactMap { manager in
            HandOverFiles.path(manager, pool: pool).map { HandOverDropIn(manager: manager, path: $0, content: ForeignFile.text(roots.local($0))) }
        }
        return state
    }
}
