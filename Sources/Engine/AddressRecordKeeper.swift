import Foundation
import HostState
import Netlink
import Planner
import Storage
import Topology

/// Keeps one pool's addresses in the ownership record: an address enters the record (durably)
/// before the kernel adds it, and leaves it only after a read shows the kernel no longer has it.
/// A stale entry (recorded, absent in the kernel) owns nothing until the next successful apply
/// drops it.
struct AddressRecordKeeper: Sendable {
    var path: String
    /// The record's key: the pool, qualified by the network namespace (`OwnershipRecord.addressKey`).
    var pool: String
    /// Decide by the record alone, as on kernels that drop IFA_PROTO.
    var forceRecord: Bool

    /// Adds the pool's record and the ownership mode to `state`. The mode comes from the kernel:
    /// an address that carries any protocol proves it keeps IFA_PROTO; otherwise it is asked
    /// (`RouteSocket.kernelKeepsAddressProtocol`), and an unclear answer means the record alone.
    func readOwnership(into state: inout CurrentState, using socket: RouteSocket) throws {
        let record = try OwnershipRecord.load(path)
        let mode: AddressOwnershipMode
        if forceRecord {
            mode = .record
        } else if state.addresses.contains(where: { $0.proto != 0 }) {
            mode = .kernelMark
        } else {
            mode = socket.kernelKeepsAddressProtocol() == true ? .kernelMark : .record
        }
        let others = record.addressPools(notOf: pool)
        state.addressOwnership = AddressOwnership(mode: mode, recorded: record.pools[pool]?.addresses,
                                                  otherPools: others.keys.sorted(), otherPoolNames: others)
    }

    /// Before `changes` run: the pool's addresses (on its first apply, the ones found by
    /// migration) and every address the changes add, with the ifindex its link will have.
    /// `poolAddresses`: `Planner.poolAddresses` of `state`, when the caller's plan has them.
    func recordBefore(_ changes: [Change], desired: DesiredState, state: CurrentState, indexes: [String: Int32],
                      poolAddresses: [AddressState]? = nil) throws {
        let adds = Self.adds(changes, indexes: indexes)
        let known = state.addressOwnership?.recorded
            ?? Self.recorded(poolAddresses ?? Planner.poolAddresses(desired: desired, current: state), in: state)
        let wanted = Set(known).union(adds)
        guard wanted != Set(state.addressOwnership?.recorded ?? []) || state.addressOwnership?.recorded == nil else { return }
        try OwnershipRecord.update(path, pool: pool) { $0.addresses = wanted.sorted() }
    }

    /// Before revert steps run: the addresses they add join the pool's record.
    func recordAdds(_ changes: [Change], indexes: [String: Int32]) throws {
        let adds = Self.adds(changes, indexes: indexes)
        guard !adds.isEmpty else { return }
        try OwnershipRecord.update(path, pool: pool) { $0.addresses = Array(Set($0.addresses).union(adds)).sorted() }
    }

    /// One adopted address enters the pool's record, or (its inverse) leaves it.
    func mark(_ address: RecordedAddress, owned: Bool) throws {
        try OwnershipRecord.update(path, pool: pool) { record in
            record.addresses.removeAll { $0.link == address.link && $0.prefix == address.prefix }
            if owned { record.addresses.append(address) }
            record.addresses.sort()
        }
    }

    static func adds(_ changes: [Change], indexes: [String: Int32]) -> [RecordedAddress] {
        changes.compactMap { change -> RecordedAddress? in
            guard case let .addAddress(link, prefix, _) = change.action, let index = indexes[link] else { return nil }
            return RecordedAddress(ifindex: index, link: link, prefix: prefix)
        }
    }

    /// After a successful apply: the record holds exactly the pool's addresses as read (stale
    /// entries and removed addresses leave it; ifindexes are the kernel's).
    /// `poolAddresses`: `Planner.poolAddresses` of `state`, when the caller's plan has them.
    func settle(desired: DesiredState, state: CurrentState, poolAddresses: [AddressState]? = nil) throws {
        let owned = Set(Self.recorded(poolAddresses ?? Planner.poolAddresses(desired: desired, current: state), in: state))
        guard owned != Set(state.addressOwnership?.recorded ?? []) || state.addressOwnership?.recorded == nil else { return }
        try OwnershipRecord.update(path, pool: pool) { $0.addresses = owned.sorted() }
    }

    /// After a rollback or a revert: entries whose address a fresh read no longer shows leave the
    /// record (the kernel delete is proven); the others follow their link's ifindex (a rollback
    /// creates a deleted link again, with a new index, and puts the pool's addresses back on it).
    func reconcile(state: CurrentState) throws {
        let record = try OwnershipRecord.load(path)
        guard let entries = record.pools[pool]?.addresses else { return }
        let index = Dictionary(state.links.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
        let present = Set(state.addresses.map { LinkAddress(link: $0.link, prefix: $0.prefix) })
        let kept = entries.compactMap { entry -> RecordedAddress? in
            guard let i = index[entry.link], present.contains(LinkAddress(link: entry.link, prefix: entry.prefix)) else { return nil }
            var kept = entry
            kept.ifindex = i
            return kept
        }
        guard kept != entries else { return }
        try OwnershipRecord.update(path, pool: pool) { $0.addresses = kept.sorted() }
    }

    /// The record as an apply found it: its bytes (nil: no file) and what they say.
    struct Snapshot: Sendable {
        var bytes: Data?
        var record: OwnershipRecord
    }

    func snapshot() throws -> Snapshot {
        Snapshot(bytes: try OwnershipRecord.bytes(path), record: try OwnershipRecord.load(path))
    }

    /// After a rollback that put the host back as it was: the record back as it was too, byte for
    /// byte. Writing as the pool changed more than the steps undo (the first write takes the flat
    /// format's unassigned entries into the pool, and rewrites the file in today's format; a pool
    /// without a record gets one), so undoing each step is not enough. Left as reconciled when the
    /// rollback made one of the pool's links again (its entries follow the new ifindex), or when
    /// another pool's entries changed since the snapshot (another namespace's apply wrote).
    func restore(_ snapshot: Snapshot, state: CurrentState) throws {
        let index = Dictionary(state.links.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
        let entries = snapshot.record.pools[pool]?.addresses ?? []
        guard entries.allSatisfy({ entry in index[entry.link].map { $0 == entry.ifindex } ?? true }) else { return }
        var others = try OwnershipRecord.load(path), before = snapshot.record
        // Only this run's own key is left out of the comparison: under --netns the pool's plain
        // key holds the host namespace's entries, which an apply there (its own lock) may have
        // changed meanwhile; then the record stays as reconciled rather than losing them.
        others.pools[pool] = nil
        before.pools[pool] = nil
        others.unassigned = nil
        before.unassigned = nil
        guard others == before else { return }
        try OwnershipRecord.restore(path, bytes: snapshot.bytes)
    }

    static func recorded(_ addresses: [AddressState], in state: CurrentState) -> [RecordedAddress] {
        let index = Dictionary(state.links.map { ($0.name, $0.index) }, uniquingKeysWith: { a, _ in a })
        // An owned address without poolnet's protocol is owned by an adopted entry (kernel mode).
        let kernelMarks = state.addressOwnership?.mode == .kernelMark
        return addresses.compactMap { a in
            index[a.link].map { RecordedAddress(ifindex: $0, link: a.link, prefix: a.prefix, adopted: kernelMarks && a.proto != Ownership.addressProtocol) }
        }
    }
}
