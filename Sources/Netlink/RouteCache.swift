import CNetlink
import HostState
#if canImport(Glibc)
import Glibc
#endif

/// Default routes, read with libnl-route's route cache (one RTM_GETROUTE dump).
public enum DefaultRoutes {
    public static func read(names: [Int32: String]) throws -> [RouteState] {
        guard let socket = nl_socket_alloc() else { throw NetlinkError(operation: "nl_socket_alloc", errno: ENOMEM) }
        defer { nl_socket_free(socket) }
        guard nl_connect(socket, NETLINK_ROUTE) == 0 else { throw NetlinkError(operation: "connect libnl socket", errno: EIO) }
        var cache: OpaquePointer?
        RouteSocket.requestsSent.add(1, ordering: .relaxed)  // libnl's route dump
        let rc = rtnl_route_alloc_cache(socket, AF_UNSPEC, 0, &cache)
        guard rc == 0, let cache else {
            throw NetlinkError(operation: "dump routes (libnl route cache)", errno: EIO, kernelMessage: "libnl: " + String(cString: nl_geterror(rc)))
        }
        defer { nl_cache_free(cache) }
        var routes: [RouteState] = []
        var object = nl_cache_get_first(cache)
        while let route = object {
            defer { object = nl_cache_get_next(route) }
            guard let dst = rtnl_route_get_dst(route), nl_addr_get_prefixlen(dst) == 0,
                  rtnl_route_get_nnexthops(route) == 1, let hop = rtnl_route_nexthop_n(route, 0),
                  let link = names[rtnl_route_nh_get_ifindex(hop)] else { continue }
            let family = rtnl_route_get_family(route)
            guard family == UInt8(AF_INET) || family == UInt8(AF_INET6) else { continue }
            var gateway: String?
            if let gw = rtnl_route_nh_get_gateway(hop) {
                var buffer = [CChar](repeating: 0, count: 64)
                gateway = String(cString: nl_addr2str(gw, &buffer, buffer.count))
            }
            let any = IPPrefix(bytes: [UInt8](repeating: 0, count: family == UInt8(AF_INET) ? 4 : 16), prefixLength: 0)
            routes.append(RouteState(destination: any, gateway: gateway, link: link, table: rtnl_route_get_table(route),
                                     metric: rtnl_route_get_priority(route), proto: rtnl_route_get_protocol(route)))
        }
        return routes
    }
}
