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
            state.sysctls = SysctlStore().read(LiveImport.sysctlKeys(for: state))
            return state
        }
    }
}
