import Foundation

/// A results folder that is only ever changed as a whole set, only by one stormsim at a time, and only in the files
/// stormsim wrote there.
///
/// - Opening it (before any simulation) checks what can be checked: the path is not empty, the folder can be
///   created and written, `timeseries/` is a real folder (never a symbolic link), every file name fits the
///   system's limits, and no file of the new set would replace a file that stormsim did not write. It takes a
///   lock (`flock` on `.stormsim.lock`), so two runs into one folder cannot interleave.
/// - The new files are written into a staging folder inside it (`.stormsim-staging-<pid>`, same file system).
/// - `commit` removes the old `manifest.json`, moves each new file into place (atomic renames), deletes the files
///   the previous manifest listed that the new set does not have, and writes the new `manifest.json` last. A
///   folder with a manifest holds exactly one complete results set; a run that fails or is stopped before the
///   commit leaves the previous set untouched.
/// - Files stormsim owns are those the manifest lists. A folder written before manifests existed is recognised
///   by its `run.json` (or `shard.json`) and the files those name.
public final class ResultFolder: @unchecked Sendable {
    public static let manifestName = "manifest.json"
    static let lockName = ".stormsim.lock"
    static let stagingPrefix = ".stormsim-staging-"

    public let path: String
    let staging: String
    private var lockDescriptor: Int32 = -1
    private var staged: [String] = []
    /// The files of the set in their canonical order (the manifest's order, whatever order they were written in).
    private let expected: [String]
    private let owned: [String]
    /// The folder did not exist before: a run that commits nothing removes it again (when still empty).
    private let created: Bool
    private let lock = NSLock()

