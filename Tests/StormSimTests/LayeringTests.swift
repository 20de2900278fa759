import Foundation
import Testing

/// The library's folders form layers (docs/architecture.md): code in a folder names no type declared in a folder
/// above it. Comments may mention anything.
@Suite struct LayeringTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Sources/StormSim")
    static let layers = ["Text", "Engine", "Random", "Metrics", "Policies", "Scenario", "Model", "Run", "Sweep", "Output"]

    /// The code of each Swift file of a folder, without comments.
    func code(_ folder: String) throws -> [(file: String, text: String)] {
        let dir = Self.root.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".swift") }.sorted().map { name in
            let text = try String(contentsOf: dir.appendingPathComponent(name), encoding: .utf8)
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { line -> Substring in
                if let range = line.range(of: "//") { return line[..<range.lowerBound] }
                return line
            }
            return (name, lines.joined(separator: "\n"))
        }
    }

    /// Types (struct, enum, class, protocol) declared at the top level of a folder's files.
    func declaredTypes(_ folder: String) throws -> [String] {
        let pattern = try NSRegularExpression(pattern: #"(?m)^(?:public |final |public final )?(?:struct|enum|class|protocol) ([A-Z][A-Za-z0-9]*)"#)
        return try code(folder).flatMap { file in
            pattern.matches(in: file.text, range: NSRange(file.text.startIndex..., in: file.text)).compactMap {
                Range($0.range(at: 1), in: file.text).map { String(file.text[$0]) }
            }
        }
    }

    @Test func noFolderNamesATypeOfAFolderAboveIt() throws {
        var problems: [String] = []
        for (i, folder) in Self.layers.enumerated() {
            let above = try Self.layers[(i + 1)...].flatMap { f in try declaredTypes(f).map { (f, $0) } }
            for file in try code(folder) {
                for (upper, type) in above {
                    let uses = try NSRegularExpression(pattern: #"\b\#(type)\b"#)
                    if uses.firstMatch(in: file.text, range: NSRange(file.text.startIndex..., in: file.text)) != nil {
                        problems.append("\(folder)/\(file.file) uses \(type) from \(upper)/")
                    }
                }
            }
        }
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }

    @Test func everyFolderIsALayer() throws {
        let folders = try FileManager.default.contentsOfDirectory(atPath: Self.root.path).filter { !$0.hasPrefix(".") }.sorted()
        #expect(folders == Self.layers.sorted())
    }
}
