/// Reads CSV as RFC 4180 writes it (and `CSVTable` does): fields separated by commas, rows by LF or CRLF, a field in
/// double quotes may hold commas, line breaks and doubled quotes.
public enum CSVReader {
    public struct Problem: Error, CustomStringConvertible {
        public var line: Int
        public var message: String
        public var description: String { "line \(line): \(message)" }
    }

    /// The rows of `text`, each a list of fields (a trailing line break adds no empty row).
    public static func rows(_ text: String) throws(Problem) -> [[String]] {
        var rows: [[String]] = []
        var row: [String] = []
        var field = ""
        var quoted = false, wasQuoted = false
        var line = 1
        var chars = Array(text.unicodeScalars)[...]
        while let c = chars.popFirst() {
            if quoted {
                if c == "\"" {
                    if chars.first == "\"" {
                        chars.removeFirst()
                        field.unicodeScalars.append("\"")
                    } else {
                        quoted = false
                    }
                } else {
                    if c == "\n" { line += 1 }
                    field.unicodeScalars.append(c)
                }
                continue
            }
            switch c {
            case "\"":
                guard field.isEmpty, !wasQuoted else { throw Problem(line: line, message: "a quote inside an unquoted field") }
                quoted = true
                wasQuoted = true
            case ",":
                row.append(field)
                field = ""
                wasQuoted = false
            case "\r" where chars.first == "\n":
                break
            case "\n":
                row.append(field)
                rows.append(row)
                row = []
                field = ""
                wasQuoted = false
                line += 1
            default:
                guard !wasQuoted else { throw Problem(line: line, message: "text after a closing quote") }
                field.unicodeScalars.append(c)
            }
        }
        if quoted { throw Problem(line: line, message: "a quoted field is not closed") }
        if !field.isEmpty || !row.isEmpty || wasQuoted {
            row.append(field)
            rows.append(row)
        }
        return rows
    }
}
