import Foundation
import Engine
import TestSupport
import Topology
import XCTest

/// The validation cache: a file that validated clean for every host lets the next plan, check and
/// apply resolve only their own host, and nothing else ever passes for that fact.
final class ValidationCacheTests: XCTestCase {
    lazy var stateDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("poolnet-vcache-\(UUID().uuidString)").path
    var cacheFile: String { stateDirectory + "/validated" }
    var ns: TestNamespace!
    var file = ""

    override func setUpWithError() throws {
        if let reason = TestNamespace.unavailableReason { throw XCTSkip(reason) }
        ns = try TestNamespace("vcache")
        for nic in ["san0", "san1", "guest0"] { try ns.addNIC(nic) }
        XCTAssertEqual(mkdir(stateDirectory, 0o700), 0)
        file = stateDirectory + "-demo.yaml"
        try FileManager.default.copyItem(atPath: CLITests.repo.appendingPathComponent("topologies/demo.yaml").path, toPath: file)
    }

    override func tearDown() {
        try? FileManager.default.removeItem(atPath: stateDirectory)
        try? FileManager.default.removeItem(atPath: file)
        ns = nil
    }

    func poolnet(_ args: String...) throws -> ProcessResult {
        try runProcess([CLITests.binary] + args + ["--host", "hv01", "--netns", ns.name, "-v"], environment: ["POOLNET_STATE_DIR": stateDirectory])
    }

    let recorded = "validated clean for every host; recorded in"
    let hit = "resolving host hv01 only"

    func testACleanFileIsRecordedThenOnlyThisHostIsResolved() throws {
        let first = try poolnet("plan", file)
        XCTAssertEqual(first.status, 2, first.stderr)
        XCTAssertTrue(first.stderr.contains(recorded), first.stderr)
        XCTAssertFalse(first.stderr.contains(hit), first.stderr)
        var info = stat()
        XCTAssertEqual(lstat(cacheFile, &info), 0)
        XCTAssertEqual(info.st_mode & 0o777, 0o600, "the cache file is the running user's alone")

        for command in ["plan", "check", "apply"] {
            let again = try poolnet(command, file)
            XCTAssertTrue(again.stderr.contains(hit), "\(command): \(again.stderr)")
            XCTAssertEqual(again.status, 2, "\(command): \(again.stderr)")
        }
        let noop = try poolnet("check", file)
        XCTAssertEqual(noop.status, 0, noop.stdout + noop.stderr)
        XCTAssertTrue(noop.stderr.contains(hit), noop.stderr)
    }

    /// One byte changed, breaking only the other host: the digest differs, so every host is
    /// validated again and the file is refused (exit 1, nothing read or changed).
    func testACachedFileStillRefusesWhenOneByteChanges() throws {
        XCTAssertEqual(try poolnet("plan", file).status, 2)
        XCTAssertTrue(try poolnet("plan", file).stderr.contains(hit))

        // hv02's bridge address 203.0.113.17/28 becomes 203.0.113.1x/28: hv01 still resolves.
        for (from, to, says) in [("203.0.113.17/28", "203.0.113.1x/28", "203.0.113.1x"),
                                 ("203.0.113.17/28", "203.0.113.1/28", "is also used on host")] {
            let good = try String(contentsOfFile: file, encoding: .utf8)
            let bad = good.replacingOccurrences(of: from, with: to)
            XCTAssertNotEqual(bad, good)
            try bad.write(toFile: file, atomically: false, encoding: .utf8)
            for command in ["plan", "check", "apply"] {
                let refused = try poolnet(command, file)
                XCTAssertEqual(refused.status, 1, "\(command) \(to): \(refused.stdout) \(refused.stderr)")
                XCTAssertTrue(refused.stderr.contains(says), "\(command): \(refused.stderr)")
                XCTAssertTrue(refused.stderr.contains("hv02"), "\(command): \(refused.stderr)")
                XCTAssertFalse(refused.stderr.contains(hit), "\(command): \(refused.stderr)")
            }
            XCTAssertNil(try ns.links()["xenbr-priv0"], "a refused apply changes nothing")
            try good.write(toFile: file, atomically: false, encoding: .utf8)
            XCTAssertTrue(try poolnet("plan", file).stderr.contains(hit), "the good bytes are still recorded")
        }
    }

