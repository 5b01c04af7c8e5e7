import Foundation
import Engine
import Netlink
import Storage
import TestSupport
import XCTest

/// The read behind plan, check and apply costs a constant number of netlink requests whatever the
/// number of objects: one dump per class (links, addresses, bridge VLANs, the FDB of every VXLAN,
/// routes), never one per device. A device's sysctls come with its link message: the files opened
/// are those of `all` and `default`, whatever the number of devices.
final class ReadCostTests: NamespaceTestCase {
    /// N storage NICs with sysctls of both families (the layout's, IPv6 no-autoconf, overrides)
    /// and two addresses in one subnet (promote_secondaries is read), N VXLANs with two remote VTEPs each, N bridges
    /// over them with an address each, for host hv01 of a three-host pool.
    func pool(_ n: Int) throws -> String {
        var text = """
        pool: cost
        hosts:
          hv01: { index: 1 }
          hv02: { index: 2 }
          hv03: { index: 3 }
        storage_nics:

        """
        for i in 0..<n {
            try ns.addNIC("s\(i)")
            let net = "10.\(100 + i / 200).\(i % 200)"
            text += "  - name: s\(i)\n    mtu: 9000\n    subnet: \(net).0/24\n    addresses: [\"\(net).${index}\", \"\(net).${index + 100}\"]\n"
                + "    ipv6: no-autoconf\n    sysctls: { arp_ignore: 1, arp_announce: 2, arp_filter: 1 }\n"
        }
        text += "vxlans:\n"
        for i in 0..<n {
            text += "  - name: vx\(i)\n    vni: \(1000 + i)\n    port: \(4789 + i)\n    local: \"10.\(100 + i / 200).\(i % 200).${index}\"\n    device: s\(i)\n"
        }
        text += "bridges:\n"
        for i in 0..<n {
            text += "  - name: br\(i)\n    ports: [vx\(i)]\n    addresses: [\"172.\(16 + i / 250).\(i % 250).${index}/24\"]\n"
        }
        return text
    }

    func requestsOfANoOpPlan(_ n: Int) throws -> (requests: Int, sysctls: Int) {
        let desired = try desired(try pool(n))
        try engine.apply(desired)
        let requests = RouteSocket.requestsSent.load(ordering: .relaxed)
        let sysctls = SysctlStore.filesRead.load(ordering: .relaxed)
        let (plan, current) = try engine.plan(desired)
        XCTAssertEqual(plan.changes.map(\.line), [], "converged at N = \(n)")
        XCTAssertEqual(current.links.filter { $0.kind == .vxlan }.map { $0.vxlan?.remotes?.count }, Array(repeating: 2, count: n),
                       "every VXLAN's two remotes are read")
        XCTAssertEqual(current.sysctls.filter { $0.key.link == "s\(n - 1)" }.map(\.key.name).sorted(),
                       ["accept_ra", "arp_announce", "arp_filter", "arp_ignore", "autoconf", "disable_ipv6", "promote_secondaries", "rp_filter"],
                       "every NIC's sysctls are read")
        return (RouteSocket.requestsSent.load(ordering: .relaxed) - requests, SysctlStore.filesRead.load(ordering: .relaxed) - sysctls)
    }

    func testANoOpPlanCostsTheSameRequestsAtTenAndTwoHundred() throws {
        // 200 here; 50 under the VM's software emulation, where 200 took three minutes.
        let n = ProcessInfo.processInfo.environment["POOLNET_VM"] == "1" ? 50 : 200
        let small = try requestsOfANoOpPlan(10)
        ns = try TestNamespace("cost-b")
        engine = Engine(netns: ns.name, logger: engine.logger)
        let large = try requestsOfANoOpPlan(n)
        XCTAssertEqual(small.requests, large.requests, "netlink requests of a no-op plan: \(small.requests) at N=10, \(large.requests) at N=\(n)")
        XCTAssertLessThanOrEqual(large.requests, 6, "one dump per class")
        // The NICs' own sysctls come with the link dump; only all and default are files.
        XCTAssertEqual(small.sysctls, large.sysctls, "sysctl files opened by a no-op plan: \(small.sysctls) at N=10, \(large.sysctls) at N=\(n)")
        XCTAssertLessThanOrEqual(large.sysctls, 15, "the all and default keys of the 7 names, and all.promote_secondaries")
    }
}
