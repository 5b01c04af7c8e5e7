import Foundation

/// Work on its own thread while the command goes on: the cache writes nothing waits for (the
/// resolved-state entry: at a thousand objects encoding one took 10–14 ms of an apply's critical
/// path), and the rest of a new file's validation (`PendingValidation`, whose answer the command
/// waits for itself). `poolnet.run` waits for all of it before the process exits, so a write is
/// never cut off.
enum BackgroundWrites {
    nonisolated(unsafe) private static var pending: [DispatchSemaphore] = []
    private static let lock = NSLock()

    static func start(_ work: @escaping @Sendable () -> Void) {
        let done = DispatchSemaphore(value: 0)
        lock.withLock { pending.append(done) }
        Thread {
            work()
            done.signal()
        }.start()
    }

    /// Returns once every write started has finished.
    static func finish() {
        let waiting = lock.withLock { () -> [DispatchSemaphore] in
            defer { pending = [] }
            return pending
        }
        for done in waiting { done.wait() }
    }
}