    /// A new file's other hosts are validated while the kernel is read: an error met meanwhile (a
    /// namespace that is not there, an apply waiting for confirmation) must not hide an invalid
    /// file. Its errors come first, exit 1, as when validation ran before everything else.
    func testAnInvalidFileIsSaidBeforeAFailedReadOrAPendingConfirmation() throws {
        let good = try String(contentsOfFile: file, encoding: .utf8)
        let bad = good.replacingOccurrences(of: "203.0.113.17/28", with: "203.0.113.1/28")  // hv02 takes hv01's address
        XCTAssertNotEqual(bad, good)
        try bad.write(toFile: file, atomically: false, encoding: .utf8)
        for command in ["plan", "check"] {
            let r = try runProcess([CLITests.binary, command, file, "--host", "hv01", "--netns", "pn-no-such-namespace"],
                                   environment: ["POOLNET_STATE_DIR": stateDirectory])
            XCTAssertEqual(r.status, 1, "\(command): \(r.stdout) \(r.stderr)")
            XCTAssertTrue(r.stderr.contains("is also used on host"), "\(command): \(r.stderr)")
        }

        try good.write(toFile: file, atomically: false, encoding: .utf8)
        let armed = try poolnet("apply", file, "--confirm-within", "300s")
        XCTAssertEqual(armed.status, 2, armed.stdout + armed.stderr)
        try bad.write(toFile: file, atomically: false, encoding: .utf8)
        let before = try ns.links()
        let refused = try poolnet("apply", file)
        XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
        XCTAssertTrue(refused.stderr.contains("is also used on host"), refused.stderr)
        XCTAssertFalse(refused.stderr.contains("waiting for confirmation"), refused.stderr)
        XCTAssertEqual(Set(try ns.links().keys), Set(before.keys), "a refused apply changes nothing")
        // The same apply with the good file meets the pending confirmation.
        try good.write(toFile: file, atomically: false, encoding: .utf8)
        XCTAssertTrue(try poolnet("apply", file).stderr.contains("waiting for confirmation"))
        XCTAssertEqual(try poolnet("confirm").status, 0)
    }

    /// This host failing to resolve gets the whole validation's errors, word for word and in the
    /// order `validate` gives them, after the `poolnet:` every command's error starts with (the
    /// other hosts are resolved on their own thread meanwhile); a host the valid file does not
    /// name is said so, and the file is still recorded as clean.
    func testThisHostFailingGetsTheWholeValidationsErrorsInOrder() throws {
        let good = try String(contentsOfFile: file, encoding: .utf8)
        for bad in [good.replacingOccurrences(of: "203.0.113.1/28", with: "203.0.113.1x/28").replacingOccurrences(of: "203.0.113.17/28", with: "203.0.113.1y/28"),
                    good.replacingOccurrences(of: "203.0.113.1/28", with: "203.0.113.1x/28"),
                    good.replacingOccurrences(of: "${index + 10}", with: "${index * 9223372036854775807}")] {
            XCTAssertNotEqual(bad, good)
            try bad.write(toFile: file, atomically: false, encoding: .utf8)
            let validate = try runProcess([CLITests.binary, "validate", file])
            XCTAssertEqual(validate.status, 1, validate.stdout + validate.stderr)
            XCTAssertTrue(validate.stderr.contains("hv01"), validate.stderr)
            for command in ["plan", "check", "apply"] {
                let refused = try runProcess([CLITests.binary, command, file, "--host", "hv01", "--netns", ns.name],
                                             environment: ["POOLNET_STATE_DIR": stateDirectory])
                XCTAssertEqual(refused.status, 1, "\(command): \(refused.stdout) \(refused.stderr)")
                XCTAssertEqual(refused.stderr, "poolnet: " + validate.stderr, command)
            }
        }
        XCTAssertNil(try ns.links()["xenbr-priv0"], "a refused apply changes nothing")
        try good.write(toFile: file, atomically: false, encoding: .utf8)
        let stranger = try runProcess([CLITests.binary, "plan", file, "--host", "hv09", "--netns", ns.name, "-v"],
                                      environment: ["POOLNET_STATE_DIR": stateDirectory])
        XCTAssertEqual(stranger.status, 1, stranger.stdout + stranger.stderr)
        XCTAssertTrue(stranger.stderr.contains("hv09"), stranger.stderr)
        XCTAssertTrue(stranger.stderr.contains(recorded), "the file itself validated clean: \(stranger.stderr)")
        XCTAssertTrue(try poolnet("plan", file).stderr.contains(hit), "and the next run of hv01 resolves only its host")
    }

