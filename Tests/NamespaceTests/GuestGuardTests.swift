import Engine
import HostState
import Netlink
import Planner
import TestSupport
import XCTest

/// A bridge with ports the file does not declare (guest vifs, taps) is not deleted or re-created,
/// nor the VXLAN under it, unless --allow-disruptive.
final class GuestGuardTests: NamespaceTestCase {
    static let bridged = """
    pool: lab
    hosts: [hv01]
    storage_nics:
      - name: san0
        addresses: ["192.0.2.11/24"]
    vxlans:
      - name: vx0
        vni: VNI
        local: "192.0.2.11"
        device: san0
    bridges:
      - name: br0
        ports: [vx0, guest0]
    """

    func file(vni: Int) -> String { Self.bridged.replacingOccurrences(of: "VNI", with: "\(vni)") }

    /// A veth standing in for a guest's vif, attached by hand.
    func attachGuest() throws {
        try ns.addNIC("vif3.0")
        try ns.ip("link", "set", "vif3.0", "master", "br0")
    }

    func testDeletingABridgeWithAGuestIsRefusedNamingIt() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(vni: 100)))
        try attachGuest()
        let before = try snapshot()
        XCTAssertThrowsError(try engine.apply(try desired("pool: lab\nhosts: [hv01]\n"))) { error in
            let text = "\(error)"
            XCTAssertTrue(error is GuestGuard.Refusal, text)
            XCTAssertTrue(text.contains("deleting bridge br0 detaches its guest ports vif3.0"), text)
            XCTAssertFalse(text.contains("guest0"), "a declared port is not a guest: \(text)")
            XCTAssertTrue(text.contains("--allow-disruptive"), text)
        }
        XCTAssertEqual(try snapshot(), before, "refused before any change")
        engine.allowDisruptive = true
        try engine.apply(try desired("pool: lab\nhosts: [hv01]\n"))
        XCTAssertNil(try ns.links()["br0"])
        XCTAssertNotNil(try ns.links()["vif3.0"], "the guest's vif itself is never deleted")
    }

    func testRecreatingAVXLANPortUnderAGuestIsRefused() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(vni: 100)))
        try attachGuest()
        XCTAssertThrowsError(try engine.apply(try desired(file(vni: 200)))) { error in
            XCTAssertTrue("\(error)".contains("re-creating vxlan vx0, a port of bridge br0, cuts its guest ports vif3.0 off"), "\(error)")
        }
        XCTAssertEqual(((try ns.links()["vx0"]?["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any])?["id"] as? Int, 100)
        engine.allowDisruptive = true
        try engine.apply(try desired(file(vni: 200)))
        XCTAssertEqual(((try ns.links()["vx0"]?["linkinfo"] as? [String: Any])?["info_data"] as? [String: Any])?["id"] as? Int, 200)
        XCTAssertEqual(try ns.links()["vif3.0"]?["master"] as? String, "br0", "the guest stays on its bridge")
    }

    /// Without guests the same plans go through: only the bridge's own and declared ports count.
    func testABridgeWithOnlyDeclaredPortsIsDeleted() throws {
        try addDemoNICs()
        try engine.apply(try desired(file(vni: 100)))
        try engine.apply(try desired(file(vni: 200)))
        try engine.apply(try desired("pool: lab\nhosts: [hv01]\n"))
        XCTAssertNil(try ns.links()["br0"])
    }
}

/// Whether the kernel keeps IFA_PROTO is asked of the kernel, not read from its version.
final class AddressProtocolProbeTests: NamespaceTestCase {
    func testTheProbeAnswersAndChangesNothing() throws {
        try ns.ip("link", "set", "lo", "down")  // no ::1 (proto 1) to give the answer away
        let before = try ns.ip("-d", "addr", "show")
        let answer = try NetworkNamespace.run(ns.name) { try RouteSocket().kernelKeepsAddressProtocol() }
        let code = try NetworkNamespace.run(ns.name) { try RouteSocket().addressProtocolProbe() }
        XCTAssertNotNil(answer, "EINVAL, ERANGE or ENODEV, nothing else; got \(String(describing: code))")
        // Prove the answer against what the kernel does with an address poolnet adds (proto 0x70).
        try ns.addNIC("san0")
        try engine.apply(try desired("pool: lab\nhosts: [hv01]\nstorage_nics:\n  - name: san0\n    addresses: [\"192.0.2.1/24\"]\n"))
        let kept = try engine.read().addresses.first { $0.link == "san0" }?.proto == 0x70
        XCTAssertEqual(answer, kept)
        try ns.ip("link", "del", "san0")
        XCTAssertEqual(try ns.ip("-d", "addr", "show"), before, "the probe added nothing")
    }

    func testModeIsChosenFromTheKernelOrForced() throws {
        try ns.ip("link", "set", "lo", "down")
        let file = try desired("pool: lab\nhosts: [hv01]\n")
        let mode = try engine.plan(file).current.addressOwnership?.mode
        let keeps = try NetworkNamespace.run(ns.name) { try RouteSocket().kernelKeepsAddressProtocol() }
        XCTAssertEqual(mode, keeps == true ? .kernelMark : .record)
        engine.forceAddressRecord = true
        XCTAssertEqual(try engine.plan(file).current.addressOwnership?.mode, .record)
    }
}
