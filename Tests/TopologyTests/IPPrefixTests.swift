import HostState
import SystemCalls
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

/// The byte-level prefix parser and host-bit checks against the code they replaced.
final class IPPrefixParsingTests: XCTestCase {
    /// The parser as it was (split by Characters, `String(Int(x)!) == x` for the length): the
    /// byte-level one must accept and refuse exactly the same texts, with the same value.
    static func characterSplit(_ text: String, defaultPrefix: Int?) -> IPPrefix? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 1 || parts.count == 2 else { return nil }
        guard let raw = Syscall.parseAddress(String(parts[0])) else { return nil }
        if parts.count == 2 {
            guard let n = Int(parts[1]), String(n) == parts[1], n >= 0, n <= raw.count * 8 else { return nil }
            return IPPrefix(bytes: raw, prefixLength: n)
        }
        guard let defaultPrefix, defaultPrefix <= raw.count * 8 else { return nil }
        return IPPrefix(bytes: raw, prefixLength: defaultPrefix)
    }

    func testTheByteSplitParsesExactlyAsTheCharacterSplit() {
        let pieces = ["192.0.2.1", "10.0.0.0", "255.255.255.255", "2001:db8::1", "::", "fe80::1%eth0", "1.2.3", "01.2.3.4",
                      "/", "//", "/24", "/0", "/00", "/024", "/32", "/33", "/128", "/129", "/1000", "/+8", "/-0", "/2 ", " /8", "/٣",
                      "/\u{301}", "\u{301}", "é", "", "a", "24", "/8/8"]
        var generator = SystemRandomNumberGenerator()
        var texts = Set<String>()
        for a in pieces { for b in pieces { texts.insert(a + b) } }
        for _ in 0..<20_000 {
            texts.insert((0..<Int.random(in: 1...4, using: &generator)).map { _ in pieces.randomElement(using: &generator)! }.joined())
        }
        var accepted = 0
        for text in texts {
            for defaultPrefix in [nil, 24, 64, 200] as [Int?] {
                let parsed = IPPrefix(text, defaultPrefix: defaultPrefix)
                XCTAssertEqual(parsed, Self.characterSplit(text, defaultPrefix: defaultPrefix), "\(text.debugDescription) default \(String(describing: defaultPrefix))")
                if parsed != nil { accepted += 1 }
            }
        }
        XCTAssertGreaterThan(accepted, 100, "valid texts are among those compared")
    }

    func testNetworkAndBroadcastWithoutBuildingTheNetwork() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let v6 = Bool.random(using: &generator)
            // Host bits biased to all zeros or all ones, so both answers occur often.
            var bytes = (0..<(v6 ? 16 : 4)).map { _ in [0, 0xFF, UInt8.random(in: 0...255, using: &generator)].randomElement(using: &generator)! }
            if Bool.random(using: &generator) { bytes = bytes.map { $0 == 0 ? 0 : 0xFF } }
            let prefix = IPPrefix(bytes: bytes, prefixLength: Int.random(in: 0...(bytes.count * 8), using: &generator))
            XCTAssertEqual(prefix.isNetworkAddress, prefix.network.bytes == prefix.bytes, prefix.description)
            let mask = (0..<bytes.count).map { i -> UInt8 in
                let bits = max(0, min(8, prefix.prefixLength - i * 8))
                return bits == 0 ? 0 : UInt8(0xFF << (8 - bits) & 0xFF)
            }
            XCTAssertEqual(prefix.isBroadcastAddress, zip(prefix.network.bytes, mask).map { $0 | ~$1 } == bytes, prefix.description)
        }
    }
}
