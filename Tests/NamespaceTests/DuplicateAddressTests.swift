import Netlink
import Storage
import TestSupport
import XCTest

/// DAD on the real kernel: a veth pair given the same IPv6 address. The wait that guards iSCSI
/// logins over IPv6 returns once one end's address is usable and names the duplicate on the other.
final class DuplicateAddressTests: NamespaceTestCase {
    func testTheWaitSeesDADEndAndTheDuplicate() throws {
        try ns.batch(["link add name va type veth peer name vb", "link set va up", "link set vb up",
                      "addr add 2001:db8:a::1/64 dev va", "addr add 2001:db8:a::1/64 dev vb"])
        // /proc/thread-self: /proc/net follows the main thread's namespace, not this thread's.
        let (winner, loser) = try NetworkNamespace.run(ns.name) { () -> (String?, String?) in
            let first = Result { try DuplicateAddressDetection.wait(for: "va", procRoot: "/proc/thread-self", timeout: 10) }
            let second = Result { try DuplicateAddressDetection.wait(for: "vb", procRoot: "/proc/thread-self", timeout: 10) }
            func text(_ r: Result<Void, Error>) -> String? { if case .failure(let e) = r { return "\(e)" } else { return nil } }
            return (text(first), text(second))
        }
        // Which end loses is the kernel's choice; exactly one does.
        let failures = [winner, loser].compactMap { $0 }
        XCTAssertEqual(failures.count, 1, "\(failures)")
        XCTAssertTrue(failures.first?.contains("2001:db8:a::1 on v") ?? false, "\(failures)")
        XCTAssertTrue(failures.first?.contains("failed duplicate address detection") ?? false, "\(failures)")
        let addresses = try ns.ip("-6", "addr", "show")
        XCTAssertTrue(addresses.contains("dadfailed"), addresses)
    }
}
