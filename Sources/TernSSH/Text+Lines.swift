/// Line handling shared by the readers of ssh_config, known_hosts and key
/// files: OpenSSH splits at `\n` and treats spaces and tabs as blanks.
extension Character {
    /// The end of a line: `\n`, which Swift sees as part of one `\r\n`
    /// character when a CR precedes it.
    var isLineEnd: Bool { self == "\n" || self == "\r\n" }
}

extension StringProtocol {
    /// Without the spaces and tabs at either end.
    func trimmingBlanks() -> String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
