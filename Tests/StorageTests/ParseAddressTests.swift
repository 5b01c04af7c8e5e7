@testable import SystemCalls
import XCTest

/// `Syscall.parseAddress` reads dotted quads from their bytes; it must answer as inet_pton does.
final class ParseAddressTests: XCTestCase {
    func testDottedQuadsParseAsInetPtonParsesThem() {
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789....:/ x".utf8) + [0x00, 0xC3]
        var texts = ["1.2.3.4", "0.0.0.0", "255.255.255.255", "256.1.1.1", "01.2.3.4", "1.2.3.04", "1.2.3.0", "1.2.3", "1.2.3.4.",
                     ".1.2.3.4", "1..2.3", "1.2.3.4.5", "1.2.3.4\0", "1.2.3.4\0junk", "", "::1", "::ffff:1.2.3.4", "2001:db8::1",
                     "1.2.3.4 ", " 1.2.3.4", "+1.2.3.4", "0x1.2.3.4", "1.2.3.999", "00.0.0.0", "9.9.9.9"]
        for _ in 0..<20_000 {
            let count = Int.random(in: 0...17, using: &rng)
            texts.append(String(decoding: (0..<count).map { _ in alphabet.randomElement(using: &rng)! }, as: UTF8.self))
        }
        for _ in 0..<2_000 { texts.append((0..<4).map { _ in String(Int.random(in: 0...300, using: &rng)) }.joined(separator: ".")) }
        for text in texts {
            XCTAssertEqual(Syscall.parseAddress(text), Syscall.parseAddressByLibc(text), text.debugDescription)
            if let quad = Array(text.utf8).withUnsafeBufferPointer(Syscall.parseIPv4) {
                XCTAssertEqual(quad, Syscall.parseAddressByLibc(text), "whatever parseIPv4 accepts, inet_pton accepts alike: \(text.debugDescription)")
            }
        }
        XCTAssertEqual(Array("192.0.2.10".utf8).withUnsafeBufferPointer(Syscall.parseIPv4), [192, 0, 2, 10])
    }

    /// `Syscall.formatAddress` spells dotted quads itself; it must spell them as inet_ntop does.
    func testDottedQuadsAreSpelledAsInetNtopSpellsThem() {
        var rng = SystemRandomNumberGenerator()
        var quads: [[UInt8]] = [[0, 0, 0, 0], [255, 255, 255, 255], [1, 10, 100, 9], [99, 100, 199, 200], [192, 0, 2, 10]]
        for _ in 0..<20_000 { quads.append((0..<4).map { _ in UInt8.random(in: 0...255, using: &rng) }) }
        for value in 0...255 { quads.append([UInt8(value), UInt8(255 - value), UInt8(value / 2), UInt8(value)]) }
        for quad in quads { XCTAssertEqual(Syscall.formatAddress(quad), Syscall.formatAddressByLibc(quad), "\(quad)") }
        XCTAssertEqual(Syscall.formatAddress([192, 0, 2, 10]), "192.0.2.10")
        XCTAssertEqual(Syscall.formatAddress([0x20, 0x01, 0x0d, 0xb8] + [UInt8](repeating: 0, count: 11) + [1]), "2001:db8::1")
        XCTAssertNil(Syscall.formatAddress([1, 2, 3]))
    }
}
