import Testing

@testable import StormSim

/// Text for files: the byte writers of CSV numbers give exactly the text of `NumberFormat.shortest`, appended to
/// what a buffer holds (from a buffer too small at first: it grows); JSON strings are quoted so they read back.
@Suite struct TextFormatTests {
    func bytes(_ write: (inout TextBytes) -> Void) -> String {
        var out = TextBytes(capacity: 1)
        out.append("<")  // text already there stays
        write(&out)
        let text = out.text
        #expect(text.hasPrefix("<"))
        return String(text.dropFirst())
    }

    /// A buffer keeps every byte appended, in order, through many growths, and empties for reuse.
    @Test func textBytesKeepWhatIsAppended() {
        var buffer = TextBytes(capacity: 1)
        var expected = ""
        var other = TextBytes()
        other.append("tail,")
        for i in 0..<5_000 {
            switch i % 4 {
            case 0: buffer.append(UInt8(ascii: "a") + UInt8(i % 26)); expected += String(UnicodeScalar(UInt8(ascii: "a") + UInt8(i % 26)))
            case 1: buffer.append("é\(i),"); expected += "é\(i),"
            case 2: NumberFormat.appendInteger(Int64(i) * -7, to: &buffer); expected += "\(i * -7)"
            default: buffer.append(other); expected += "tail,"
            }
        }
        #expect(buffer.text == expected && buffer.count == expected.utf8.count)
        buffer.removeAll()
        buffer.append("x")
        #expect(buffer.text == "x")
    }

    @Test func appendShortestWritesTheShortestText() {
        var values: [Double] = [
            0, -0.0, 1, -1, 7, 10, 123_456_789, -42, 999_999_999_999_999, 1e15, -1e15, 1e16, 2.5, -0.125, 0.1, 1e-5,
            1e-4, 0.3, 1.0 / 3, .pi, 1e300, -1e-300, .nan, .infinity, -.infinity, .leastNonzeroMagnitude,
        ]
        var rng = SplitMix64(seed: 11)
        for _ in 0..<2_000 {
            values.append(Double(bitPattern: rng.next()))
            values.append(Double(Int64(truncatingIfNeeded: rng.next()) >> Int64(rng.next() % 60)))
        }
        for x in values {
            #expect(bytes { NumberFormat.appendShortest(x, to: &$0) } == NumberFormat.shortest(x), "\(x)")
        }
    }

    /// From integer nanoseconds: every power of ten and its neighbours, the plain-notation boundary (1e-4 s),
    /// the 15-digit limit, and random times at every scale.
    @Test func appendSecondsIsTheShortestTextOfTheSeconds() {
        var times: [Int64] = [0, 1, -1, -100_000, Int64.max, Int64.min + 1]
        var p: Int64 = 1
        for _ in 0..<18 {
            times += [p - 1, p, p + 1, 3 * p, 7 * p + 1]
            p *= 10
        }
        var rng = SplitMix64(seed: 5)
        for _ in 0..<20_000 {
            let scale = Int64(1) << Int64(rng.next() % 62)
            times.append(Int64(truncatingIfNeeded: rng.next() % UInt64(scale)))
        }
        for row in 0..<6_000 { times += [Int64(row) * 100_000_000, Int64(row) * 1_000_000, Int64(row) * 250_000] }
        for ns in times {
            #expect(bytes { NumberFormat.appendSeconds(nanoseconds: ns, to: &$0) } == NumberFormat.shortest(Double(ns) / 1e9), "\(ns) ns")
        }
    }

    /// A CSV cell's bytes are its text, for every kind of cell.
    @Test func cellBytesAreTheCellsText() {
        let cells: [CSVTable.Cell] = [
            .number(0), .number(-0.0), .number(2.5), .number(-1e-7), .number(1e300), .number(.nan), .number(.infinity),
            .number(42), .integer(0), .integer(-17), .integer(Int.max), .integer(Int.min), .empty,
            .text("plain"), .text("a,b"), .text("say \"hi\""), .text("two\nlines"), .text("é😀"),
        ]
        for cell in cells {
            #expect(bytes { cell.append(to: &$0) } == cell.text, "\(cell)")
        }
    }

    /// JSON strings: plain ones are quoted as they are, the rest escaped; every one reads back as itself.
    @Test func jsonStringsAreQuotedAndReadBack() throws {
        #expect(JSONValue.quote("retry-storm é 😀") == "\"retry-storm é 😀\"")
        #expect(JSONValue.quote("a\"b\\c\nd\u{1}") == #""a\"b\\c\nd\u0001""#)
        for text in ["", "plain", "tab\there", "quote\"", "back\\slash", "\u{1f}\u{7f}", "é\r\n😀", "end\\"] {
            let value = try JSONParser.parse("{\"k\": " + JSONValue.quote(text) + "}")
            #expect(value["k"] == .string(text), "\(text.debugDescription)")
        }
    }
}
