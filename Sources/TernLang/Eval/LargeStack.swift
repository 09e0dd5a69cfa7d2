import Foundation

/// Runs work that evaluates Tern on a thread of its own with a large stack,
/// and waits for it. Evaluation is recursive, so the language's nesting
/// limits hold on any caller's thread, including the small-stacked threads
/// of Swift concurrency. Used by planning, the REPL and `tern doc`.
enum LargeStack {
    static let size = 256 << 20

    static func run<T: Sendable>(_ work: @escaping @Sendable () -> T) -> T {
        let box = Box<T>()
        let done = DispatchSemaphore(value: 0)
        let thread = Thread {
            box.value = work()
            done.signal()
        }
        thread.stackSize = size
        thread.start()
        done.wait()
        // Written once before the semaphore was signalled, read after.
        return box.value!
    }

    private final class Box<T>: @unchecked Sendable {
        var value: T?
    }
}
