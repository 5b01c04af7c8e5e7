import HostState
import Topology
import XCTest

final class IPPrefixTests: XCTestCase {
    func testParsingAndSubnets() {
        XCTAssertEqual(IPPrefix("192.0.2.11/24")?.description, "192.0.2.11/24")
        XCTAssertEqual(IPPrefix("2001:DB8:0:0::1/64")?.description, "2001:db8::1/64")
        XCTAssertNil(IPPrefix("192.0.2.11"))
        XCTAssertEqual(IPPrefix("192.0.2.11", defaultPrefix: 24)?.prefixLength, 24)
        XCTAssertNil(IPPrefix("192.0.2.256/24"))
        XCTAssertNil(IPPrefix("192.0.2.1/33"))
        XCTAssertNil(IPPrefix("192.0.2.1/024"))
        XCTAssertNil(IPPrefix("10.1/8"), "only dotted quads")
        XCTAssertEqual(IPPrefix("10.10.1.77/22")?.network.description, "10.10.0.0/22")
        XCTAssertTrue(IPPrefix("10.10.0.0/22")!.contains(IPPrefix("10.10.3.1/22")!))
        XCTAssertFalse(IPPrefix("10.10.0.0/22")!.contains(IPPrefix("10.10.4.1/22")!))
        XCTAssertFalse(IPPrefix("10.10.0.0/22")!.contains(IPPrefix("fd00::1/64")!))
    }

    func testInterfaceNames() {
        XCTAssertNil(InterfaceName.problem("xenbr-priv0"))
        XCTAssertNil(InterfaceName.problem("123456789012345"))
        XCTAssertNotNil(InterfaceName.problem("1234567890123456"))
        XCTAssertNotNil(InterfaceName.problem(""))
        XCTAssertNotNil(InterfaceName.problem("."))
        XCTAssertNotNil(InterfaceName.problem("a b"))
        XCTAssertNotNil(InterfaceName.problem("a\tb"))
        XCTAssertNotNil(InterfaceName.problem("a/b"))
        XCTAssertNotNil(InterfaceName.problem("eth0:1"))
    }
}

/// Names that reach iscsiadm, sysfs or the kernel as text (issue 15).
final class NameRuleTests: XCTestCase {
    func testISCSINamesOnlyInRFC3720Characters() {
        XCTAssertNil(IQN.problem("iqn.2026-11.org.example:store-1.a"))
        XCTAssertNil(IQN.problem("eui.02004567A425678D"))
        for bad in ["iqn.2026-11.org.example:h1;reboot", "iqn.2026-11.org.example:a\u{1B}[0m", "iqn.2026-11.org.example:bell\u{07}",
                    "iqn.2026-11.org.example:a_b", "iqn.2026-11.org.example:a\"b"] {
            XCTAssertTrue(IQN.problem(bad)?.contains("RFC 3720") ?? false, bad)
        }
        XCTAssertEqual(IQN.problem("iqn.2026-11.org.example:with space"), "contains whitespace")
    }

    func testISCSIIfaceNamesThatAreNoFileOrAnOption() {
        XCTAssertNil(ISCSIIfaceName.problem("san-a"))
        XCTAssertEqual(ISCSIIfaceName.problem("."), "is not a file name (\".\" and \"..\" name directories)")
        XCTAssertEqual(ISCSIIfaceName.problem(".."), "is not a file name (\".\" and \"..\" name directories)")
        XCTAssertEqual(ISCSIIfaceName.problem("-o"), "starts with \"-\", which iscsiadm would read as an option")
    }

    func testInterfaceNamesTheKernelWouldRewriteOrToolsMisread() {
        XCTAssertEqual(InterfaceName.problem("eth%d"), "contains \"%\" (the kernel reads it as a pattern such as eth%d)")
        XCTAssertEqual(InterfaceName.problem("a\u{0}b"), "contains a control character")
        XCTAssertEqual(InterfaceName.problem("-o"), "starts with \"-\", which tools read as an option")
        XCTAssertEqual(InterfaceName.problem(".."), "is reserved (\".\" and \"..\" are not allowed)")
        XCTAssertNil(InterfaceName.problem("eth1.30"))
    }
}
