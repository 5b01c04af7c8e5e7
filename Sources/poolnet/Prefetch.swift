import SystemCalls
import Engine
import Foundation
import HostState

/// Reads the kernel's base state on its own thread while the caller parses and validates the
/// pool file: the two are independent and cost about the same at a thousand links.
final class Prefetch: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var result: Result<CurrentState, Error>?

    init(_ engine: Engine) {
        let thread = Thread { [self] in
            PhaseTrace.mark("prefetch: reading links and addresses")
            result = Result { try engine.readBase() }
            PhaseTrace.mark("prefetch: links and addresses read")
            done.signal()
        }
        thread.start()
    }

    func value() throws -> CurrentState {
        done.wait()
        return try result!.get()
    }
}
