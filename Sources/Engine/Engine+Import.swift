import HostState
import Netlink
import Storage
import Topology

extension Engine {
    /// Everything `poolnet import` writes a file from, with the same read plan and apply use:
    /// links with their kind's options, addresses, bridge VLANs, VXLAN remotes, default routes,
    /// and the storage sysctls (with `all` and `default`) of every link that may be a storage NIC.
    public func readForImport() throws -> CurrentState {
        try NetworkNamespace.run(netns) { () throws -> CurrentState in
            let socket = try RouteSocket()
            var state = try StateReader.readBase(using: socket)
            try StateReader.complete(&state, using: socket, bridgeVLANs: true, defaultRoutes: true, vxlanRemotes: true)
            state.sysctls = SysctlStore().read(LiveImport.sysctlKeys(for: state), links: state.links)
            return state
        }
    }

    /// iSCSI (iscsiadm's records, sessions from sysfs) and Fibre Channel (sysfs) through the
    /// storage backends; only in the host's own namespace, where they live. Returns what could
    /// not be read as notes rather than failing the import.
    public func readStorageForImport(into state: inout CurrentState) -> [String] {
        guard netns == nil else { return [] }
        var notes: [String] = []
        do {
            state.iscsi = try ISCSIBackend(runner: commandRunner, roots: storageRoots, managedSettings: ISCSISettingKeys.all).read()
        } catch {
            notes.append("iSCSI not read: \(error)")
        }
        state.fc = FCBackend(root: storageRoots.sys, ownership: storageRoots.ownership).read()
        return notes
    }
}
