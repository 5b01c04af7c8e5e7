import Foundation
import SystemCalls
import XCTest

/// The process runner's other two ways (capture is ProcessRunnerTests') and errno as a type.
final class SubprocessTests: XCTestCase {
    func testMeasureReportsExitTimeAndPeakMemory() throws {
        let run = try Subprocess.measure(["sh", "-c", "sleep 0.2; exit 3"])
        XCTAssertEqual(run.exit.status, 3)
        XCTAssertEqual((run.exit.rawStatus >> 8) & 0xff, 3)
        XCTAssertGreaterThanOrEqual(run.seconds, 0.2)
        XCTAssertLessThan(run.seconds, 5)
        XCTAssertGreaterThan(run.exit.maxRSSKB, 0, "wait4's rusage")
        // A killed child reads as 128 + the signal.
        XCTAssertEqual(try Subprocess.measure(["sh", "-c", "kill -9 $$"]).exit.status, 128 + 9)
    }

    func testAMissingProgramIsENOENT() {
        XCTAssertThrowsError(try Subprocess.measure(["no-such-program-here"])) { error in
            XCTAssertEqual(error as? Errno, .ENOENT)
            XCTAssertEqual((error as? Errno)?.name, "ENOENT")
            XCTAssertEqual((error as? Errno)?.text, "No such file or directory")
        }
        XCTAssertThrowsError(try Subprocess.detach("/no/such/program", ["/no/such/program"])) { XCTAssertEqual($0 as? Errno, .ENOENT) }
    }

    /// The detached child is in a session of its own and holds none of our descriptors: it
    /// writes its session id (from /proc) and its open descriptors to a file, then we read them.
    func testDetachStartsANewSessionWithNothingInherited() throws {
        let out = FileManager.default.temporaryDirectory.appendingPathComponent("pn-detach-\(UUID().uuidString.prefix(8))")
        defer { try? FileManager.default.removeItem(at: out) }
        // Not close-on-exec: only closeInherited keeps it out of the child.
        let inherited = try Syscall.open("/dev/null", O_RDONLY)
        defer { Syscall.close(inherited) }
        let script = "cut -d' ' -f6 /proc/$$/stat > \(out.path).tmp; ls /proc/$$/fd >> \(out.path).tmp; mv \(out.path).tmp \(out.path)"
        try Subprocess.detach("/bin/sh", ["/bin/sh", "-c", script])
        let deadline = Date().addingTimeInterval(10)
        while !FileManager.default.fileExists(atPath: out.path) && Date() < deadline { Syscall.sleep(0.05) }
        let lines = try String(contentsOf: out, encoding: .utf8).split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        let childSession = try XCTUnwrap(Int32(lines.first ?? ""))
        XCTAssertNotEqual(childSession, getsid(0), "a session of its own")
        XCTAssertFalse(lines.dropFirst().contains("\(inherited)"), "descriptor \(inherited) was inherited: \(lines)")
    }

    func testErrnoNamesAndText() {
        XCTAssertEqual(Errno.EWOULDBLOCK, Errno.EAGAIN)
        XCTAssertEqual(Errno(13).name, "EACCES")
        XCTAssertEqual(Errno(13).text, "Permission denied")
        XCTAssertEqual(Errno(4095).name, "errno 4095")
    }
}
