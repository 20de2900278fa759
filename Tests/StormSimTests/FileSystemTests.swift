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
}
