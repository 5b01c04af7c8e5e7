import Foundation
import HostState
import Logging
import Netlink
import Planner
import SystemCalls
import Storage

/// Runs changes in plan order: runs of netlink requests go out as one batch, sysctl writes go
/// straight to /proc/sys (of the namespace this thread is in). Used for apply and for rollback.
struct Executor {
    let socket: RouteSocket
    let sysctls: SysctlStore
    /// A group no link uses, for bulk deletes; nil: delete one by one.
    var scratchGroup: UInt32?
    /// iSCSI and multipath steps; nil when the file has none.
    var storage = StorageBackends()
    /// Storage steps are slow (seconds, not microseconds): each is logged as it starts.
    var logger: Logger? = nil
    /// The pool's address record, for adopted addresses; nil: no pool known (such steps fail).
    var addressRecord: AddressRecordKeeper?

    /// Fault-injection hook for tests (`POOLNET_TEST_BATCH_PAUSE=N:MS`): batches of at most N
    /// requests with MS milliseconds between them, so that a test can kill an apply between two
    /// kernel batches. Never set in normal use.
    var batchPause: (requests: Int, milliseconds: UInt32)?
    /// Fault-injection hook for tests (`POOLNET_TEST_KILL_AT_STEP=K`): the process SIGKILLs itself
    /// just before change K of the apply (0-based), after flushing what came before.
    var killAt: Int?

    private func execute(_ requests: [NetlinkRequest], stopOnError: Bool) -> [RequestOutcome] {
        guard let pause = batchPause, requests.count > pause.requests else { return socket.execute(requests, stopOnError: stopOnError) }
        var results: [RequestOutcome] = []
        var start = 0
        while start < requests.count {
            let end = min(start + pause.requests, requests.count)
            let chunk = socket.execute(Array(requests[start..<end]), stopOnError: stopOnError)
            results += chunk
            start = end
            if stopOnError, chunk.contains(where: { $0.error != nil }) {
                // As one batch would: what comes after is not sent.
                results += requests[end...].map { _ in .notSent }
                break
            }
            if start < requests.count { Syscall.sleep(Double(pause.milliseconds) / 1000) }
        }
        return results
    }

