import HostState
import Netlink
import Planner
import Storage
import Topology

/// What undoing a journaled apply did, every part of it backed by a read of the host.
public struct UndoOutcome: Sendable {
    /// Steps of the apply that were in effect and are undone now (checked by a second read).
    public var undone: [Change] = []
    /// Steps whose effect the read did not show: they never reached the host (the apply died
    /// first) or something else already reversed them. Nothing was sent for them.
    public var notInEffect: [Change] = []
    /// Steps whose state could not be read (their object is gone): left as they are.
    public var unknown: [Change] = []
    /// Undo steps that failed, or that a second read still shows in effect.
    public var failed: [NotUndone] = []

    public var isComplete: Bool { failed.isEmpty }

    public init(undone: [Change] = [], notInEffect: [Change] = [], unknown: [Change] = [], failed: [NotUndone] = []) {
        self.undone = undone
        self.notInEffect = notInEffect
        self.unknown = unknown
        self.failed = failed
    }
}

extension Engine {
    /// Undoes the steps of an earlier apply (`rollback`, an expired confirm window, a journal
    /// that could not record an apply): reads the host, undoes newest first exactly the steps
    /// whose effect it reads, then reads again to prove each one undone. `applied` are the
    /// apply's steps in plan order (not their inverses).
    /// `pool`: the pool of that apply, whose ownership record takes the addresses the undo puts
    /// back and loses those it removes (nil, for journals that did not name it: nothing is
    /// recorded, and storage steps use the record's unassigned entries).
    public func undo(_ applied: [Change], pool: String? = nil) throws -> UndoOutcome {
        // The storage backends the steps need, and no others (no iscsiadm runs without iSCSI steps).
        var storage = StorageBackends()
        var roots = storageRoots
        roots.pool = pool
        for step in applied {
            guard case .storage(let action) = step.action else { continue }
            if action.isFibreChannel {
                storage.fc = FCBackend(root: storageRoots.sys, ownership: storageRoots.ownership, pool: pool)
            } else {
                storage.iscsi = ISCSIBackend(runner: commandRunner, roots: roots, managedSettings: ISCSISettingKeys.all)
            }
        }
        if applied.contains(where: { if case .handOver = $0.action { return true } else { return false } }) {
            // Hand-over drop-ins are read back (isInEffect) and rewritten by the same backends as in apply.
            storage.foreign = ForeignManagerReader(roots: foreignRoots, pool: pool ?? "", configFiles: netns == nil)
            storage.handOver = HandOver(roots: foreignRoots, runner: commandRunner)
        }
        let keeper = pool.map { AddressRecordKeeper(path: storageRoots.ownership, pool: OwnershipRecord.addressKey(pool: $0, netns: netns),
                                                    forceRecord: forceAddressRecord) }
        let pause = batchPause
        return try NetworkNamespace.run(netns) { () throws -> UndoOutcome in
            let socket = try RouteSocket()
            var before = try Self.readFor(applied, using: socket, storage: storage)
            // An adopted address the record alone marks is in effect when the record holds it.
            try keeper?.readOwnership(into: &before, using: socket)
            var outcome = UndoOutcome()
            var undos: [Change] = []
            // Links this apply was to create but did not: nothing of it reached them.
            let neverCreated = Set(applied.compactMap { step -> String? in
                if case .createLink(let n) = step.action, step.action.isInEffect(in: before) == false { return n.name }
                return nil
            })
            for step in applied.reversed() {
                switch step.action.isInEffect(in: before) {
                case true?: undos.append(step.inverse)
                case false?: outcome.notInEffect.append(step)
                case nil where neverCreated.contains(step.action.link): outcome.notInEffect.append(step)
                case nil: outcome.unknown.append(step)
                }
            }
            guard !undos.isEmpty else { return outcome }
            var executor = Executor(socket: socket, sysctls: SysctlStore(), scratchGroup: Self.scratchGroup(unusedIn: before), storage: storage)
            executor.batchPause = pause
            executor.addressRecord = keeper
            var translator = RequestTranslator(state: before)
            try keeper?.recordAdds(undos, indexes: translator.indexes(after: undos))
            let result = try executor.run(undos, translator: &translator, stopOnError: false)
            var after = try Self.readFor(applied, using: socket, storage: storage)
            try keeper?.reconcile(state: after)
            try keeper?.readOwnership(into: &after, using: socket)
            for (undo, step) in zip(undos, result.steps) {
                let original = undo.inverse
                if let error = step.error {
                    outcome.failed.append(NotUndone(original, .failed(error)))
                } else if original.action.isInEffect(in: after) == true, undo.action.isInEffect(in: after) != true {
                    outcome.failed.append(NotUndone(original, .stillInEffect))
                } else {
                    outcome.undone.append(original)
                }
            }
            return outcome
        }
    }

    /// The classes `steps` concern, read fresh: links and addresses always; bridge VLANs, VXLAN
    /// remotes, default routes, sysctls and storage only when a step touches them.
    static func readFor(_ steps: [Change], using socket: RouteSocket, storage: StorageBackends) throws -> CurrentState {
        var vlans = false, remotes = false, routes = false
        var keys: [SysctlKey] = []
        for step in steps {
            switch step.action {
            case .setBridgeVLANs: vlans = true
            case .setVXLANRemotes: remotes = true
            case .addRoute, .removeRoute: routes = true
            case .setSysctl(let key, _, _): keys.append(key)
            default: break
            }
        }
        var state = try StateReader.read(using: socket, bridgeVLANs: vlans, defaultRoutes: routes, vxlanRemotes: remotes)
        if !keys.isEmpty { state.sysctls = SysctlStore().read(keys, links: state.links) }
        try storage.read(into: &state)
        return state
    }
}
