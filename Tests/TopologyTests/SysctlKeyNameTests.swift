import HostState
import XCTest

/// `SysctlKey.description` is built from bytes (sorting 9,000 keys of a 1,000-NIC host spent most
/// of its time mapping Characters): it must say exactly what the Character mapping said, for
/// dotted, unicode and odd names, and order keys the same way.
final class SysctlKeyNameTests: XCTestCase {
    static func characterMapped(_ key: SysctlKey) -> String {
        "net.\(key.family.rawValue).conf.\(String(key.link.map { $0 == "." ? "/" : $0 })).\(key.name)"
    }

    func testTheNameIsTheCharacterMappedOne() {
        let links = ["eth1", "eth1.30", "eth1-a", "a.b.c", ".", "", "brü.7", "é", "e\u{301}.x", "eth1.\u{301}", "a.\u{200D}b", ".\u{FE0F}", "🙂.🙂", "all", "default"]
        let names = ["rp_filter", "arp_ignore", "accept_ra", "", "x.y", "\u{301}a", "é", "e\u{301}", "arp_ignorE", "rp"]
        var keys: [SysctlKey] = []
        for family in [SysctlKey.Family.ipv4, .ipv6] {
            for link in links { for name in names { keys.append(SysctlKey(family, link, name)) } }
        }
        for key in keys { XCTAssertEqual(key.description, Self.characterMapped(key)) }
        XCTAssertEqual(SysctlKey(.ipv4, "eth1.30", "rp_filter").description, "net.ipv4.conf.eth1/30.rp_filter")
        let shuffled = keys.shuffled()
        XCTAssertEqual(shuffled.sortedByName(), shuffled.sorted { Self.characterMapped($0) < Self.characterMapped($1) })
        XCTAssertEqual(shuffled.sorted(), shuffled.sortedByName())
        // `<` decides keys of one link without their spellings: for every pair, as the spellings would.
        for a in keys { for b in keys { XCTAssertEqual(a < b, Self.characterMapped(a) < Self.characterMapped(b), "\(a) < \(b)") } }
    }
}
