import HostState
import Netlink
import TestSupport

/// Whether this kernel changes an IPv4 address's IFA_PROTO on NLM_F_REPLACE, which `apply --adopt`
/// relies on in the kernel-mark mode. Linux 6.1 keeps IFA_PROTO but does not (its IPv6 does):
/// there adoption of an IPv4 address is refused by verification and rolled back. Tried once per
/// process on a scratch bridge in a namespace of its own.
enum IPv4Remark {
    nonisolated(unsafe) private static var known: Bool?

    static var works: Bool {
        if let known { return known }
        var ok = false
        if let probe = try? TestNamespace("rmprobe"), (try? probe.batch(["link add pbr0 type bridge", "addr add 192.0.2.1/32 dev pbr0"])) != nil {
            ok = (try? NetworkNamespace.run(probe.name) { () throws -> Bool in
                let socket = try RouteSocket()
                let state = try StateReader.readBase(using: socket)
                guard let link = state.links.first(where: { $0.name == "pbr0" }),
                      let address = state.addresses.first(where: { $0.link == "pbr0" }) else { return false }
                let remark = NetlinkRequest(.remarkAddress(index: link.index, prefix: address.prefix, proto: Ownership.addressProtocol,
                                                           details: address.details ?? AddressDetails()), label: "probe")
                guard socket.execute([remark]).allSatisfy({ $0 == .acknowledged }) else { return false }
                return try StateReader.readBase(using: socket).addresses.first { $0.link == "pbr0" }?.proto == Ownership.addressProtocol
            }) ?? false
        }
        known = ok
        return ok
    }
}
