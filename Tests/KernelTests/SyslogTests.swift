import Foundation
import TestSupport
import XCTest

/// `check --syslog`: one line per drift reaches /dev/log. Only in the VM tier, where /dev/log is
/// the throwaway VM's own: the test listens there itself (this machine's syslog is never touched).
final class SyslogTests: NamespaceTestCase {
    func testCheckLogsOneLinePerDrift() throws {
        guard KernelFeature.inVM else { throw XCTSkip("binds /dev/log, so only inside the VM tier (scripts/vm-test)") }
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
        let received = FileManager.default.temporaryDirectory.appendingPathComponent("pn-syslog-\(UUID().uuidString.prefix(8))").path
        let listener = Process()
        listener.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        listener.arguments = ["-c", """
            import os, socket, sys, time
            if os.path.exists("/dev/log"): os.unlink("/dev/log")
            s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); s.bind("/dev/log"); s.settimeout(0.5)
            open(sys.argv[1] + ".ready", "w").close()
            end = time.time() + 20; out = open(sys.argv[1], "w")
            while time.time() < end:
                try: out.write(s.recv(65536).decode() + "\\n"); out.flush()
                except socket.timeout: pass
            """, received]
        listener.standardError = FileHandle(forWritingAtPath: "/dev/stderr")
        try listener.run()
        defer { listener.terminate(); try? FileManager.default.removeItem(atPath: received) }
        for _ in 0..<100 where !FileManager.default.fileExists(atPath: received + ".ready") { usleep(100_000) }
        XCTAssertTrue(FileManager.default.fileExists(atPath: received + ".ready"), "the listener did not bind /dev/log")
        let demo = CLITests_repo.appendingPathComponent("topologies/demo.yaml").path
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("poolnet").path
        let check = try runProcess([binary, "check", demo, "--host", "hv01", "--netns", ns.name, "--syslog", "--json"])
        XCTAssertEqual(check.status, 2, check.stderr)
        let changes = (try JSONSerialization.jsonObject(with: Data(check.stdout.utf8)) as? [String: Any])?["changes"] as? [Any] ?? []
        var lines: [String] = []
        for _ in 0..<50 {
            lines = ((try? String(contentsOfFile: received, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
            if lines.count >= changes.count { break }
            usleep(100_000)
        }
        XCTAssertEqual(lines.count, changes.count, lines.joined(separator: "\n"))
        XCTAssertTrue(lines.contains { $0.contains("poolnet[") && $0.contains("drift host=hv01 pool=demo: + bridge xenbr-priv0") }, lines.joined(separator: "\n"))
    }
}

let CLITests_repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