    /// Opens `path` for a new results set of `files` (paths relative to the folder).
    public init(path: String, files: [String]) throws(AtomicFile.WriteError) {
        guard !path.isEmpty else {
            throw AtomicFile.WriteError(path: "\"\"", reason: "the output folder is empty (an unset variable in a script?); name a folder")
        }
        self.path = path
        expected = files
        staging = "\(path)/\(Self.stagingPrefix)\(getpid())"
        for file in files {
            if let problem = Self.nameProblem(file, folder: path, staging: staging) {
                throw AtomicFile.WriteError(path: "\(path)/\(file)", reason: problem)
            }
        }
        created = FileSystem.kind(path) == .missing
        do throws(FileSystem.Failure) {
            try FileSystem.makeDirectories(path)
        } catch {
            throw AtomicFile.WriteError(error)
        }
        switch FileSystem.kind("\(path)/timeseries") {
        case .missing, .directory: break
        case .symlink:
            throw AtomicFile.WriteError(path: "\(path)/timeseries", reason: "is a symbolic link; stormsim writes its time series into a folder of its own and does not follow links there; remove the link or choose another output folder")
        default:
            throw AtomicFile.WriteError(path: "\(path)/timeseries", reason: "exists and is not a folder; remove it or choose another output folder")
        }
        // The lock file is removed when a run ends, so a lock taken on a file that was just removed is no lock:
        // after locking, check that the path still names the locked file, and try again if not.
        var locked = false
        for _ in 0..<3 where !locked {
            lockDescriptor = open("\(path)/\(Self.lockName)", O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
            guard lockDescriptor >= 0 else {
                throw AtomicFile.WriteError(path: path, reason: "cannot write into the folder: \(FileSystem.describe(errno))")
            }
            if flock(lockDescriptor, LOCK_EX | LOCK_NB) != 0 {
                close(lockDescriptor)
                lockDescriptor = -1
                throw AtomicFile.WriteError(path: path, reason: "another stormsim is writing results into this folder; wait for it to finish or choose another output folder")
            }
            var held = stat(), named = stat()
            locked = fstat(lockDescriptor, &held) == 0 && lstat("\(path)/\(Self.lockName)", &named) == 0
                && held.st_ino == named.st_ino && held.st_dev == named.st_dev
            if !locked {
                close(lockDescriptor)
                lockDescriptor = -1
            }
        }
        guard locked else {
            throw AtomicFile.WriteError(path: path, reason: "another stormsim is writing results into this folder; wait for it to finish or choose another output folder")
        }
        owned = Self.ownedFiles(in: path)
        for file in files where [.directory, .other].contains(FileSystem.kind("\(path)/\(file)")) {
            abandon()
            throw AtomicFile.WriteError(path: "\(path)/\(file)", reason: "exists and is not a file; remove it or choose another output folder")
        }
        for file in files where !owned.contains(file) && FileSystem.kind("\(path)/\(file)") != .missing {
            abandon()
            throw AtomicFile.WriteError(path: "\(path)/\(file)", reason: "exists and was not written by stormsim (no \(Self.manifestName) there lists it); stormsim replaces only its own files: choose an empty or new output folder, or remove the file")
        }
        // Staging folders left by a run that was killed: nobody holds the lock, so they are stale.
        for name in (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? [] where name.hasPrefix(Self.stagingPrefix) {
            FileSystem.removeTree("\(path)/\(name)")
        }
        do throws(FileSystem.Failure) {
            try FileSystem.makeDirectories(staging)
        } catch {
            abandon()
            throw AtomicFile.WriteError(error)
        }
    }

    deinit { release() }

    /// Why `file` cannot be written under `folder` (file name or path too long, or not a plain relative path).
    static func nameProblem(_ file: String, folder: String, staging: String) -> String? {
        let parts = file.split(separator: "/", omittingEmptySubsequences: false)
        if file.hasPrefix("/") || parts.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." }) {
            return "is not a plain relative file name"
        }
        if let long = parts.first(where: { $0.utf8.count > 255 }) {
            return "the file name \(long.prefix(40))... is \(long.utf8.count) bytes; file names are limited to 255 bytes (ENAMETOOLONG); shorten the variant labels"
        }
        let full = "\(staging)/\(file)".utf8.count
        if full >= 4096 {
            return "the path is \(full) bytes; paths are limited to 4095 bytes (ENAMETOOLONG); choose a shorter output folder"
        }
        return nil
    }

    /// Files of the previous set: those its manifest lists, or, for a folder written before manifests, those its
    /// run.json or shard.json implies.
    static func ownedFiles(in path: String) -> [String] {
        func safe(_ file: String) -> Bool { nameProblem(file, folder: path, staging: path) == nil }
        if let data = FileManager.default.contents(atPath: "\(path)/\(manifestName)") {
            guard let json = try? JSONParser.parse(String(decoding: data, as: UTF8.self)),
                json["format"] == .string("stormsim-results-1"), case .array(let items)? = json["files"]
            else { return [] }
            return items.compactMap { if case .string(let s) = $0, safe(s) { return s } else { return nil } }
        }
        if let data = FileManager.default.contents(atPath: "\(path)/run.json"),
            let json = try? JSONParser.parse(String(decoding: data, as: UTF8.self)), case .array(let variants)? = json["variants"]
        {
            let series = variants.compactMap { v -> String? in
                if case .string(let name)? = v["name"], !name.contains("/") { return "timeseries/\(name).csv" } else { return nil }
            }
            return (["run.json", "summary.csv", "summary.json", "trace.csv", "replications.csv", "instances.csv"] + series).filter(safe)
        }
        if let data = FileManager.default.contents(atPath: "\(path)/shard.json"),
            let json = try? JSONParser.parse(String(decoding: data, as: UTF8.self)), json["format"] == .string("stormsim-shard-1")
        {
            return ["shard.json", "jobs.jsonl"]
        }
        return []
    }

    /// A file streamed into the staging folder; commit it (into the staging folder) before `commit()`.
    public func stream(_ file: String) throws(AtomicFile.WriteError) -> StreamingFile {
        let stream = try StreamingFile(path: "\(staging)/\(file)", reportedAs: "\(path)/\(file)")
        add(file)
        return stream
    }

    /// Writes one file of the set into the staging folder.
    public func write(_ text: String, to file: String) throws(AtomicFile.WriteError) {
        do { try AtomicFile.write(text, to: "\(staging)/\(file)") } catch {
            throw AtomicFile.WriteError(path: "\(path)/\(file)", reason: error.reason)
        }
        add(file)
    }

    private func add(_ file: String) {
        lock.lock()
        if !staged.contains(file) { staged.append(file) }
        lock.unlock()
    }

    /// Swaps the staged set in (see the type's documentation) and releases the folder.
    public func commit() throws(AtomicFile.WriteError) {
        defer { release() }
        do throws(FileSystem.Failure) {
            if unlink("\(path)/\(Self.manifestName)") != 0 && errno != ENOENT {
                throw FileSystem.Failure(path: "\(path)/\(Self.manifestName)", reason: "cannot remove the old manifest: \(FileSystem.describe(errno))")
            }
            for file in staged {
                let target = "\(path)/\(file)"
                let folder = FileSystem.parent(target)
                if FileSystem.kind(folder) == .symlink {
                    throw FileSystem.Failure(path: folder, reason: "is a symbolic link; stormsim does not write through links")
                }
                try FileSystem.makeDirectories(folder)
                try FileSystem.rename("\(staging)/\(file)", to: target)
            }
            for file in owned where !staged.contains(file) {
                let target = "\(path)/\(file)"
                // Only regular files directly in stormsim's own folders; a link is removed, never followed.
                let folder = FileSystem.parent(target)
                guard FileSystem.kind(folder) == .directory else { continue }
                switch FileSystem.kind(target) {
                case .file, .symlink: unlink(target)
                default: break
                }
            }
            let manifest = JSONValue.object([
                JSONMember(key: "format", value: .string("stormsim-results-1")),
                JSONMember(key: "files", value: .array(canonicalOrder.map { .string($0) })),
            ])
            try FileSystem.writeFile("\(staging)/\(Self.manifestName)", manifest.compactText + "\n")
            try FileSystem.rename("\(staging)/\(Self.manifestName)", to: "\(path)/\(Self.manifestName)")
        } catch {
            FileSystem.removeTree(staging)
            throw AtomicFile.WriteError(error)
        }
        FileSystem.removeTree(staging)
    }

    /// The staged files: those announced at `init` in their order, then any others in the order written.
    var canonicalOrder: [String] {
        expected.filter { staged.contains($0) } + staged.filter { !expected.contains($0) }
    }

    /// Drops the staged files; the previous set stays as it was.
    public func discard() {
        FileSystem.removeTree(staging)
        release()
        if created { rmdir(path) }  // only if empty: nothing of anyone's is ever removed
    }

    /// Releases the lock and, for a refusal in `init`, removes the folder it created (if still empty).
    private func abandon() {
        release()
        if created { rmdir(path) }
    }

    private func release() {
        lock.lock()
        defer { lock.unlock() }
        guard lockDescriptor >= 0 else { return }
        unlink("\(path)/\(Self.lockName)")
        flock(lockDescriptor, LOCK_UN)
        close(lockDescriptor)
        lockDescriptor = -1
    }
}
