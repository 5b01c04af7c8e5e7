import SystemCalls
import Engine
import Foundation
import HostState
import Topology

/// Reads the kernel's base state on its own thread while the caller parses and validates the
/// pool file: the two are independent and cost about the same at a thousand links. Once the
/// caller has parsed the file (`classes(_:)`), the same thread dumps the classes it needs (the
/// remote VTEPs, bridge VLANs, default routes) while the caller resolves its host.
final class Prefetch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private let told = DispatchSemaphore(value: 0)
    private let lock = NSLock()
    private var wanted: ReadClasses?
    private var toldAlready = false
    private var result: Result<PrefetchedState, Error>?

    init(_ engine: Engine) {
        let thread = Thread { [self] in
            PhaseTrace.mark("prefetch: reading links and addresses")
            result = Result {
                try engine.readBase { [self] in
                    PhaseTrace.mark("prefetch: links and addresses read")
                    told.wait()
                    return lock.withLock { wanted }
                }
            }
            PhaseTrace.mark("prefetch: done")
            done.signal()
        }
        thread.start()
    }

    /// The classes to dump after the base (nil: none). The first call counts; the ones after it
    /// (the resolved state's exact answer, a failure's nil) change nothing.
    func classes(_ classes: ReadClasses?) {
        let first = lock.withLock { () -> Bool in
            guard !toldAlready else { return false }
            toldAlready = true
            wanted = classes
            return true
        }
        if first { told.signal() }
    }

    /// Links and addresses, with the classes named by then. Never waits on a caller that has not
    /// named them: it names none.
    func value() throws -> PrefetchedState {
        classes(nil)
        done.wait()
        return try result!.get()
    }

    deinit { classes(nil) }
}
