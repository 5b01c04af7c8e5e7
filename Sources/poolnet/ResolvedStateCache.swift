import Engine
import Foundation
import Topology

/// This host's resolved desired state of a pool file that validated clean, kept beside the
/// validation cache: cron's check and the boot apply of an unchanged file skip parsing the YAML
/// and resolving the host, which at 1,000 objects was the largest part of a no-op's CPU after
/// the kernel's dumps. Keyed like the validation cache by this build and the file's SHA-256, and
/// by the host and the path the file was named by (error marks carry it). One entry per slot of
/// four, chosen by path and host: two pools checked on one host by cron keep theirs. An entry that does not match, does not decode or cannot be
/// trusted (see `StateDirectory.readPrivate`) is ignored: a full parse, never an error. Written
/// in `CompactCoding`'s binary form: JSONDecoder took about as long as the parse it saves.
struct ResolvedStateCache {
    /// `resolved.0` … `resolved.3`.
    static func fileName(path: String, host: String) -> String {
        "resolved.\(UInt8(SHA256.hex(Array("\(path)\n\(host)".utf8)).prefix(2), radix: 16)! % slots)"
    }
    static let slots: UInt8 = 4
    static let format = "poolnet-resolved/v3"
    /// Far above one host's state of any pool file (the file itself is at most 16 MiB); a larger
    /// state is not recorded.
    static let maxBytes = 64 << 20

    struct Entry: Codable {
        var format: String
        var build: String
        var file: String
        var path: String
        var host: String
        var state: DesiredState
    }

    let cache: ValidationCache

    /// The state recorded for exactly this build, file, path and host; nil otherwise. The file
    /// holds the body's SHA-256 (64 hex digits), the pool file's (64), then the body.
    func state(file digest: String, path: String, host: String) -> DesiredState? {
        let name = Self.fileName(path: path, host: host)
        guard let bytes = cache.directory.readPrivate(name, limit: Self.maxBytes) else { return nil }
        // The pool file's digest, written in the clear after the body's: an entry of another file
        // (the slot's usual miss, a file just edited) is passed over without hashing or decoding
        // the body (~5 ms of a 1,000-object small change). The body repeats it and is checked below.
        guard bytes.count > 128, bytes[64..<128].elementsEqual(digest.utf8) else { return nil }
        // The body's SHA-256 next: a changed byte that still decodes must not become the state applied.
        let body = Array(bytes.dropFirst(128))
        guard SHA256.hex(body).utf8.elementsEqual(bytes.prefix(64)) else {
            cache.logger.info("resolved-state cache \(cache.directory.file(name)) ignored: its digest does not match its contents")
            return nil
        }
        guard let entry = try? CompactCoding.decode(Entry.self, from: body) else {
            cache.logger.info("resolved-state cache \(cache.directory.file(name)) ignored: it does not decode")
            return nil
        }
        guard entry.format == Self.format, entry.build == cache.build, entry.file == digest, entry.path == path,
              entry.host == host, entry.state.host == host else { return nil }
        return entry.state
    }

    /// Records the state of a file that validated clean. Best effort, as the validation cache.
    func record(_ state: DesiredState, file digest: String, path: String) {
        let entry = Entry(format: Self.format, build: cache.build, file: digest, path: path, host: state.host, state: state)
        do {
            let body = try CompactCoding.encode(entry)
            let bytes = Array(SHA256.hex(body).utf8) + Array(digest.utf8) + body
            guard bytes.count <= Self.maxBytes else {
                cache.logger.info("resolved-state cache not written: the state is \(bytes.count) bytes, more than \(Self.maxBytes)")
                return
            }
            try cache.directory.replace(Self.fileName(path: path, host: state.host), with: bytes)
        } catch {
            cache.logger.info("resolved-state cache not written: \(error)")
        }
    }
}
