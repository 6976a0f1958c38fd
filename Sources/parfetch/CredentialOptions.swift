import ArgumentParser
import ParFetch

#if canImport(Glibc)
import Glibc
#endif

/// Cookies and credentials, as curl takes them. No value of these is ever written back: not in
/// records, messages, the summary or --stats-json.
struct CredentialOptions: ParsableArguments {
    @Option(name: [.customShort("b"), .long], help: ArgumentHelp(
        "Cookies to send: a file (Netscape format or Set-Cookie lines, as curl; a missing file is none), or NAME=VALUE[; …] for every request. Repeatable. With a file, or -c, the run's cookies are shared by all its transfers.",
        valueName: "file|cookies"))
    var cookie: [String] = []

    @Option(name: [.customShort("c"), .long], help: ArgumentHelp(
        "Write every cookie of the run to this file at the end (Netscape format, as curl).", valueName: "file"))
    var cookieJar: String?

    @Option(name: [.customShort("u"), .long], help: ArgumentHelp(
        "Credentials for the URLs' hosts (Basic authentication, unless --digest or --anyauth); never echoed.",
        valueName: "user:password"))
    var user: String?

    @Flag(help: "With -u: Digest authentication (the server's 401 challenge answered), as curl's --digest.")
    var digest = false

    @Flag(help: "With -u: use whichever authentication scheme the server asks for (a first request without credentials finds out).")
    var anyauth = false

    @Flag(help: "Take credentials from ~/.netrc (the URLs' own are ignored), as curl's --netrc.")
    var netrc = false

    @Option(help: ArgumentHelp("As --netrc, from this file.", valueName: "file"))
    var netrcFile: String?

    /// The -b values that name files; the others are cookies.
    private var cookieFiles: [String] { cookie.filter { !$0.contains("=") && !$0.isEmpty } }
    private var cookieStrings: [String] { cookie.filter { $0.contains("=") } }

    func validate() throws {
        if let user, !user.contains(":") {
            // The value is not echoed: it may be a password typed in the wrong place.
            throw ValidationError("-u must be USER:PASSWORD (parfetch does not ask for a password)")
        }
        if anyauth && user == nil {
            throw ValidationError("--anyauth chooses how -u's credentials are sent: give -u USER:PASSWORD")
        }
        if digest && user == nil {
            throw ValidationError("--digest chooses how -u's credentials are sent: give -u USER:PASSWORD")
        }
        if digest && anyauth {
            throw ValidationError("give --digest or --anyauth, not both")
        }
        if netrc && netrcFile != nil {
            throw ValidationError("give --netrc or --netrc-file, not both")
        }
        if let netrcFile, access(netrcFile, R_OK) != 0 {
            throw ValidationError("--netrc-file \(netrcFile): cannot read it: \(String(cString: strerror(errno)))")
        }
        for file in cookieFiles {
            var info = stat()
            if stat(file, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                throw ValidationError("-b \(file) is a directory, not a cookie file")
            }
        }
        if let cookieJar {
            var info = stat()
            if stat(cookieJar, &info) == 0 && (info.st_mode & S_IFMT) == S_IFDIR {
                throw ValidationError("-c \(cookieJar) is a directory, not a file")
            }
        }
    }

    /// Checks that the jar can be written now, rather than find out after the run.
    func checkJarWritable() throws {
        guard let cookieJar else { return }
        let fd = open(cookieJar, O_WRONLY | O_CREAT, 0o644)
        guard fd >= 0 else {
            throw ValidationError("-c \(cookieJar): cannot write it: \(String(cString: strerror(errno)))")
        }
        close(fd)
    }

    func apply(to configuration: inout FetchConfiguration) {
        if !cookieFiles.isEmpty || cookieJar != nil {
            configuration.cookies = CookieSettings(files: cookieFiles, jar: cookieJar)
        }
        if !cookieStrings.isEmpty {
            configuration.cookieHeader = cookieStrings.joined(separator: "; ")
        }
        if let user, let colon = user.firstIndex(of: ":") {
            configuration.credentials = Credentials(user: String(user[..<colon]), password: String(user[user.index(after: colon)...]),
                                                    scheme: anyauth ? .any : digest ? .digest : .basic)
        }
        if netrc { configuration.netrc = .home }
        if let netrcFile { configuration.netrc = .file(netrcFile) }
    }
}