    /// `failAt`: test hook, fail change k before it runs. `stopOnError`: send nothing after a failure.
    /// Returns one outcome per change.
    func run(_ changes: [Change], translator: inout RequestTranslator, stopOnError: Bool, failAt: Int? = nil) throws -> RunOutcome {
        var outcome = RunOutcome(count: changes.count)
        /// Requests to send, each with the changes it carries (several when merged into one).
        var pending: [(request: NetlinkRequest, changes: [Int])] = []

        func flush() {
            guard !pending.isEmpty else { return }
            let results = execute(pending.map(\.request), stopOnError: stopOnError)
            for (i, result) in results.enumerated() {
                let changes = pending[i].changes
                switch result {
                case .acknowledged:
                    for change in changes { outcome.tookEffect(change) }
                case .failed(let error):
                    for change in changes { outcome.failed(change, .kernel(error)) }
                    // A merged request may have half-happened (the kernel sets the alias before the
                    // master): rollback undoes all its changes, a no-op for those that did not.
                    if changes.count > 1 { for change in changes { outcome.tookEffect(change) } }
                case .unknown(let error):
                    // Sent, unanswered: it may have happened, so rollback undoes it (a no-op if not).
                    for change in changes { outcome.failed(change, .kernel(error)); outcome.tookEffect(change) }
                case .notSent:
                    // Its batch never left (an earlier batch failed): a change whose first
                    // requests went in that batch is only partly done.
                    for change in changes { outcome.cutShort(change, step: pending[i].request.label) }
                }
            }
            pending.removeAll()
        }

        func send(_ request: NetlinkRequest, for change: Int) {
            if let last = pending.last, !last.changes.contains(change), let merged = last.request.merged(with: request) {
                pending[pending.count - 1] = (merged, last.changes + [change])
            } else {
                pending.append((request, [change]))
            }
        }

        /// With `stopOnError`, a failure met so far stops the run: nothing more is sent or written.
        func stopped() -> Bool { stopOnError && outcome.firstFailure != nil }

        var skipUntil = 0
        for (i, change) in changes.enumerated() where i >= skipUntil {
            if stopOnError && outcome.firstFailure != nil { break }
            // A run of deletions goes as one group delete (the injected-failure hook keeps single steps).
            if let group = scratchGroup, case .deleteLink = change.action {
                let run = changes[i...].prefix { if case .deleteLink = $0.action { return true } else { return false } }
                if run.count >= 2, !(i..<(i + run.count)).contains(failAt ?? -1) {
                    flush()
                    if stopped() { break }
                    let links = run.compactMap { c -> LinkState? in if case .deleteLink(let l) = c.action { return l } else { return nil } }
                    if let requests = translator.groupDelete(links, group: group) {
                        let results = socket.execute(requests.moves + [requests.delete], stopOnError: true)
                        if let error = results.lazy.compactMap(\.error).first {
                            // Refused, nothing was deleted: put the moved links back in their groups.
                            // Unanswered, the delete may have happened: rollback re-creates what a read
                            // shows gone.
                            _ = socket.execute(requests.restores, stopOnError: false)
                            let unknown = results.contains { if case .unknown = $0 { return true } else { return false } }
                            for k in i..<(i + run.count) { outcome.failed(k, .kernel(error)); if unknown { outcome.tookEffect(k) } }
                        } else {
                            for k in i..<(i + run.count) { outcome.tookEffect(k) }
                        }
                        skipUntil = i + run.count
                        continue
                    }
                }
            }
            if i == killAt {
                // Test hook: the process dies here, as in a power loss, with everything before
                // this change sent and acknowledged (the batch is flushed first).
                flush()
                try? Syscall.kill(Syscall.processID, SIGKILL)
            }
            if i == failAt {
                flush()
                if outcome.firstFailure == nil { outcome.failed(i, .injected(step: "\(change.action.symbol) \(change.action.summary)")) }
                break
            }
            let steps: [Step]
            do { steps = try translator.steps(change) } catch {
                flush()
                outcome.failed(i, .untranslatable(change: change.action.summary, reason: "\(error)"))
                continue
            }
            // A step that flushes and meets the run's failure stops this change too: its later
            // steps are neither sent nor written (leaving only the switch sent its later requests
            // with the final flush), and what of it ran makes it partly applied.
            steps: for step in steps {
                switch step {
                case .netlink(let request): send(request, for: i)
                case let .storage(action, label):
                    flush()
                    if stopped() { outcome.cutShort(i, step: label); break steps }
                    do {
                        logger?.notice("\(label)")
                        try storage.perform(action)
                        outcome.tookEffect(i)
                    } catch {
                        outcome.failed(i, .host(step: label, reason: "\(error)"))
                    }
                case let .handOver(action, label):
                    flush()
                    if stopped() { outcome.cutShort(i, step: label); break steps }
                    do {
                        logger?.notice("\(label)")
                        try storage.handOver.write(action.manager, path: action.path, content: action.content, released: action.devices)
                        outcome.tookEffect(i)
                    } catch {
                        outcome.failed(i, .host(step: label, reason: "\(error)"))
                    }
                case let .addressRecord(address, owned, label):
                    flush()
                    if stopped() { outcome.cutShort(i, step: label); break steps }
                    do {
                        guard let addressRecord else { throw StorageError("no pool named: the ownership record cannot change") }
                        try addressRecord.mark(address, owned: owned)
                        outcome.tookEffect(i)
                    } catch {
                        outcome.failed(i, .host(step: label, reason: "\(error)"))
                    }
                case let .sysctl(key, value, label):
                    flush()
                    if stopped() { outcome.cutShort(i, step: label); break steps }
                    do {
                        try sysctls.write(key, value)
                        outcome.tookEffect(i)
                    } catch {
                        outcome.failed(i, .host(step: label, reason: "\(error)"))
                    }
                }
            }
        }
        flush()
        return outcome
    }
}
