import Foundation
import Testing

@testable import StormSim

@Suite struct FileSystemTests {
    /// Foundation's NSString path functions trap on "r"; ours are plain string work.
    @Test func parentAndNameOfPaths() {
        let cases: [(String, String, String)] = [
            ("r", "", "r"), ("a/b", "a", "b"), ("/x", "/", "x"), ("a/b/", "a", "b"), ("/", "/", ""), ("./t.csv", ".", "t.csv"),
        ]
        for (path, parent, name) in cases {
            #expect(FileSystem.parent(path) == parent, "\(path)")
            #expect(FileSystem.name(path) == name, "\(path)")
        }
    }

    @Test func errorsNameTheSystemCause() {
        #expect(FileSystem.describe(ENOSPC).hasSuffix("(ENOSPC)"))
        #expect(FileSystem.describe(EROFS).hasSuffix("(EROFS)"))
        #expect(FileSystem.describe(ENAMETOOLONG).hasSuffix("(ENAMETOOLONG)"))
        #expect(FileSystem.describe(ENOSPC).contains("No space left"))
    }

    /// A write that fails (a full disk) throws with the cause; it never traps.
    @Test func writingToAFullDeviceThrowsENOSPC() throws {
        let fd = open("/dev/full", O_WRONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        let bytes = [UInt8](repeating: 120, count: 100_000)
        var failure: FileSystem.Failure?
        bytes.withUnsafeBytes { buffer in
            do throws(FileSystem.Failure) { try FileSystem.writeAll(fd, buffer, path: "x.csv") } catch { failure = error }
        }
        #expect(failure?.description == "x.csv: cannot write: \(FileSystem.describe(ENOSPC))")
    }

    /// A streaming file collects small writes into blocks: rows, a chunk larger than a block and rows again arrive
    /// whole and in order, and nothing is visible under the final name before `commit`.
    @Test func streamingFileKeepsEveryWriteInOrder() throws {
        let folder = NSTemporaryDirectory() + "stormsim-stream-\(getpid())"
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let path = folder + "/rows.csv"
        let file = try StreamingFile(path: path)
        var expected: [UInt8] = []
        for i in 0..<5_000 {
            let row = "row \(i),\(i * i)\n"
            file.write(row)
            expected += Array(row.utf8)
        }
        let chunk = [UInt8]((0..<(StreamingFile.blockSize + 123)).map { UInt8(truncatingIfNeeded: $0 % 26 + 97) })
        file.write(bytes: chunk)
        expected += chunk
        for i in 0..<10 {
            file.write("tail \(i)\n")
            expected += Array("tail \(i)\n".utf8)
        }
        #expect(!FileManager.default.fileExists(atPath: path))
        try file.commit()
        let written = try #require(FileManager.default.contents(atPath: path))
        #expect(written.count == expected.count)
        #expect([UInt8](written) == expected)
    }
}
