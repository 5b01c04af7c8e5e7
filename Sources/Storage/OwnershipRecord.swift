import Foundation
import HostState
import Synchronization

/// What one pool created where the system keeps no owner (iSCSI ifaces, FC vports) and the
/// addresses it added (the kernel keeps no pool, and before Linux 6.1 no mark at all).
public struct PoolRecord: Codable, Sendable, Equatable {
    public var addresses: [RecordedAddress] = []
    public var iscsiIfaces: Set<String> = []
    /// WWPNs of the NPIV ports the pool created.
    public var fcVPorts: Set<WWN> = []

    public init(addresses: [RecordedAddress] = [], iscsiIfaces: Set<String> = [], fcVPorts: Set<WWN> = []) {
        self.addresses = addresses
        self.iscsiIfaces = iscsiIfaces
        self.fcVPorts = fcVPorts
    }

    enum CodingKeys: String, CodingKey { case addresses, iscsiIfaces, fcVPorts }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        addresses = try c.decodeIfPresent([RecordedAddress].self, forKey: .addresses) ?? []
        iscsiIfaces = try c.decodeIfPresent(Set<String>.self, forKey: .iscsiIfaces) ?? []
        fcVPorts = try c.decodeIfPresent(Set<WWN>.self, forKey: .fcVPorts) ?? []
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(addressesInOrder, forKey: .addresses)
        try c.encode(iscsiIfaces.sorted(), forKey: .iscsiIfaces)
        try c.encode(fcVPorts.sorted(), forKey: .fcVPorts)
    }

    /// The addresses sorted, each once, as the record is written. Sorted as they are (a record
    /// read back is in order, so the sort finds one run) with duplicates dropped next to each
    /// other: going through a `Set` first hashed 2,000 addresses and sorted them from a random
    /// order, twice per apply. `adopted` orders last so that equal entries sit side by side.
    var addressesInOrder: [RecordedAddress] {
        let sorted = addresses.sorted { a, b in a < b || (!(b < a) && !a.adopted && b.adopted) }
        var unique: [RecordedAddress] = []
        unique.reserveCapacity(sorted.count)
        for address in sorted where unique.last != address { unique.append(address) }
        return unique
    }

    func merged(with other: PoolRecord) -> PoolRecord {
        PoolRecord(addresses: Array(Set(addresses).union(other.addresses)).sorted(), iscsiIfaces: iscsiIfaces.union(other.iscsiIfaces),
                   fcVPorts: fcVPorts.union(other.fcVPorts))
    }
}

/// `<state-dir>/owned.json`, per pool:
/// `{"version": 2, "pools": {"alpha": {"addresses": [{"ifindex": 7, "link": "br0", "prefix": "192.0.2.1/24"}], "iscsiIfaces": [], "fcVPorts": []}}}`.
/// Addresses of a pool applied in a named network namespace (`--netns`) live under
/// `<pool>@netns:<name>` (`addressKey`); iSCSI ifaces and vports exist only in the host's.
/// The flat format of earlier releases (`{"iscsi_ifaces": […], "fc_vports": […]}`) still reads:
/// its entries belong to no pool yet ("unassigned"), count as every pool's until one writes the
/// record, and then become that pool's.
public struct OwnershipRecord: Codable, Sendable, Equatable {
    public static let version = 2
    public var pools: [String: PoolRecord] = [:]
    /// Entries of the flat format (or written without a pool): the next pool that writes takes them.
    public var unassigned: PoolRecord?

    public init(pools: [String: PoolRecord] = [:], unassigned: PoolRecord? = nil) {
        self.pools = pools
        self.unassigned = unassigned
    }

