import Foundation
import Testing

/// Every relative link in the README and docs/ points to a file of the repository, and every #anchor to a
/// heading of its page (GitHub's slugs): moving a section cannot leave a dead link behind.
@Suite struct DocsLinkTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens.
    static func slug(_ heading: String) -> String {
        let kept = heading.lowercased().unicodeScalars.filter {
            CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" || $0 == " "
        }
        return String(String.UnicodeScalarView(kept)).replacingOccurrences(of: " ", with: "-")
    }

    static func anchors(_ text: String) -> Set<String> {
        var result: Set<String> = []
        var fence = false
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            if line.hasPrefix("```") { fence.toggle(); continue }
            guard !fence, line.hasPrefix("#") else { continue }
            let heading = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces)
            result.insert(slug(heading))
        }
        return result
    }

    @Test func relativeLinksResolve() throws {
        let docs = try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("docs").path)
            .filter { $0.hasSuffix(".md") }.map { "docs/" + $0 }
        #expect(docs.count >= 10)
        let pattern = try NSRegularExpression(pattern: #"\]\(([^)\s]+)\)"#)
        var checked = 0
        for page in ["README.md"] + docs {
            let url = Self.root.appendingPathComponent(page)
            let text = try String(contentsOf: url, encoding: .utf8)
            let folder = url.deletingLastPathComponent()
            for match in pattern.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                let link = String(text[Range(match.range(at: 1), in: text)!])
                if link.hasPrefix("http") || link.hasPrefix("mailto:") { continue }
                let parts = link.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                let target = parts[0].isEmpty ? url : folder.appendingPathComponent(parts[0]).standardizedFileURL
                #expect(FileManager.default.fileExists(atPath: target.path), "\(page): \(link) points to a missing file")
                if parts.count == 2, target.pathExtension == "md", let targetText = try? String(contentsOf: target, encoding: .utf8) {
                    #expect(Self.anchors(targetText).contains(parts[1]), "\(page): \(link) points to a missing heading")
                }
                checked += 1
            }
        }
        #expect(checked > 50)
    }

    @Test func nothingPointsOutsideTheRepository() throws {
        for page in ["README.md"] + (try FileManager.default.contentsOfDirectory(atPath: Self.root.appendingPathComponent("docs").path)).map({ "docs/" + $0 }) {
            let text = try String(contentsOf: Self.root.appendingPathComponent(page), encoding: .utf8)
            #expect(!text.contains("../" + "shared"), "\(page)")
        }
    }
}
