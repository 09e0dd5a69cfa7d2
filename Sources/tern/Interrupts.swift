import Foundation
import Synchronization
import TernEngine

/// Ctrl-C and SIGTERM while the engine runs: the run is interrupted (no new
/// node starts; running commands finish or time out; uploads are atomic,
/// so no file is left half written) instead of the process dying. With
/// `exitOnSecond` (tern plan/apply), a second Ctrl-C exits at once; in the
/// REPL every Ctrl-C only interrupts. `stop` puts back the handlers that
/// were there before (the REPL's line editor has its own).
final class Interrupts {
    private let sources: [DispatchSourceSignal]
    private let previous: [(Int32, sig_t?)]

    init(control: RunControl, exitOnSecond: Bool, message: String) {
        previous = [(SIGINT, signal(SIGINT, SIG_IGN)), (SIGTERM, signal(SIGTERM, SIG_IGN))]
        let presses = Atomic<Int>(0)
        let int = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        int.setEventHandler {
            if exitOnSecond, presses.add(1, ordering: .relaxed).newValue > 1 {
                FileHandle.standardError.write(Data("\ntern: interrupted again: exiting now\n".utf8))
                exit(RunExit.interrupted)
            }
            FileHandle.standardError.write(Data("\n\(message)\n".utf8))
            control.interrupt()
        }
        let term = DispatchSource.makeSignalSource(signal: SIGTERM, queue: .global())
        term.setEventHandler { control.interrupt("the run was terminated") }
        sources = [int, term]
        for s in sources { s.resume() }
    }

    func stop() {
        for s in sources { s.cancel() }
        for (sig, handler) in previous { signal(sig, handler) }
    }
}
