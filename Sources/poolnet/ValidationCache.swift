import Engine
import Foundation
import Logging
import Storage
import SystemCalls
import Topology

/// Remembers, in the state directory, that a pool file validated clean for every host under this
/// very build of poolnet, so that `plan`, `check` and `apply` of the same file (cron's check, the
/// boot apply) resolve only their own host. Validation reads nothing but the file's bytes (no
/// includes, no environment, not the host), so the SHA-256 of those bytes and the build identify
/// the result. An entry is only ever a shortcut: a missing, corrupt, foreign (another user's,
/// writable by others, a symlink) or other build's entry means a full validation, never an error.
/// `poolnet validate` always validates in full.
struct ValidationCache {
    static let fileName = "validated"
    static let header = "poolnet-validated/v1"
    /// Kept per build: a few files (a pool file, a staged one, per-namespace test files).
    static let maxEntries = 16

    let directory: StateDirectory
    /// SHA-256 of the version, the revision and the running executable's identity (device, inode,
    /// size, modification time): a rebuild or an upgrade of the binary changes it, even without a new revision.
    let build: String
    let logger: Logger

    /// nil when the state directory does not exist or cannot be trusted (then: full validation).
    init?(_ options: HostOptions) {
        guard (try? Syscall.linkStatus(options.stateDirectory)) != nil, let directory = try? StateDirectory(options.stateDirectory),
              let build = Self.buildIdentity() else { return nil }
        self.directory = directory
        self.build = build
        var logger = Logger(label: "poolnet")
        logger.logLevel = options.verbose ? .info : .error
        self.logger = logger
    }

    /// nil (no cache) when the running executable cannot be told apart, e.g. once it was replaced.
    static func buildIdentity() -> String? {
        guard let inode = try? Syscall.openedInode("/proc/self/exe"),
              let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"),
              let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              (attributes[.systemFileNumber] as? NSNumber)?.uint64Value == inode,
              let device = attributes[.systemNumber] as? NSNumber, let size = attributes[.size] as? NSNumber,
              let modified = attributes[.modificationDate] as? Date else { return nil }
        let text = "\(BuildInfo.version)\n\(BuildInfo.revision)\n\(device) \(inode) \(size) \(modified.timeIntervalSince1970)"
        return SHA256.hex(Array(text.utf8))
    }

    /// This build's entries (file digests), or [] when the cache file is absent or not to be trusted.
    func entries() -> [String] {
        guard let bytes = directory.readPrivate(Self.fileName, limit: 1 << 16) else { return [] }
        var lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        guard lines.first == Substring(Self.header), lines.last == "" else {
            logger.info("validation cache \(directory.file(Self.fileName)) ignored: not a cache file")
            return []
        }
        lines.removeFirst()
        lines.removeLast()
        var digests: [String] = []
        for line in lines {
            let fields = line.split(separator: " ", omittingEmptySubsequences: false)
            guard fields.count == 2, fields.allSatisfy(Self.isDigest) else {
                logger.info("validation cache \(directory.file(Self.fileName)) ignored: a line is not \"<build> <file>\" SHA-256s")
                return []
            }
            if fields[0] == build { digests.append(String(fields[1])) }
        }
        return digests
    }

    static func isDigest(_ s: Substring) -> Bool {
        s.utf8.count == 64 && s.utf8.allSatisfy { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0) }
    }

    func contains(_ digest: String) -> Bool { entries().contains(digest) }

    /// Records a file that just validated clean, and says so under -v. Best effort: a cache that
    /// cannot be written costs the next run a full validation, nothing else (and is said instead).
    func record(_ digest: String, file: String) {
        let kept = entries().filter { $0 != digest }.suffix(Self.maxEntries - 1) + [digest]
        let text = ([Self.header] + kept.map { "\(build) \($0)" }).joined(separator: "\n") + "\n"
        do {
            try directory.replace(Self.fileName, with: Array(text.utf8))
            logger.info("validation: \(file) validated clean for every host; recorded in \(directory.file(Self.fileName))")
        } catch {
            logger.info("validation: \(file) validated clean for every host; the validation cache not written: \(error)")
        }
    }
}

/// Loads the pool file and validates it for every host, or, when this exact file validated clean
/// under this build before (see `ValidationCache`), resolves this host alone, or reads the state
/// it resolved to last time (`ResolvedStateCache`). A new file's other hosts are validated on
/// their own thread while the caller reads the kernel: the caller waits on `validation` before it
/// checks, prints or changes anything. Errors exit 1 before any host state is changed, whichever way.
/// Also the file's bytes as read and their SHA-256 (nil without the cache): what apply journals
/// and keeps is what it parsed, and the file is hashed once.
func loadDesired(_ file: String, options: HostOptions, parsed: (Topology) -> Void = { _ in }) throws
    -> (state: DesiredState, validation: PendingValidation, bytes: [UInt8], digest: String?) {
    guard let cache = ValidationCache(options) else {
        let loaded: (topology: Topology, bytes: [UInt8])
        do { loaded = try Topology.loadKeepingBytes(path: file) } catch { throw Failure.topology(error) }
        parsed(loaded.topology)
        return (try validatedState(loaded.topology, host: options.hostName), .finished(), loaded.bytes, nil)
    }
    let bytes: [UInt8]
    do { bytes = try Topology.readBytes(path: file) } catch { throw Failure.topology(error) }
    let digest = SHA256.hex(bytes)
    let resolved = ResolvedStateCache(cache: cache)
    let validated = cache.contains(digest)
    if validated, let state = resolved.state(file: digest, path: file, host: options.hostName) {
        cache.logger.info("validation: \(file) (SHA-256 \(digest.prefix(12))…) validated clean for every host before, under this build; resolving host \(options.hostName) only: its state as resolved last time, read from \(cache.directory.file(ResolvedStateCache.fileName(path: file, host: options.hostName))) (`poolnet validate` checks every host)")
        return (state, .finished(), bytes, digest)
    }
    let topology: Topology
    do { topology = try Topology.parse(bytes: bytes, file: file) } catch { throw Failure.topology(error) }
    PhaseTrace.mark("file parsed")
    parsed(topology)
    if validated {
        cache.logger.info("validation: \(file) (SHA-256 \(digest.prefix(12))…) validated clean for every host before, under this build; resolving host \(options.hostName) only (`poolnet validate` checks every host)")
        let state: DesiredState
        do { state = try topology.resolve(host: options.hostName) } catch { throw Failure.hostNotInFile(error) }
        BackgroundWrites.start { resolved.record(state, file: digest, path: file) }
        return (state, .finished(), bytes, digest)
    }
    // The other hosts on their own thread while this one is resolved here and the caller reads
    // the kernel. A host that does not resolve (or is not in the file) gets the whole
    // validation's errors at once.
    let validation = PendingValidation.start(topology, host: options.hostName) { state in
        cache.record(digest, file: file)
        if let state { resolved.record(state, file: digest, path: file) }
    }
    let state = try? topology.resolve(host: options.hostName)
    validation.provide(state)
    guard let state else {
        try validation.wait()
        do { return (try topology.resolve(host: options.hostName), .finished(), bytes, digest) } catch { throw Failure.hostNotInFile(error) }  // names the unknown host
    }
    return (state, validation, bytes, digest)
}
