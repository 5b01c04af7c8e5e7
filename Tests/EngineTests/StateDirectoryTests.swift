import Engine
import Foundation
import Storage
import XCTest

/// The state directory is root's and closed: symlinks are never followed, a shared directory is
/// refused, and whole-file writes replace by rename.
final class StateDirectoryTests: XCTestCase {
    var dir: String!

    override func setUpWithError() throws {
        dir = NSTemporaryDirectory() + "state-\(UUID().uuidString)"
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: dir + ".victim")
    }

    func testCreatedClosed() throws {
        _ = try StateDirectory(dir)
        let mode = try FileManager.default.attributesOfItem(atPath: dir)[.posixPermissions] as! Int
        XCTAssertEqual(mode, 0o700)
    }

    func testRefusesASymlinkAGroupWritableOrAForeignDirectory() throws {
        try FileManager.default.createDirectory(atPath: dir + ".victim", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir, withDestinationPath: dir + ".victim")
        XCTAssertThrowsError(try StateDirectory(dir)) { XCTAssertTrue("\($0)".contains("is a symbolic link"), "\($0)") }
        try FileManager.default.removeItem(atPath: dir)

        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o777])
        chmod(dir, 0o777)
        XCTAssertThrowsError(try StateDirectory(dir)) { XCTAssertTrue("\($0)".contains("writable by its group"), "\($0)") }
        chmod(dir, 0o755)
        XCTAssertNoThrow(try StateDirectory(dir), "0755 is not writable by others")
        if geteuid() == 0 {
            chown(dir, 65534, 65534)
            XCTAssertThrowsError(try StateDirectory(dir)) { XCTAssertTrue("\($0)".contains("owned by uid 65534"), "\($0)") }
        }
    }

    /// A journal or lock replaced by a symlink to another file: poolnet refuses, and the other
    /// file is untouched (it used to be appended to, or truncated).
    func testFilesAreNeverFollowedThroughSymlinks() throws {
        let state = try StateDirectory(dir)
        let victim = dir + ".victim"
        try "precious\n".write(toFile: victim, atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: state.file(Journal.name), withDestinationPath: victim)
        let journal = Journal(directory: state)
        XCTAssertThrowsError(try journal.append(JournalRecord(command: .apply, result: .noOp, host: "h", netns: nil))) {
            XCTAssertTrue("\($0)".contains("symbolic link"), "\($0)")
        }
        XCTAssertThrowsError(try journal.read())
        XCTAssertEqual(try String(contentsOfFile: victim, encoding: .utf8), "precious\n")
    }

    func testReplaceIsWholeAndLeavesNoTemporaryFile() throws {
        let state = try StateDirectory(dir)
        try state.replace("record.json", with: Array("one".utf8))
        try state.replace("record.json", with: Array("two".utf8))
        XCTAssertEqual(try state.read("record.json").map { String(decoding: $0, as: UTF8.self) }, "two")
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: dir), ["record.json"])
    }
}
