import Foundation
@testable import Netlink
import XCTest

/// Compares bytes as hex in 4-byte groups, so a failure shows which field differs.
func XCTAssertBytes(_ actual: [UInt8], _ expected: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
    XCTAssertEqual(actual.count, expected.count, "length", file: file, line: line)
    XCTAssertEqual(hex(actual), hex(expected), file: file, line: line)
}

func hex(_ bytes: [UInt8]) -> String {
    stride(from: 0, to: bytes.count, by: 4).map { start in
        bytes[start..<min(start + 4, bytes.count)].map { String(format: "%02x", $0) }.joined()
    }.joined(separator: " ")
}

/// Decodes one message from bytes with `decode` (nil when the bytes hold no whole message).
func decode<T>(_ bytes: [UInt8], _ decode: (NetlinkMessage) -> T?) -> T? {
    bytes.withUnsafeBytes { raw in NetlinkMessage(raw).flatMap(decode) }
}