    enum CodingKeys: String, CodingKey { case version, pools, unassigned, iscsiIfaces = "iscsi_ifaces", fcVPorts = "fc_vports" }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let version = try c.decodeIfPresent(Int.self, forKey: .version) ?? 1
        if version == 1 {
            let flat = PoolRecord(iscsiIfaces: try c.decodeIfPresent(Set<String>.self, forKey: .iscsiIfaces) ?? [],
                                  fcVPorts: try c.decodeIfPresent(Set<WWN>.self, forKey: .fcVPorts) ?? [])
            unassigned = flat == PoolRecord() ? nil : flat
            return
        }
        guard version == Self.version else {
            throw DecodingError.dataCorrupted(.init(codingPath: [CodingKeys.version], debugDescription: "version \(version) is newer than this poolnet reads (\(Self.version))"))
        }
        pools = try c.decodeIfPresent([String: PoolRecord].self, forKey: .pools) ?? [:]
        unassigned = try c.decodeIfPresent(PoolRecord.self, forKey: .unassigned)
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(Self.version, forKey: .version)
        try c.encode(pools, forKey: .pools)
        try c.encodeIfPresent(unassigned, forKey: .unassigned)
    }

    /// What `pool` owns: its own entries and the unassigned ones (nil pool: the unassigned ones).
    public func owned(by pool: String?) -> PoolRecord {
        let own = pool.flatMap { pools[$0] } ?? PoolRecord()
        return unassigned.map { own.merged(with: $0) } ?? own
    }

    /// The record's key for a pool's addresses: the pool's name in the host's own network
    /// namespace, `<pool>@netns:<name>` in a named one (ifindexes and link names are per
    /// namespace, and one pool file may be applied in several).
    public static func addressKey(pool: String, netns: String?) -> String {
        netns.map { "\(pool)@netns:\($0)" } ?? pool
    }

    static func namespace(ofKey key: String) -> Substring? {
        key.range(of: "@netns:").map { key[$0.upperBound...] }
    }

    /// Addresses every other pool recorded in the same network namespace as `key`.
    public func addresses(notOf key: String) -> [RecordedAddress] {
        let scope = Self.namespace(ofKey: key)
        return pools.filter { $0.key != key && Self.namespace(ofKey: $0.key) == scope }.flatMap(\.value.addresses).sorted()
    }

    /// The same addresses with the pool that recorded each (its name, without the namespace
    /// qualifier), so that a refusal can name it; the first pool by name when two hold one.
    public func addressPools(notOf key: String) -> [RecordedAddress: String] {
        let scope = Self.namespace(ofKey: key)
        var owners: [RecordedAddress: String] = [:]
        for (other, entries) in pools.sorted(by: { $0.key < $1.key }) where other != key && Self.namespace(ofKey: other) == scope {
            let name = other.range(of: "@netns:").map { String(other[..<$0.lowerBound]) } ?? other
            for address in entries.addresses where owners[address] == nil { owners[address] = name }
        }
        return owners
    }

    /// iSCSI ifaces and vports every other pool recorded, each with that pool (they exist only in
    /// the host's own namespace, so only keys without `@netns:` hold them).
    public func storage(notOf pool: String?) -> (ifaces: [String: String], vports: [WWN: String]) {
        var ifaces: [String: String] = [:], vports: [WWN: String] = [:]
        for (key, entries) in pools.sorted(by: { $0.key < $1.key }) where key != pool && Self.namespace(ofKey: key) == nil {
            for iface in entries.iscsiIfaces where ifaces[iface] == nil { ifaces[iface] = key }
            for wwpn in entries.fcVPorts where vports[wwpn] == nil { vports[wwpn] = key }
        }
        return (ifaces, vports)
    }

    /// The record, or an empty one when the file does not exist. Lenient, for readers that only
    /// look (an unreadable record owns nothing).
    public static func read(_ path: String) -> OwnershipRecord { (try? load(path)) ?? OwnershipRecord() }

    /// The record, or an empty one when the file does not exist; an unreadable or corrupt file
    /// is an error naming it (deciding ownership from it would be a guess).
    public static func load(_ path: String) throws -> OwnershipRecord {
        guard let data = try StateFile.read(path) else { return OwnershipRecord() }
        if let known = lastLoaded.withLock({ $0 }), known.path == path, known.bytes == data { return known.record }
        do {
            let record = try OwnershipRecordReader.read([UInt8](data)) ?? JSONDecoder().decode(OwnershipRecord.self, from: data)
            lastLoaded.withLock { $0 = (path, data, record) }
            return record
        } catch {
            throw StorageError("\(path): not a poolnet ownership record: \(error)")
        }
    }

    /// The last record decoded and the exact bytes it came from: one run reads the file several
    /// times (storage backends, address ownership, and again after its own update), and decoding
    /// 1,000 addresses costs ~6 ms of CPU each time. Reused only when the bytes read now are the
    /// same, so it is never stale.
    private static let lastLoaded = Mutex<(path: String, bytes: Data, record: OwnershipRecord)?>(nil)

    /// The file's exact bytes (nil: there is none), to put it back as it was after a rollback.
    public static func bytes(_ path: String) throws -> Data? { try StateFile.read(path) }

    /// Puts back bytes `bytes(_:)` read, durably (nil: removes the file).
    public static func restore(_ path: String, bytes: Data?) throws {
        guard let bytes else {
            if FileManager.default.fileExists(atPath: path) { try FileManager.default.removeItem(atPath: path) }
            return
        }
        try StateFile.replace(path, with: bytes)
    }

    /// Changes `pool`'s entries (nil: the unassigned ones) and replaces the file durably (write a
    /// sibling, fsync, rename, fsync the directory). Writing as a pool (in the host's namespace)
    /// takes the unassigned entries.
    public static func update(_ path: String, pool: String?, _ body: (inout PoolRecord) -> Void) throws {
        let before = try load(path)
        var record = before
        // A namespaced key (addresses of a --netns apply) never takes the host's unassigned entries.
        let takesUnassigned = pool.map { namespace(ofKey: $0) == nil } ?? true
        var entries = takesUnassigned ? record.owned(by: pool) : record.pools[pool!] ?? PoolRecord()
        body(&entries)
        if let pool {
            record.pools[pool] = entries
            if takesUnassigned { record.unassigned = nil }
        } else {
            record.unassigned = entries == PoolRecord() ? nil : entries
        }
        guard record != before || !FileManager.default.fileExists(atPath: path) else { return }
        let bytes = Data(OwnershipRecordWriter.bytes(record) + [0x0A])
        try StateFile.replace(path, with: bytes)
        // What was just written is what the next load will read (the verification read, the
        // settle after it): those bytes need not be decoded again.
        lastLoaded.withLock { $0 = (path, bytes, record) }
    }
}
