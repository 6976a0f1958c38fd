import Synchronization

#if canImport(Glibc)
import Glibc
#endif

/// Saves response bodies under one directory (`--save-dir DIR`) as `DIR/HOST/NAME.EXT`:
/// HOST is the URL's host as libcurl parsed it, lower-cased, with `:port` when the port is not
/// the scheme's default; NAME the first 16 hex digits of the SHA-256 of the URL text; EXT
/// chosen from a fixed table of media types (`bin` otherwise).
///
/// Nothing a server sends takes part in the path, and the path is made safe at the system
/// call level as well: DIR is opened once and every later call is relative to that
/// descriptor; a host name must be a single path component (`HostDirectoryName`); the host
/// directory is opened with `O_NOFOLLOW` (a symbolic link planted there is refused, not
/// followed); the body goes to a new temporary file (`O_CREAT | O_EXCL | O_NOFOLLOW`) in the
/// host directory and is renamed over the final name, so a reader never sees half a file and a
/// later run replaces it. A temporary file is removed on any failure. Files are not fsynced.
///
/// Sendable: its state is a descriptor that does not change and an atomic counter; the
/// system calls it makes are safe from several threads at once.
public final class BodyStore: Sendable {
    /// The directory as given.
    public let path: String
    private let directory: Int32
    private let processID = getpid()
    /// Makes each temporary name unique within the process.
    private let counter = Atomic<Int>(0)

    /// Opens `path` as the store's directory, creating it (and missing parents) if needed,
    /// and checks that a file can be created in it. A symbolic link given as `path` itself is
    /// followed: that one is the user's choice.
    public init(directory path: String) throws(BodyStoreError) {
        self.path = path
        try Self.makeDirectories(path)
        do {
            directory = try System.open(path, O_RDONLY | O_DIRECTORY)
        } catch {
            throw .cannotOpen(path, errno: Self.code(of: error))
        }
        let probe = ".parfetch-probe-\(processID)"
        do {
            try System.closeChecked(try System.openAt(directory, probe, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600))
            System.unlinkAt(directory, probe)
        } catch {
            System.close(directory)
            throw .notWritable(path, errno: Self.code(of: error))
        }
    }

    deinit {
        System.close(directory)
    }

    /// The file name a body of `url` gets: 16 hex digits of SHA-256 over the URL's UTF-8
    /// bytes, then the extension for `contentType`, e.g. `3f2a9c0d1e4b5a67.html`.
    public static func fileName(url: String, contentType: String?) -> String {
        String(SHA256.hexDigest(url.utf8).prefix(16)) + "." + SavedFileExtension.forContentType(contentType)
    }

    /// The host directory name for `url`: its host as libcurl parses it, lower-cased, with
    /// `:port` only for a port other than the scheme's default (`example.com:8080`); empty
    /// when libcurl can't parse `url` (which `save` refuses).
    public static func hostDirectory(forURL url: String) -> String {
        URLCheck().hostWithNonDefaultPort(of: url) ?? ""
    }

    /// Writes `body` to `HOST/NAME.EXT` inside the store, atomically, and returns that path
    /// relative to the store's directory. `url` names the file (see `fileName`), `host` is
    /// the directory (see `hostDirectory(forURL:)`); a host that is not a safe single path
    /// component is refused before anything is written.
    public func save(_ body: [UInt8], url: String, host: String, contentType: String?) throws(BodyStoreError) -> String {
        LoopThreads.checkNotOnLoop()
        guard HostDirectoryName.isValid(host) else { throw .invalidHost(host) }
        let name = Self.fileName(url: url, contentType: contentType)
        let hostDirectory = try openHostDirectory(host)
        defer { System.close(hostDirectory) }
        let temporary = ".\(name).tmp-\(processID)-\(counter.add(1, ordering: .relaxed).newValue)"
        do {
            let file = try System.openAt(hostDirectory, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW)
            do {
                try body.withUnsafeBytes { try System.writeAll(file, $0) }
            } catch {
                System.close(file)
                throw error
            }
            try System.closeChecked(file)
        } catch {
            System.unlinkAt(hostDirectory, temporary)
            throw .write(host, errno: Self.code(of: error))
        }
        do {
            try System.renameAt(hostDirectory, temporary, name)
        } catch {
            System.unlinkAt(hostDirectory, temporary)
            throw .rename(host, errno: Self.code(of: error))
        }
        return host + "/" + name
    }

    /// Opens the host's directory inside the store, creating it when missing. `O_NOFOLLOW`
    /// refuses a symbolic link in its place, so a write can't be led elsewhere.
    private func openHostDirectory(_ host: String) throws(BodyStoreError) -> Int32 {
        let flags = O_RDONLY | O_DIRECTORY | O_NOFOLLOW
        do {
            return try System.openAt(directory, host, flags)
        } catch let error as SystemError where error.errno == ENOENT {
            // Created now; another thread may create it first.
        } catch {
            throw .hostDirectory(host, errno: Self.code(of: error))
        }
        do {
            do {
                try System.makeDirectoryAt(directory, host)
            } catch let error as SystemError where error.errno == EEXIST {}
            return try System.openAt(directory, host, flags)
        } catch {
            throw .hostDirectory(host, errno: Self.code(of: error))
        }
    }

    /// `mkdir -p`: creates `path` and the parents it lacks.
    private static func makeDirectories(_ path: String) throws(BodyStoreError) {
        if mkdir(path, 0o755) == 0 || errno == EEXIST { return }
        let failure = errno
        var parent = path
        while parent.hasSuffix("/") { parent.removeLast() }
        guard failure == ENOENT, let slash = parent.lastIndex(of: "/") else {
            throw .cannotCreate(path, errno: failure)
        }
        parent = String(parent[..<slash])
        if !parent.isEmpty {
            try makeDirectories(parent)
        }
        guard mkdir(path, 0o755) == 0 || errno == EEXIST else { throw .cannotCreate(path, errno: errno) }
    }

    private static func code(of error: any Error) -> Int32 {
        (error as? SystemError)?.errno ?? EIO
    }
}

extension BodyStore {
    /// Saves the body of a 2xx response for `record`, named after the record's `url` (the
    /// list line as given): sets `record.saved`, or, when the write fails, an `other` error
    /// whose message starts with `save failed:` (status and `ok` stay as the server answered).
    func save(_ response: Response, into record: inout Record) {
        guard response.ok else { return }
        do {
            record.saved = try save(response.body, url: record.url, host: Self.hostDirectory(forURL: response.url),
                                    contentType: response.contentType)
        } catch {
            record.error = FetchError(.other, "save failed: \(error)")
        }
    }
}
