import Foundation

/// The few file operations the outputs need, on POSIX calls, so that every failure says what the system said
/// (`No space left on device (ENOSPC)`) and never a Foundation error domain and code.
public enum FileSystem {
    struct Failure: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String { "\(path): \(reason)" }
    }

    /// The system's text for an errno value, with its symbolic name: "No space left on device (ENOSPC)".
    static func describe(_ code: Int32) -> String {
        let names: [Int32: String] = [
            ENOSPC: "ENOSPC", EROFS: "EROFS", ENAMETOOLONG: "ENAMETOOLONG", EACCES: "EACCES", EPERM: "EPERM",
            ENOENT: "ENOENT", ENOTDIR: "ENOTDIR", EISDIR: "EISDIR", EEXIST: "EEXIST", EDQUOT: "EDQUOT", EIO: "EIO",
            EMFILE: "EMFILE", ENFILE: "ENFILE", ELOOP: "ELOOP", EXDEV: "EXDEV", EBUSY: "EBUSY", EFBIG: "EFBIG",
            ENOTEMPTY: "ENOTEMPTY", EPIPE: "EPIPE", EWOULDBLOCK: "EWOULDBLOCK",
        ]
        let text = String(cString: strerror(code))
        return names[code].map { "\(text) (\($0))" } ?? "\(text) (errno \(code))"
    }

    /// The folder part of a path ("" for a bare name, "/" for a name at the root). Plain string work: Foundation's
    /// `deletingLastPathComponent` traps on some one-character paths.
    static func parent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        if slash == p.startIndex { return "/" }
        return String(p[..<slash])
    }

    /// The last component of a path.
    static func name(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1 && p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return String(p) }
        return String(p[p.index(after: slash)...])
    }

    enum Kind { case missing, directory, file, symlink, other }

    /// What is at `path`, without following a symbolic link.
    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .missing }
        switch info.st_mode & S_IFMT {
        case S_IFDIR: return .directory
        case S_IFREG: return .file
        case S_IFLNK: return .symlink
        default: return .other
        }
    }

    /// Creates `path` and its missing parents (`mkdir -p`). A symbolic link to a folder counts as a folder only for
    /// parents the user named; the caller checks the folders stormsim owns.
    static func makeDirectories(_ path: String) throws(Failure) {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
            if isDir.boolValue { return }
            throw Failure(path: path, reason: "exists and is not a folder")
        }
        let parent = parent(path)
        if !parent.isEmpty && parent != path { try makeDirectories(parent) }
        if mkdir(path, 0o777) != 0 && errno != EEXIST {
            throw Failure(path: path, reason: "cannot create the folder: \(describe(errno))")
        }
    }

    /// Writes all of `bytes` to the open descriptor; throws with the system's reason.
    static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(Failure) {
        var offset = 0
        while offset < bytes.count {
            let n = write(fd, bytes.baseAddress! + offset, bytes.count - offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw Failure(path: path, reason: "cannot write: \(describe(errno))")
            }
            offset += n
        }
    }

    /// Creates (or truncates) `path` and writes `text` into it.
    static func writeFile(_ path: String, _ text: String) throws(Failure) {
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw Failure(path: path, reason: "cannot create the file: \(describe(errno))") }
        var failure: Failure?
        var utf8 = text
        utf8.withUTF8 { buffer in
            do throws(Failure) { try writeAll(fd, UnsafeRawBufferPointer(buffer), path: path) } catch { failure = error }
        }
        if close(fd) != 0 && failure == nil { failure = Failure(path: path, reason: "cannot write: \(describe(errno))") }
        if let failure {
            unlink(path)
            throw failure
        }
    }

    static func rename(_ from: String, to: String) throws(Failure) {
        if Foundation.rename(from, to) != 0 {
            throw Failure(path: to, reason: "cannot move the new file into place: \(describe(errno))")
        }
    }

    /// Removes a folder and everything in it (never following symbolic links out of it).
    static func removeTree(_ path: String) {
        try? FileManager.default.removeItem(atPath: path)
    }

    /// Writes to standard error with write(2), ignoring failure: a closed or full stderr (`2>/dev/full`) must not
    /// turn an error into a crash, as FileHandle's write would.
    public static func writeStandardError(_ text: String) {
        var text = text
        text.withUTF8 { buffer in
            var offset = 0
            while offset < buffer.count {
                let n = write(2, buffer.baseAddress! + offset, buffer.count - offset)
                if n < 0 && errno == EINTR { continue }
                if n <= 0 { return }
                offset += n
            }
        }
    }
}
