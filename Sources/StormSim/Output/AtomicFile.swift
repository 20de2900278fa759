import Foundation

/// Writes files so that a reader never sees half of one: the bytes go to a temporary file in the same folder,
/// which is then renamed over the target (rename is atomic within one file system). An interrupted run leaves the
/// previous file intact.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw WriteError(path: path, reason: "cannot create the folder \(folder.path) (\(error.localizedDescription))")
        }
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)")
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(text.utf8)) else {
            throw WriteError(path: path, reason: "cannot create a file in \(folder.path)")
        }
        if rename(temporary.path, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary.path)
            throw WriteError(path: path, reason: reason)
        }
    }
}

/// A file written piece by piece and published atomically at the end: the text goes to a temporary file in the
/// target's folder, renamed over the target by `commit`, deleted by `discard`. Rows stream to disk instead of
/// piling up in memory.
public final class StreamingFile: @unchecked Sendable {
    public let path: String
    let temporary: String
    let handle: FileHandle
    private let lock = NSLock()

    public init(path: String) throws(AtomicFile.WriteError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw AtomicFile.WriteError(path: path, reason: "cannot create the folder \(folder.path) (\(error.localizedDescription))")
        }
        temporary = folder.appendingPathComponent(".\(url.lastPathComponent).tmp-\(ProcessInfo.processInfo.processIdentifier)").path
        guard FileManager.default.createFile(atPath: temporary, contents: nil), let h = FileHandle(forWritingAtPath: temporary) else {
            throw AtomicFile.WriteError(path: path, reason: "cannot create a file in \(folder.path)")
        }
        handle = h
    }

    public func write(_ text: String) {
        lock.lock()
        handle.write(Data(text.utf8))
        lock.unlock()
    }

    public func commit() throws(AtomicFile.WriteError) {
        try? handle.close()
        if rename(temporary, path) != 0 {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw AtomicFile.WriteError(path: path, reason: reason)
        }
    }

    public func discard() {
        try? handle.close()
        unlink(temporary)
    }
}
