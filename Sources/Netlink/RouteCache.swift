import CNetlink
import HostState
import SystemCalls
#if canImport(Glibc)
import Glibc
#endif

/// Default routes: one RTM_GETROUTE dump of every table, read with libnl-route. A storage host's
/// FIB holds a prefix, a local and a broadcast route per address: libnl's route cache of all of
/// them (6,000 at a thousand NICs) took ~12 ms of every read, for the few routes kept. The kernel
/// now leaves out all but unicast routes, and only default routes become libnl route objects
/// (`rtnl_route_parse`): ~3 ms.
public enum DefaultRoutes {
    /// RTN_UNICAST (linux/rtnetlink.h): a route with a next hop, as the default routes poolnet
    /// plans and guards are (a `local default dev X` of AnyIP or TPROXY setups is not one).
    static let unicast: UInt8 = 1
    /// RTM_NEWROUTE and RTM_GETROUTE (linux/rtnetlink.h; libnl's headers do not carry them).
    static let newRoute: UInt16 = 24, getRoute: Int32 = 26

    public static func read(names: [Int32: String]) throws -> [RouteState] {
        guard let socket = nl_socket_alloc() else { throw NetlinkError(operation: "nl_socket_alloc", errno: ENOMEM) }
        defer { nl_socket_free(socket) }
        guard nl_connect(socket, NETLINK_ROUTE) == 0 else { throw NetlinkError(operation: "connect libnl socket", errno: EIO) }
        // One receive per kernel batch, of up to 32 KiB: libnl's default peeks first with a page
        // (two system calls per batch), and a page-sized buffer makes the kernel batch by the page.
        nl_socket_disable_msg_peek(socket)
        _ = nl_socket_set_msg_buf_size(socket, 32 << 10)
        // Strict checking lets the kernel fill unicast routes only: the local and broadcast routes
        // (two thirds of a storage host's FIB) are never copied out. A kernel without it (before
        // 4.20) ignores the filter and sends them all; the callback drops them.
        var one: Int32 = 1
        _ = setsockopt(nl_socket_get_fd(socket), SOL_NETLINK, NETLINK_GET_STRICT_CHK, &one, socklen_t(MemoryLayout<Int32>.size))
        let collector = Collector(names: names)
        let context = Unmanaged.passUnretained(collector).toOpaque()
        guard nl_socket_modify_cb(socket, NL_CB_VALID, NL_CB_CUSTOM, Collector.receive, context) == 0 else {
            throw NetlinkError(operation: "dump routes (libnl callback)", errno: EINVAL)
        }
        var request = rtmsg()
        request.rtm_family = UInt8(AF_UNSPEC)
        request.rtm_type = unicast
        var rc: Int32 = 0
        // A dump the kernel marks interrupted (the FIB changed under it) is asked again from
        // nothing, as libnl's cache refill does, with RouteSocket's pauses (seconds in all).
        for pause in RouteSocket.dumpRetryPauses {
            if pause > 0 { Syscall.sleep(pause) }
            collector.routes = []
            RouteSocket.requestsSent.add(1, ordering: .relaxed)
            rc = withUnsafeMutableBytes(of: &request) { nl_send_simple(socket, getRoute, NLM_F_DUMP, $0.baseAddress, $0.count) }
            if rc >= 0 { rc = nl_recvmsgs_default(socket) }
            if rc != -NLE_DUMP_INTR { break }
        }
        guard rc >= 0 else {
            throw NetlinkError(operation: "dump routes (libnl)", errno: EIO, kernelMessage: "libnl: " + String(cString: nl_geterror(rc)))
        }
        withExtendedLifetime(collector) {}
        return collector.routes
    }

    /// Keeps the unicast default routes over one next hop on a known link, in dump order.
    private final class Collector {
        let names: [Int32: String]
        var routes: [RouteState] = []

        init(names: [Int32: String]) { self.names = names }

        /// libnl's NL_CB_VALID callback: the route header decides before anything is parsed.
        static let receive: nl_recvmsg_msg_cb_t = { message, context in
            guard let message, let context, let header = nlmsg_hdr(message), header.pointee.nlmsg_type == DefaultRoutes.newRoute,
                  let rtm = nlmsg_data(header)?.assumingMemoryBound(to: rtmsg.self),
                  rtm.pointee.rtm_dst_len == 0, rtm.pointee.rtm_type == DefaultRoutes.unicast else { return Int32(NL_OK.rawValue) }
            var parsed: OpaquePointer?
            guard rtnl_route_parse(header, &parsed) == 0, let route = parsed else { return Int32(NL_OK.rawValue) }
            defer { rtnl_route_put(route) }
            Unmanaged<Collector>.fromOpaque(context).takeUnretainedValue().add(route)
            return Int32(NL_OK.rawValue)
        }

        private func add(_ route: OpaquePointer) {
            guard rtnl_route_get_nnexthops(route) == 1, let hop = rtnl_route_nexthop_n(route, 0),
                  let link = names[rtnl_route_nh_get_ifindex(hop)] else { return }
            let family = rtnl_route_get_family(route)
            guard family == UInt8(AF_INET) || family == UInt8(AF_INET6) else { return }
            var gateway: String?
            if let gw = rtnl_route_nh_get_gateway(hop) {
                var buffer = [CChar](repeating: 0, count: 64)
                gateway = String(cString: nl_addr2str(gw, &buffer, buffer.count))
            }
            let any = IPPrefix(bytes: [UInt8](repeating: 0, count: family == UInt8(AF_INET) ? 4 : 16), prefixLength: 0)
            routes.append(RouteState(destination: any, gateway: gateway, link: link, table: rtnl_route_get_table(route),
                                     metric: rtnl_route_get_priority(route), proto: rtnl_route_get_protocol(route)))
        }
    }
}
