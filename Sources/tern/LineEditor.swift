import CLibEdit
import Foundation
import Synchronization

/// Lines for the REPL: through libedit (line editing, history kept in
/// `$TERN_HISTORY` or `~/.tern_history`, tab completion) on a terminal,
/// plain standard input otherwise.
///
/// Ctrl-C while a line is edited drops the line: `read` returns "" and
/// `interrupted` is true (see shim.h for how: libedit reads keys through a
/// function that also watches a pipe our SIGINT handler writes to).
final class LineSource {
    let interactive: Bool
    let historyPath: String
    /// Whether the last `read` ended with Ctrl-C (its text was dropped).
    private(set) var interrupted = false
    /// False when SIGINT was ignored at start (then it stays so).
    private let catchesInterrupt: Bool

    /// The REPL's completion source, for libedit's C callback.
    private static let completer = Mutex<(@Sendable (String) -> [String])?>(nil)
    private static let candidates = Mutex<[String]>([])

    init(interactive: Bool, completions: @escaping @Sendable (String) -> [String]) {
        self.interactive = interactive
        let home = ProcessInfo.processInfo.environment["HOME"] ?? NSHomeDirectory()
        historyPath = ProcessInfo.processInfo.environment["TERN_HISTORY"] ?? home + "/.tern_history"
        guard interactive else {
            catchesInterrupt = false
            return
        }
        Self.useUTF8Characters()
        Self.completer.withLock { $0 = completions }
        // Before rl_initialize (using_history): it reads rl_getc_function.
        catchesInterrupt = tern_install_line_interrupt() == 0
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

    /// libedit converts what is typed to and from wide characters with the C
    /// library's LC_CTYPE, which is "C" (ASCII only) until set: non-ASCII
    /// keys were dropped. The user's setting when it is UTF-8, else C.UTF-8.
    private static func useUTF8Characters() {
        func isUTF8() -> Bool {
            guard let codeset = nl_langinfo(nl_item(CODESET)) else { return false }
            let name = String(cString: codeset).uppercased()
            return name == "UTF-8" || name == "UTF8"
        }
        if setlocale(LC_CTYPE, "") != nil, isUTF8() { return }
        if setlocale(LC_CTYPE, "C.UTF-8") == nil { _ = setlocale(LC_CTYPE, "C") }
    }

    /// One line, without its newline; nil at end of input (Ctrl-D). After
    /// Ctrl-C: "" with `interrupted` set.
    func read(prompt: String) -> String? {
        interrupted = false
        guard interactive else { return Swift.readLine(strippingNewline: true) }
        let p = readline(prompt)
        if catchesInterrupt, tern_take_interrupt() != 0 {
            if let p { free(p) }
            interrupted = true
            FileHandle.standardOutput.write(Data("^C\n".utf8))
            return ""
        }
        guard let p else {
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
