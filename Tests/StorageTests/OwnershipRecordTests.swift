import Foundation
import HostState
@testable import Storage
import XCTest

/// `<state-dir>/owned.json`: per pool, the flat format of earlier releases still reads, never
/// through a symlink, replaced whole with mode 0600.
final class OwnershipRecordTests: XCTestCase {
    var dir: URL!
    var path: String { dir.appendingPathComponent("owned.json").path }

    override func setUpWithError() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("owned-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: dir) }

    func testTheFlatFormatBelongsToThePoolThatWritesNext() throws {
        try Data(#"{"iscsi_ifaces": ["san-a"], "fc_vports": ["2101001b32a9da4e"]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let old = try OwnershipRecord.load(path)
        XCTAssertEqual(old.pools, [:])
        XCTAssertEqual(old.owned(by: "alpha").iscsiIfaces, ["san-a"], "unassigned entries count as every pool's until one writes")
        XCTAssertEqual(old.owned(by: "beta").iscsiIfaces, ["san-a"])

        let address = RecordedAddress(ifindex: 7, link: "br0", prefix: IPPrefix("192.0.2.1/24")!)
        try OwnershipRecord.update(path, pool: "alpha") { $0.addresses.append(address) }
        let new = try OwnershipRecord.load(path)
        XCTAssertNil(new.unassigned)
        XCTAssertEqual(new.pools["alpha"]?.iscsiIfaces, ["san-a"])
        XCTAssertEqual(new.pools["alpha"]?.fcVPorts.map(\.hex), ["2101001b32a9da4e"])
        XCTAssertEqual(new.pools["alpha"]?.addresses, [address])
        XCTAssertEqual(new.owned(by: "beta"), PoolRecord(), "taken by alpha")

        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any]
        XCTAssertEqual(json?["version"] as? Int, 2)
        let alpha = (json?["pools"] as? [String: Any])?["alpha"] as? [String: Any]
        XCTAssertEqual((alpha?["addresses"] as? [[String: Any]])?.first?["link"] as? String, "br0")
        XCTAssertEqual((alpha?["addresses"] as? [[String: Any]])?.first?["ifindex"] as? Int, 7)
        XCTAssertEqual((alpha?["addresses"] as? [[String: Any]])?.first?["prefix"] as? String, "192.0.2.1/24")
        let mode = try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? NSNumber
        XCTAssertEqual(mode?.intValue, 0o600)
    }

    /// Addresses of a --netns apply live under a namespaced key, apart from the host's pool, and
    /// never take the host's unassigned ifaces and vports.
    func testANamespacedKeyIsSeparate() throws {
        try Data(#"{"iscsi_ifaces": ["san-a"]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let key = OwnershipRecord.addressKey(pool: "alpha", netns: "lab1")
        XCTAssertEqual(key, "alpha@netns:lab1")
        let address = RecordedAddress(ifindex: 3, link: "san0", prefix: IPPrefix("192.0.2.1/24")!)
        try OwnershipRecord.update(path, pool: key) { $0.addresses = [address] }
        try OwnershipRecord.update(path, pool: OwnershipRecord.addressKey(pool: "beta", netns: "lab2")) { $0.addresses = [address] }
        let record = try OwnershipRecord.load(path)
        XCTAssertEqual(record.pools[key]?.addresses, [address])
        XCTAssertEqual(record.pools[key]?.iscsiIfaces, [])
        XCTAssertEqual(record.unassigned?.iscsiIfaces, ["san-a"])
        XCTAssertEqual(record.addresses(notOf: key), [], "beta's address is in another namespace")
        XCTAssertEqual(record.addresses(notOf: "alpha"), [], "nor in the host's")
    }

    func testPoolsKeepTheirOwnEntries() throws {
        try OwnershipRecord.update(path, pool: "alpha") { $0.iscsiIfaces.insert("a") }
        try OwnershipRecord.update(path, pool: "beta") { $0.iscsiIfaces.insert("b") }
        try OwnershipRecord.update(path, pool: "beta") { $0.iscsiIfaces.remove("b") }
        let record = try OwnershipRecord.load(path)
        XCTAssertEqual(record.pools["alpha"]?.iscsiIfaces, ["a"])
        XCTAssertEqual(record.pools["beta"]?.iscsiIfaces, [])
    }

    /// What a pool may never adopt: every other pool's ifaces and vports; keys of a named network
    /// namespace hold only addresses, so they add nothing.
    func testOtherPoolsStorageIsEveryOtherPoolsIfacesAndVPorts() throws {
        let wwpn = try WWN.parse("c05076000a000001").get()
        try OwnershipRecord.update(path, pool: "alpha") { $0.iscsiIfaces.insert("a") }
        try OwnershipRecord.update(path, pool: "beta") { $0.iscsiIfaces.insert("b"); $0.fcVPorts.insert(wwpn) }
        try OwnershipRecord.update(path, pool: "gamma@netns:lab") { $0.iscsiIfaces.insert("g") }
        let record = try OwnershipRecord.load(path)
        XCTAssertEqual(record.storage(notOf: "alpha").ifaces, ["b": "beta"])
        XCTAssertEqual(record.storage(notOf: "alpha").vports, [wwpn: "beta"])
        XCTAssertEqual(record.storage(notOf: "beta").ifaces, ["a": "alpha"])
        XCTAssertEqual(record.storage(notOf: "beta").vports, [:])
    }

    func testASymlinkIsNeverFollowed() throws {
        let victim = dir.appendingPathComponent("victim")
        try Data("precious\n".utf8).write(to: victim)
        try FileManager.default.createSymbolicLink(atPath: path, withDestinationPath: victim.path)
        XCTAssertThrowsError(try OwnershipRecord.load(path)) { XCTAssertTrue("\($0)".contains("symbolic link"), "\($0)") }
        XCTAssertThrowsError(try OwnershipRecord.update(path, pool: "alpha") { $0.iscsiIfaces.insert("x") })
        XCTAssertEqual(try String(contentsOf: victim, encoding: .utf8), "precious\n")
    }

    func testACorruptOrNewerRecordIsAnErrorNamingTheFile() throws {
        try Data("{not json".utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try OwnershipRecord.load(path)) { XCTAssertTrue("\($0)".contains(self.path), "\($0)") }
        XCTAssertThrowsError(try OwnershipRecord.update(path, pool: "alpha") { _ in }, "never overwritten with a guess")
        try Data(#"{"version": 3, "pools": {}}"#.utf8).write(to: URL(fileURLWithPath: path))
        XCTAssertThrowsError(try OwnershipRecord.load(path)) { XCTAssertTrue("\($0)".contains("version 3"), "\($0)") }
    }

    /// A run loads the record several times and reuses the decoded one, but only for the same
    /// bytes: a file changed by one byte in place (same size, same second), replaced by another
    /// process, or removed reads as it is now.
    func testAReloadSeesEveryChangeOfTheFile() throws {
        let url = URL(fileURLWithPath: path)
        func record(_ last: Int) -> String {
            #"{"version": 2, "pools": {"alpha": {"addresses": [{"ifindex": 7, "link": "br0", "prefix": "192.0.2.\#(last)/24"}]}}}"#
        }
        try Data(record(1).utf8).write(to: url)
        XCTAssertEqual(try OwnershipRecord.load(path).pools["alpha"]?.addresses.first?.prefix.description, "192.0.2.1/24")
        XCTAssertEqual(try OwnershipRecord.load(path).pools["alpha"]?.addresses.first?.prefix.description, "192.0.2.1/24")
        // One byte, same length, written in place.
        let handle = try FileHandle(forWritingTo: url)
        try handle.seek(toOffset: UInt64(record(1).utf8.count - 10))
        handle.write(Data("2".utf8))
        try handle.close()
        XCTAssertEqual(try String(contentsOf: url, encoding: .utf8), record(2))
        XCTAssertEqual(try OwnershipRecord.load(path).pools["alpha"]?.addresses.first?.prefix.description, "192.0.2.2/24")
        // Another pool's record at another path with the old bytes is not this one.
        let other = dir.appendingPathComponent("other.json")
        try Data(record(1).utf8).write(to: other)
        XCTAssertEqual(try OwnershipRecord.load(other.path).pools["alpha"]?.addresses.first?.prefix.description, "192.0.2.1/24")
        XCTAssertEqual(try OwnershipRecord.load(path).pools["alpha"]?.addresses.first?.prefix.description, "192.0.2.2/24")
        // Corrupted after a good load: an error, not the remembered record.
        try Data(record(2).utf8.dropLast(3)).write(to: url)
        XCTAssertThrowsError(try OwnershipRecord.load(path))
        try FileManager.default.removeItem(at: url)
        XCTAssertEqual(try OwnershipRecord.load(path), OwnershipRecord())
    }
}
