import HostState
import XCTest

/// The comparison behind "the host is as it was before": what it reports and what it ignores.
final class StateDifferencesTests: XCTestCase {
    let before = CurrentState(
        links: [LinkState(index: 2, name: "san0", kind: .veth, mtu: 9000, up: true, carrier: true),
                LinkState(index: 5, name: "br0", kind: .bridge, mtu: 1500, up: true, alias: "poolnet:lab", bridge: BridgeOptions(stp: false))],
        addresses: [AddressState(link: "san0", prefix: IPPrefix("192.0.2.11/24")!, proto: 0x70),
                    AddressState(link: "san0", prefix: IPPrefix("192.0.2.50/24")!, proto: 0)],
        sysctls: [SysctlValue(SysctlKey(.ipv4, "san0", "promote_secondaries"), 0)])

    func testTheSameHostWithKernelChosenFieldsChangedHasNoDifference() {
        var now = before
        now.links[1].index = 42          // recreated: a new ifindex
        now.links[0].carrier = false     // the kernel's timing
        now.addresses.reverse()          // primary/secondary order
        XCTAssertEqual(now.differences(from: before), [])
    }

    func testEachDifferenceIsNamed() {
        var now = before
        now.links[0].mtu = 1500
        now.links[1].alias = nil
        now.addresses.removeLast()
        now.addresses[0].proto = 0
        now.addresses.append(AddressState(link: "san0", prefix: IPPrefix("2001:db8::1/64")!))
        now.sysctls = [SysctlValue(SysctlKey(.ipv4, "san0", "promote_secondaries"), 1)]
        now.links.append(LinkState(index: 9, name: "extra", kind: .bridge, mtu: 1500, up: false))
        XCTAssertEqual(now.differences(from: before), [
            "link br0: alias \"poolnet:lab\" → none",
            "link san0: mtu 9000 → 1500",
            "link extra (bridge) was not there before",
            "address 192.0.2.11/24 on san0: proto 112 → 0",
            "address 192.0.2.50/24 on san0 (proto 0) is missing",
            "address 2001:db8::1/64 on san0 was not there before",
            "net.ipv4.conf.san0.promote_secondaries = 1, was 0",
        ])
        var gone = before
        gone.links.removeFirst()
        gone.addresses = []
        gone.sysctls = []
        XCTAssertEqual(gone.differences(from: before).first, "link san0 (veth) is missing")
    }
}