    /// A cache file that is corrupt, a symlink, someone else's or writable by others is ignored:
    /// a full validation, never an error.
    func testATamperedOrSymlinkedCacheIsIgnored() throws {
        XCTAssertEqual(try poolnet("plan", file).status, 2)
        let genuine = try Data(contentsOf: URL(fileURLWithPath: cacheFile))
        let elsewhere = stateDirectory + "-elsewhere"
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        try genuine.write(to: URL(fileURLWithPath: elsewhere))
        chmod(elsewhere, 0o600)

        let tamperings: [(String, () throws -> Void)] = [
            ("a symlink to a genuine copy", { unlink(self.cacheFile); XCTAssertEqual(symlink(elsewhere, self.cacheFile), 0) }),
            ("writable by others", { try genuine.write(to: URL(fileURLWithPath: self.cacheFile)); chmod(self.cacheFile, 0o666) }),
            ("owned by another user", { try genuine.write(to: URL(fileURLWithPath: self.cacheFile)); chmod(self.cacheFile, 0o600); chown(self.cacheFile, 65534, 65534) }),
            ("a line cut short", { try Data(genuine.dropLast(2)).write(to: URL(fileURLWithPath: self.cacheFile)); chmod(self.cacheFile, 0o600) }),
            ("a digest not in hex", {
                var text = String(decoding: genuine, as: UTF8.self)
                text = String(text.dropLast(2)) + "g\n"
                try text.write(toFile: self.cacheFile, atomically: false, encoding: .utf8); chmod(self.cacheFile, 0o600)
            }),
            ("another format", { try "poolnet-validated/v0\n".write(toFile: self.cacheFile, atomically: false, encoding: .utf8) }),
        ]
        for (what, tamper) in tamperings {
            unlink(cacheFile)
            try tamper()
            let run = try poolnet("plan", file)
            XCTAssertEqual(run.status, 2, "\(what): \(run.stderr)")
            XCTAssertFalse(run.stderr.contains(hit), "\(what): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(recorded), "\(what): the full validation records a genuine entry again: \(run.stderr)")
            var info = stat()
            XCTAssertEqual(lstat(cacheFile, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG, "\(what): the symlink is replaced by a file, never written through")
            XCTAssertEqual(info.st_uid, geteuid(), what)
            XCTAssertTrue(try poolnet("plan", file).stderr.contains(hit), "\(what): the rewritten entry is trusted")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: elsewhere)), genuine, "the symlink's target was never written")
    }

    /// Another build's entry (the first field) is not this build's fact.
    func testAnotherBuildsEntryIsNotTrusted() throws {
        XCTAssertEqual(try poolnet("plan", file).status, 2)
        let text = try String(contentsOfFile: cacheFile, encoding: .utf8)
        let lines = text.split(separator: "\n")
        XCTAssertEqual(lines.count, 2, text)
        let fields = lines[1].split(separator: " ")
        let other = String(repeating: "0", count: 64)
        XCTAssertNotEqual(String(fields[0]), other)
        try "\(lines[0])\n\(other) \(fields[1])\n".write(toFile: cacheFile, atomically: false, encoding: .utf8)
        let run = try poolnet("plan", file)
        XCTAssertFalse(run.stderr.contains(hit), run.stderr)
        XCTAssertTrue(run.stderr.contains(recorded), run.stderr)
    }

