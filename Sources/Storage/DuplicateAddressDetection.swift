import Foundation
import SystemCalls
import HostState

/// IPv6 duplicate address detection (DAD), read from `/proc/net/if_inet6`. A new address stays
/// tentative for dad_transmits × retrans_time (about a second by default). A connection opened
/// meanwhile leaves from the link-local address instead (seen: an iSCSI login right after the
/// address was added ran from fe80::…), and an iSCSI session keeps that source for its lifetime.
public enum DuplicateAddressDetection {
    static let optimistic: UInt32 = 0x04  // IFA_F_OPTIMISTIC: usable while DAD runs
    static let dadFailed: UInt32 = 0x08   // IFA_F_DADFAILED: another host answered for it
    static let tentative: UInt32 = 0x40   // IFA_F_TENTATIVE

    public struct Status: Equatable, Sendable {
        /// Addresses of the NIC still in DAD, and those that failed it, as `ip` prints them.
        public var tentative: [String] = []
        public var failed: [String] = []
    }

    /// `if_inet6` lines: address (32 hex digits), ifindex, prefix length, scope, flags, name.
    public static func status(of nic: String, ifInet6 text: String) -> Status {
        var status = Status()
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count == 6, fields[5] == nic, let flags = UInt32(fields[4], radix: 16) else { continue }
            let address = format(String(fields[0]))
            if flags & dadFailed != 0 {
                status.failed.append(address)
            } else if flags & tentative != 0, flags & optimistic == 0 {
                status.tentative.append(address)
            }
        }
        return status
    }

    /// Waits until no IPv6 address of `nic` is tentative. Throws when one failed DAD (a duplicate
    /// on the SAN) or is still tentative after `timeout` seconds.
    public static func wait(for nic: String, procRoot: String, timeout: Double) throws {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let text = (try? String(contentsOfFile: "\(procRoot)/net/if_inet6", encoding: .utf8)) ?? ""
            let now = status(of: nic, ifInet6: text)
            if !now.failed.isEmpty {
                throw StorageError("IPv6 address \(now.failed.joined(separator: ", ")) on \(nic) failed duplicate address detection: another host on that network uses it")
            }
            if now.tentative.isEmpty { return }
            if Date() >= deadline {
                throw StorageError("IPv6 address \(now.tentative.joined(separator: ", ")) on \(nic) is still tentative (duplicate address detection) after \(Int(timeout)) s")
            }
            Syscall.sleep(0.1)
        }
    }

    /// 20010db8000a00000000000000000001 → 2001:db8:a::1
    static func format(_ hex: String) -> String {
        let digits = Array(hex.utf8)
        guard digits.count == 32 else { return hex }
        let bytes = stride(from: 0, to: 32, by: 2).compactMap { UInt8(String(decoding: digits[$0..<$0 + 2], as: UTF8.self), radix: 16) }
        return bytes.count == 16 ? IPPrefix(bytes: bytes, prefixLength: 128).address : hex
    }
}
