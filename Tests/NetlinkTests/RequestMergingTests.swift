import HostState
import Netlink
import XCTest

/// Which consecutive requests go to the kernel as one RTM_NEWLINK (the bytes of a merged request
/// are in LinkRequestBytesTests; MergedRequestTests runs one on the kernel).
final class RequestMergingTests: XCTestCase {
    func testOnlyDisjointMTUAliasAndMasterSettingsMerge() {
        let master = NetlinkRequest(.changeLink(index: 5, master: 9), label: "enslave")
        let alias = NetlinkRequest(.changeLink(index: 5, alias: "poolnet:lab:port"), label: "mark")
        guard case let .changeLink(index, _, _, _, m, a, _, _, _)? = master.merged(with: alias)?.operation else {
            return XCTFail("an enslave and an alias on the same link merge")
        }
        XCTAssertEqual([index, m], [5, 9])
        XCTAssertEqual(a, "poolnet:lab:port")
        XCTAssertNil(master.merged(with: NetlinkRequest(.changeLink(index: 6, alias: "x"), label: "other link")))
        XCTAssertNil(master.merged(with: NetlinkRequest(.changeLink(index: 5, master: 0), label: "same field")))
        // Up/down and addrgenmode are applied by the kernel in an order of its own: never merged.
        XCTAssertNil(alias.merged(with: NetlinkRequest(.changeLink(index: 5, up: true), label: "up")))
        XCTAssertNil(NetlinkRequest(.changeLink(index: 5, mtu: 9000, noIPv6LinkLocal: true), label: "ll").merged(with: master))
        XCTAssertNil(master.merged(with: NetlinkRequest(.addAddress(index: 5, prefix: IPPrefix("192.0.2.1/24")!, proto: 0), label: "addr")))
    }
}