    /// The build is told by the running executable, also under valgrind (which hands an open of
    /// /proc/self/exe its client's executable, but not a stat): an entry recorded by a plain run
    /// serves a run under callgrind, so `poolnet-bench --count instructions` counts the no-op a
    /// host runs, not a full validation.
    func testAnEntryServesTheSameBinaryUnderValgrind() throws {
        // valgrind 3.19 cannot read the DWARF 5 debug info Swift writes: a copy without it.
        let copy = stateDirectory + "-poolnet"
        defer { try? FileManager.default.removeItem(atPath: copy) }
        let strip = try runProcess(["strip", "--strip-debug", "-o", copy, CLITests.binary])
        XCTAssertEqual(strip.status, 0, strip.stderr)
        let arguments = ["plan", file, "--host", "hv01", "--netns", ns.name, "-v"]
        let plain = try runProcess([copy] + arguments, environment: ["POOLNET_STATE_DIR": stateDirectory])
        XCTAssertEqual(plain.status, 2, plain.stderr)
        XCTAssertTrue(plain.stderr.contains(recorded), plain.stderr)
        let counted = try runProcess(["valgrind", "--tool=callgrind", "-q", "--callgrind-out-file=/dev/null", copy] + arguments,
                                     environment: ["POOLNET_STATE_DIR": stateDirectory])
        XCTAssertEqual(counted.status, 2, counted.stderr)
        XCTAssertTrue(counted.stderr.contains(hit), counted.stderr)
        XCTAssertEqual(counted.stdout, plain.stdout, "the same plan")
    }

    // MARK: the resolved-state cache beside it

