import Foundation

/// Writes files so that a reader never sees half of one: the bytes go to a temporary file in the same folder,
/// which is then renamed over the target (rename is atomic within one file system). An interrupted run leaves the
/// previous file intact.
public enum AtomicFile {
    public struct WriteError: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write \(path): \(reason)" }

        init(path: String, reason: String) {
            self.path = path
            self.reason = reason
        }

        init(_ failure: FileSystem.Failure) { self.init(path: failure.path, reason: failure.reason) }
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        let folder = FileSystem.parent(path)
        let name = FileSystem.name(path)
        let temporary = (folder.isEmpty ? "" : folder + "/") + ".\(name).tmp-\(getpid())"
        do throws(FileSystem.Failure) {
            if !folder.isEmpty { try FileSystem.makeDirectories(folder) }
            try FileSystem.writeFile(temporary, text)
            try FileSystem.rename(temporary, to: path)
        } catch {
            unlink(temporary)
            throw WriteError(path: path, reason: error.reason)
        }
    }
}

/// A file written piece by piece and published atomically at the end: the text goes to a temporary file in the
/// target's folder, renamed over the target by `commit`, deleted by `discard`. Rows stream to disk instead of
/// piling up in memory. A failed write (a full disk) is remembered and reported by `commit`; later writes are
/// skipped.
public final class StreamingFile: @unchecked Sendable {
    public let path: String
    let temporary: String
    /// The path named in errors (the final place of a staged file).
    let reported: String
    private var fd: Int32
    private var failure: FileSystem.Failure?
    private let lock = NSLock()

    public init(path: String, reportedAs reported: String? = nil) throws(AtomicFile.WriteError) {
        self.path = path
        self.reported = reported ?? path
        let folder = FileSystem.parent(path)
        temporary = (folder.isEmpty ? "" : folder + "/") + ".\(FileSystem.name(path)).tmp-\(getpid())"
        do throws(FileSystem.Failure) {
            if !folder.isEmpty { try FileSystem.makeDirectories(folder) }
        } catch {
            throw AtomicFile.WriteError(error)
        }
        fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw AtomicFile.WriteError(path: path, reason: "cannot create a file in \(folder): \(FileSystem.describe(errno))")
        }
    }

    public func write(_ text: String) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0)) }
    }

    public func write(bytes: [UInt8]) {
        bytes.withUnsafeBytes { write($0) }
    }

    /// Small writes (a row of replications.csv per run) collect here and go to the file in blocks of
    /// `blockSize`: one system call per block, not per row.
    private var pending: [UInt8] = []
    static let blockSize = 1 << 16

    func write(_ buffer: UnsafeRawBufferPointer) {
        lock.lock()
        defer { lock.unlock() }
        guard failure == nil, fd >= 0 else { return }
        if pending.count + buffer.count > Self.blockSize { flushPending() }
        if buffer.count >= Self.blockSize {
            writeNow(buffer)  // a large chunk goes straight to the file
        } else {
            if pending.isEmpty { pending.reserveCapacity(Self.blockSize) }
            pending.append(contentsOf: buffer)
        }
    }

    private func writeNow(_ buffer: UnsafeRawBufferPointer) {
        guard failure == nil else { return }
        do throws(FileSystem.Failure) {
            try FileSystem.writeAll(fd, buffer, path: reported)
        } catch {
            failure = error
        }
    }

    /// Writes what `pending` holds (the lock held).
    private func flushPending() {
        guard !pending.isEmpty else { return }
        pending.withUnsafeBytes { writeNow($0) }
        pending.removeAll(keepingCapacity: true)
    }

    public func commit() throws(AtomicFile.WriteError) {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 { flushPending() }
        if fd >= 0 && close(fd) != 0 && failure == nil {
            failure = FileSystem.Failure(path: reported, reason: "cannot write: \(FileSystem.describe(errno))")
        }
        fd = -1
        if let failure {
            unlink(temporary)
            throw AtomicFile.WriteError(failure)
        }
        do throws(FileSystem.Failure) { try FileSystem.rename(temporary, to: path) } catch {
            unlink(temporary)
            throw AtomicFile.WriteError(error)
        }
    }

    public func discard() {
        lock.lock()
        defer { lock.unlock() }
        if fd >= 0 { close(fd) }
        fd = -1
        unlink(temporary)
    }
}
