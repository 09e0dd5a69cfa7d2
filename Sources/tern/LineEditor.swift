import CLibEdit
import Foundation
import Synchronization

/// Lines for the REPL: through libedit (line editing, history kept in
/// `~/.tern_history`, tab completion) on a terminal, plain standard input
/// otherwise.
final class LineSource {
    let interactive: Bool
    let historyPath: String

    /// The REPL's completion source, for libedit's C callback.
    private static let completer = Mutex<(@Sendable (String) -> [String])?>(nil)
    private static let candidates = Mutex<[String]>([])

    init(interactive: Bool, completions: @escaping @Sendable (String) -> [String]) {
        self.interactive = interactive
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        historyPath = ProcessInfo.processInfo.environment["TERN_HISTORY"] ?? home + "/.tern_history"
        guard interactive else { return }
        Self.completer.withLock { $0 = completions }
        using_history()
        _ = read_history(historyPath)
        tern_set_completion { text, state in
            guard let text else { return nil }
            if state == 0 {
                let prefix = String(cString: text)
                let found = LineSource.completer.withLock { $0 }?(prefix) ?? []
                LineSource.candidates.withLock { $0 = found }
            }
            let list = LineSource.candidates.withLock { $0 }
            guard Int(state) < list.count else { return nil }
            return strdup(list[Int(state)])
        }
    }

    /// One line, without its newline; nil at end of input (Ctrl-D).
    func read(prompt: String) -> String? {
        guard interactive else { return Swift.readLine(strippingNewline: true) }
        guard let p = readline(prompt) else {
            FileHandle.standardOutput.write(Data("\n".utf8))
            return nil
        }
        defer { free(p) }
        return String(cString: p)
    }

    /// Keeps a complete input in the history.
    func remember(_ input: String) {
        guard interactive, !input.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return }
        _ = add_history(input)
    }

    func close() {
        guard interactive else { return }
        _ = write_history(historyPath)
    }
}