    /// The one slot the runs of this test write (`resolved.N`, N from the path and host).
    var resolvedFile: String {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: stateDirectory)) ?? []).filter { $0.hasPrefix("resolved.") }
        XCTAssertLessThanOrEqual(names.count, 1, "\(names)")
        return stateDirectory + "/" + (names.first ?? "resolved.missing")
    }
    let readBack = "its state as resolved last time, read from"

    /// The second run reads this host's state instead of parsing the file, and plans, checks and
    /// applies exactly as a run that parsed it (text and JSON compared with a run without caches).
    func testTheResolvedStateIsReadBackAndPlansTheSame() throws {
        let first = try poolnet("plan", file)
        XCTAssertEqual(first.status, 2, first.stderr)
        XCTAssertFalse(first.stderr.contains(readBack), first.stderr)
        var info = stat()
        XCTAssertEqual(lstat(resolvedFile, &info), 0, "a clean file's state is recorded")
        XCTAssertEqual(info.st_mode & 0o777, 0o600)
        for flags in [[], ["--json"]] {
            let again = try runProcess([CLITests.binary, "plan", file, "--host", "hv01", "--netns", ns.name, "-v"] + flags,
                                       environment: ["POOLNET_STATE_DIR": stateDirectory])
            XCTAssertTrue(again.stderr.contains(readBack), again.stderr)
            // No state directory: no cache of either kind, the file parsed and validated in full.
            let fresh = try runProcess([CLITests.binary, "plan", file, "--host", "hv01", "--netns", ns.name] + flags,
                                       environment: ["POOLNET_STATE_DIR": stateDirectory + "-none"])
            XCTAssertEqual(again.status, fresh.status)
            XCTAssertEqual(again.stdout, fresh.stdout, "flags \(flags)")
            XCTAssertFalse(again.stdout.isEmpty)
        }
        let apply = try poolnet("apply", file)
        XCTAssertEqual(apply.status, 2, apply.stderr)
        XCTAssertTrue(apply.stderr.contains(readBack), apply.stderr)
        XCTAssertNotNil(try ns.links()["xenbr-priv0"], "the apply from the cached state made the file's bridge")
        let check = try poolnet("check", file)
        XCTAssertEqual(check.status, 0, check.stdout + check.stderr)
        XCTAssertTrue(check.stderr.contains(readBack), check.stderr)
    }

    /// An entry that is corrupt, a symlink, writable by others, another build's, another host's or
    /// the same file named by another path is not used: the file is parsed, the plan is the same,
    /// and a genuine entry is written again.
    func testAResolvedEntryThatDoesNotMatchIsIgnored() throws {
        let first = try poolnet("plan", file)
        XCTAssertEqual(first.status, 2, first.stderr)
        let target = resolvedFile
        let genuine = try Data(contentsOf: URL(fileURLWithPath: target))
        let elsewhere = stateDirectory + "-resolved-elsewhere"
        defer { try? FileManager.default.removeItem(atPath: elsewhere) }
        // The entry: the body's SHA-256 in hex, the pool file's, then the body in CompactCoding's form.
        struct Entry: Codable { var format, build, file, path, host: String; var state: DesiredState }
        let fileDigest = Data(genuine[64..<128])
        let body = Array(genuine.dropFirst(128))
        XCTAssertEqual(String(decoding: genuine.prefix(64), as: UTF8.self), SHA256.hex(body))
        let entry = try CompactCoding.decode(Entry.self, from: body)
        XCTAssertEqual(entry.host, "hv01")
        XCTAssertEqual(String(decoding: fileDigest, as: UTF8.self), entry.file, "the pool file's digest in the clear is the body's")
        func sealed(_ body: [UInt8]) -> Data { Data(SHA256.hex(body).utf8) + fileDigest + Data(body) }
        func edited(_ key: WritableKeyPath<Entry, String>, _ value: String) throws -> Data {
            var changed = entry
            changed[keyPath: key] = value
            return sealed(try CompactCoding.encode(changed))
        }
        var flipped = body
        flipped[body.count / 2] ^= 0x01
        var otherMTU = entry
        otherMTU.state.bridges[0].mtu = 1234
        let tamperings: [(String, () throws -> Void)] = [
            ("cut short", { try Data(genuine.dropLast(40)).write(to: URL(fileURLWithPath: target)) }),
            ("not an entry", { try Data("poolnet".utf8).write(to: URL(fileURLWithPath: target)) }),
            ("a byte changed, the digest kept", { try (Data(genuine.prefix(128)) + Data(flipped)).write(to: URL(fileURLWithPath: target)) }),
            ("a valid body sealed under a wrong digest", {
                try (Data(SHA256.hex(body).utf8.reversed()) + fileDigest + Data(try CompactCoding.encode(otherMTU))).write(to: URL(fileURLWithPath: target))
            }),
            ("another file's digest in the clear, the body genuine", {
                try (Data(genuine.prefix(64)) + Data(String(repeating: "1", count: 64).utf8) + Data(body)).write(to: URL(fileURLWithPath: target))
            }),
            ("the v2 layout (no digest in the clear)", { try (Data(genuine.prefix(64)) + Data(body)).write(to: URL(fileURLWithPath: target)) }),
            ("resealed garbage", { try sealed(Array(repeating: 0x07, count: 100)).write(to: URL(fileURLWithPath: target)) }),
            ("a symlink to a genuine copy", {
                try genuine.write(to: URL(fileURLWithPath: elsewhere)); chmod(elsewhere, 0o600)
                XCTAssertEqual(symlink(elsewhere, target), 0)
            }),
            ("writable by others", { try genuine.write(to: URL(fileURLWithPath: target)); chmod(target, 0o666) }),
            ("another build's", { try edited(\.build, String(repeating: "0", count: 64)).write(to: URL(fileURLWithPath: target)) }),
            ("another file's", { try edited(\.file, String(repeating: "1", count: 64)).write(to: URL(fileURLWithPath: target)) }),
            ("another host's", { try edited(\.host, "hv02").write(to: URL(fileURLWithPath: target)) }),
            ("the file under another path", { try edited(\.path, "/elsewhere/demo.yaml").write(to: URL(fileURLWithPath: target)) }),
            ("another format", { try edited(\.format, "poolnet-resolved/v0").write(to: URL(fileURLWithPath: target)) }),
        ]
        for (what, tamper) in tamperings {
            unlink(target)
            try tamper()
            if what != "writable by others" && what != "a symlink to a genuine copy" { chmod(target, 0o600) }
            let run = try poolnet("plan", file)
            XCTAssertEqual(run.status, 2, "\(what): \(run.stderr)")
            XCTAssertEqual(run.stdout, first.stdout, what)
            XCTAssertFalse(run.stderr.contains(readBack), "\(what): \(run.stderr)")
            XCTAssertTrue(run.stderr.contains(hit), "\(what): the validation cache still holds: \(run.stderr)")
            var info = stat()
            XCTAssertEqual(lstat(target, &info), 0)
            XCTAssertEqual(info.st_mode & S_IFMT, S_IFREG, "\(what): replaced by a file, never written through")
            XCTAssertEqual(info.st_mode & 0o777, 0o600, what)
            XCTAssertTrue(try poolnet("plan", file).stderr.contains(readBack), "\(what): the rewritten entry is used")
        }
        XCTAssertEqual(try Data(contentsOf: URL(fileURLWithPath: elsewhere)), genuine, "the symlink's target was never written")
    }

    /// The file changed by one byte: the recorded state is never used for it, whatever it says.
    func testAChangedFileIsNeverServedTheRecordedState() throws {
        XCTAssertEqual(try poolnet("plan", file).status, 2)
        let good = try String(contentsOfFile: file, encoding: .utf8)
        let bad = good.replacingOccurrences(of: "203.0.113.17/28", with: "203.0.113.1x/28")
        XCTAssertNotEqual(bad, good)
        try bad.write(toFile: file, atomically: false, encoding: .utf8)
        let refused = try poolnet("check", file)
        XCTAssertEqual(refused.status, 1, refused.stdout + refused.stderr)
        XCTAssertFalse(refused.stderr.contains(readBack), refused.stderr)
        XCTAssertTrue(refused.stderr.contains("203.0.113.1x"), refused.stderr)
    }

    /// Two files checked in turn on one host (two pools, cron) keep an entry each, unless their
    /// path and host fall in the same of the four slots: then each run parses, and plans the same.
    func testTwoFilesInTurnKeepAnEntryEach() throws {
        XCTAssertEqual(try poolnet("plan", file).status, 2)
        var other = ""
        defer { if !other.isEmpty { try? FileManager.default.removeItem(atPath: other) } }
        for n in 0..<12 {
            if !other.isEmpty { try? FileManager.default.removeItem(atPath: other) }
            other = stateDirectory + "-other-\(n).yaml"
            try FileManager.default.copyItem(atPath: file, toPath: other)
            for name in try FileManager.default.contentsOfDirectory(atPath: stateDirectory) where name.hasPrefix("resolved.") {
                unlink(stateDirectory + "/" + name)
            }
            XCTAssertEqual(try poolnet("plan", file).status, 2)
            XCTAssertEqual(try poolnet("plan", other).status, 2)
            let slots = try FileManager.default.contentsOfDirectory(atPath: stateDirectory).filter { $0.hasPrefix("resolved.") }
            if slots.count == 2 { break }
        }
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: stateDirectory).filter { $0.hasPrefix("resolved.") }.count, 2,
                       "12 paths all in one slot of four")
        for path in [file, other, file, other] {
            let run = try poolnet("check", path)
            XCTAssertEqual(run.status, 2, run.stderr)
            XCTAssertTrue(run.stderr.contains(readBack), "\(path): \(run.stderr)")
        }
    }
}
