import HostState
import Synchronization

/// The sysctl keys a read asks for, in name order. An apply reads them twice (before and to
/// verify) and the set is the same both times unless promote_secondaries joined: sorting 3,000
/// keys by name took ~3 ms of each read of a storage host, so the last order is kept and reused
/// when the set is equal (which compares in linear time).
enum SortedSysctlKeys {
    private static let last = Mutex<(keys: Set<SysctlKey>, sorted: [SysctlKey])?>(nil)

    static func sorted(_ keys: Set<SysctlKey>) -> [SysctlKey] {
        if let known = last.withLock({ $0 }), known.keys == keys { return known.sorted }
        let sorted = keys.sortedByName()
        last.withLock { $0 = (keys, sorted) }
        return sorted
    }
}
