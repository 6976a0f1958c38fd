import FixtureServer
import Foundation
import Testing

/// Cookies, credentials and connection controls, as curl takes them.
@Suite("cookies, credentials and connections", .timeLimit(.minutes(1)))
struct SessionTests {
    typealias Echo = RequestTests.Echo

    @Test func aCookieSetByARedirectReachesItsTargetAndNoOtherLine() async throws {
        let server = try await Fixture.server()
        let list = try TemporaryFile("\(server.baseURL)/set-cookie?chain=1&to=/echo\n\(server.baseURL)/echo\n")
        // One transfer at a time, so the second line runs on the handle the first used.
        let (records, echoes, _) = try RequestTests.echoes(["-j", "1", "--ordered", list.path])
        #expect(records[1]?["redirects"] as? Int == 1)
        #expect(echoes[1]?.headers["cookie"] == "chain=1")
        #expect(echoes[2]?.headers["cookie"] == nil)
    }

    @Test func cookieStringsAreSentWithEveryRequest() async throws {
        let server = try await Fixture.server()
        let (_, echoes, _) = try RequestTests.echoes(["-b", "a=1; b=2", "-b", "c=3", "\(server.baseURL)/echo"])
        #expect(echoes[1]?.headers["cookie"] == "a=1; b=2; c=3")
    }

    @Test func theJarIsSharedAndCurlReadsAndWritesIt() async throws {
        let server = try await Fixture.server()
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-jar-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let jar = directory.appendingPathComponent("jar.txt").path
        let curl = URL(fileURLWithPath: "/usr/bin/curl")

        // Written by parfetch: a cookie one line set, shared with a later line, then read by curl.
        let list = try TemporaryFile("\(server.baseURL)/set-cookie?shared=yes\n\(server.baseURL)/delay/300\n")
        let first = try Parfetch.run(["-q", "-c", jar, list.path])
        #expect(first.status == 0)
        let text = try String(contentsOfFile: jar, encoding: .utf8)
        #expect(text.hasPrefix("# Netscape HTTP Cookie File"))
        #expect(text.contains("\tshared\tyes"))
        let byCurl = try Parfetch.run(executable: curl, ["-s", "-b", jar, "\(server.baseURL)/echo"], limit: .seconds(10))
        let curlEcho = try JSONDecoder().decode(Echo.self, from: Data(byCurl.stdout.utf8))
        #expect(curlEcho.headers["cookie"] == "shared=yes")

        // Written by curl, read by parfetch.
        let curlJar = directory.appendingPathComponent("curl-jar.txt").path
        _ = try Parfetch.run(executable: curl, ["-s", "-c", curlJar, "\(server.baseURL)/set-cookie?from=curl"], limit: .seconds(10))
        let (_, echoes, _) = try RequestTests.echoes(["-b", curlJar, "\(server.baseURL)/echo"])
        #expect(echoes[1]?.headers["cookie"] == "from=curl")

        // With a jar, a cookie set by one line is sent by the lines after it.
        let shared = try TemporaryFile("\(server.baseURL)/set-cookie?run=wide\n\(server.baseURL)/echo\n")
        let (_, sharedEchoes, _) = try RequestTests.echoes(["-j", "1", "-b", jar, shared.path])
        #expect(sharedEchoes[2]?.headers["cookie"]?.contains("run=wide") == true)
        #expect(sharedEchoes[2]?.headers["cookie"]?.contains("shared=yes") == true)
    }

    static let password = "pw-Zq81x-never-shown"
    /// The password as the fixture's URL names it: every byte percent-encoded, so that the
    /// plain password reaches parfetch through -u (or .netrc) only.
    static let encodedPassword = password.utf8.map { "%" + String($0, radix: 16, uppercase: true) }.joined()

    @Test func credentialsAreSentAndNeverShown() async throws {
        let server = try await Fixture.server()
        let url = "\(server.baseURL)/basic-auth/bob/\(Self.encodedPassword)"
        let list = try TemporaryFile("\(url)\nhttp://127.0.0.1:1/\n")
        let stats = try TemporaryFile("")
        let output = try TemporaryFile("")
        let without = try Records(try Parfetch.run(["-q", url]).stdout)
        #expect(without[1]?["status"] as? Int == 401)

        let result = try Parfetch.run(["-u", "bob:\(Self.password)", "--retries", "0", "--progress", "always",
                                       "--stats-json", stats.path, "-o", output.path, list.path])
        let records = try Records(try String(contentsOfFile: output.path, encoding: .utf8))
        #expect(records[1]?["status"] as? Int == 200)
        #expect(records.kind(2) == "connect")
        for text in [result.stdout, result.stderr, try String(contentsOfFile: output.path, encoding: .utf8),
                     try String(contentsOfFile: stats.path, encoding: .utf8)] {
            #expect(!text.contains(Self.password))
        }
        // A -u without a password is refused without echoing what was given.
        let refused = try Parfetch.run(["-u", Self.password, url])
        #expect(refused.status == 2)
        #expect(!refused.stderr.contains(Self.password))
    }

    @Test func anyauthAsksTheServerFirst() async throws {
        let server = try await Fixture.server()
        let tag = UUID().uuidString.prefix(8)
        let url = "\(server.baseURL)/basic-auth/any-\(tag)/pw"
        let basic = try Records(try Parfetch.run(["-q", "-u", "any-\(tag):pw", url]).stdout)
        #expect(basic[1]?["status"] as? Int == 200)
        #expect(server.requestLog().filter { $0.uri.hasPrefix("/basic-auth/any-\(tag)/") }.count == 1)
        let any = try Records(try Parfetch.run(["-q", "--anyauth", "-u", "any-\(tag):pw", url]).stdout)
        #expect(any[1]?["status"] as? Int == 200)
        // One request without credentials to learn the scheme, then one with them.
        #expect(server.requestLog().filter { $0.uri.hasPrefix("/basic-auth/any-\(tag)/") }.count == 3)
    }

    @Test func digestAnswersTheChallenge() async throws {
        let server = try await Fixture.server()
        let url = "\(server.baseURL)/digest-auth/dora/\(Self.encodedPassword)"
        let basic = try Records(try Parfetch.run(["-q", "-u", "dora:\(Self.password)", url]).stdout)
        #expect(basic[1]?["status"] as? Int == 401)
        let digest = try Parfetch.run(["-q", "--digest", "-u", "dora:\(Self.password)", url])
        #expect(try Records(digest.stdout)[1]?["status"] as? Int == 200)
        #expect(!digest.stdout.contains(Self.password))
        let wrong = try Records(try Parfetch.run(["-q", "--digest", "-u", "dora:wrong", url]).stdout)
        #expect(wrong[1]?["status"] as? Int == 401)
        // --anyauth finds Digest by itself.
        let any = try Records(try Parfetch.run(["-q", "--anyauth", "-u", "dora:\(Self.password)", url]).stdout)
        #expect(any[1]?["status"] as? Int == 200)
    }

    @Test func netrcSuppliesCredentials() async throws {
        let server = try await Fixture.server()
        let url = "\(server.baseURL)/basic-auth/carol/\(Self.encodedPassword)"
        let netrc = try TemporaryFile("machine 127.0.0.1 login carol password \(Self.password)\n")
        let fromFile = try Parfetch.run(["-q", "--netrc-file", netrc.path, url])
        #expect(try Records(fromFile.stdout)[1]?["status"] as? Int == 200)
        #expect(!fromFile.stdout.contains(Self.password))
        // --netrc reads ~/.netrc.
        let home = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-home-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: home, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: home) }
        try FileManager.default.copyItem(atPath: netrc.path, toPath: home.appendingPathComponent(".netrc").path)
        let fromHome = try Parfetch.shell(#"HOME="$1" "$0" -q --netrc "$2""#, [home.path, url])
        #expect(try Records(fromHome.stdout)[1]?["status"] as? Int == 200)
        let withoutNetrc = try Parfetch.shell(#"HOME="$1" "$0" -q "$2""#, [home.path, url])
        #expect(try Records(withoutNetrc.stdout)[1]?["status"] as? Int == 401)
    }

    @Test func resolveAndConnectToChooseWhereToConnect() async throws {
        // A server on another loopback address, which only --resolve and --connect-to lead to.
        let other = try await FixtureServer.start(host: "127.0.0.2", pagesDirectory: FixtureServer.defaultPagesDirectory)
        defer { Task { try? await other.shutdown() } }
        let named = "http://service.localhost:\(other.port)/status/204"
        let direct = try Records(try Parfetch.run(["-q", "--retries", "0", named]).stdout)
        #expect(direct.kind(1) == "connect")
        let resolved = try Records(try Parfetch.run(["-q", "--resolve", "service.localhost:\(other.port):127.0.0.2", named]).stdout)
        #expect(resolved[1]?["status"] as? Int == 204)

        let elsewhere = "http://elsewhere.localhost:1/echo"
        let (_, echoes, _) = try RequestTests.echoes(["--connect-to", "elsewhere.localhost:1:127.0.0.2:\(other.port)", elsewhere])
        // Connected to the other server, still asking for the URL's host.
        #expect(echoes[1]?.headers["host"] == "elsewhere.localhost:1")
    }

    @Test func httpVersionFlagsReachTheServer() async throws {
        let server = try await Fixture.server()
        let url = "\(server.baseURL)/echo"
        let (plain, plainEchoes, _) = try RequestTests.echoes(["--http1.1", url])
        #expect(plain[1]?["http_version"] as? String == "1.1")
        #expect(plainEchoes[1]?.headers["upgrade"] == nil)
        // In clear text --http2 asks for an upgrade, which this HTTP/1.1 server ignores.
        let (_, upgrade, _) = try RequestTests.echoes(["--http2", url])
        #expect(upgrade[1]?.headers["upgrade"] == "h2c")
        // Prior knowledge speaks HTTP/2 at once: an HTTP/1.1 server can't answer it.
        let prior = try Records(try Parfetch.run(["-q", "--retries", "0", "--http2-prior-knowledge", url]).stdout)
        #expect(prior[1]?["status"] == nil)
        #expect(prior.kind(1) != nil)
    }

    @Test func certificatesAsCurlTakesThem() async throws {
        let tls = try TLSServer()
        defer { tls.stop() }
        let url = "https://127.0.0.1:\(tls.port)/"
        let untrusted = try Records(try Parfetch.run(["-q", "--retries", "0", url]).stdout)
        #expect(untrusted.kind(1) == "tls")
        let trusted = try Records(try Parfetch.run(["-q", "--cacert", tls.serverCertificate, url]).stdout)
        #expect(trusted[1]?["status"] as? Int == 200)

        let demanding = try TLSServer(clientCA: true)
        defer { demanding.stop() }
        let demandingURL = "https://127.0.0.1:\(demanding.port)/"
        let refused = try Records(try Parfetch.run(["-q", "--retries", "0", "--cacert", demanding.serverCertificate, demandingURL]).stdout)
        #expect(refused[1]?["status"] == nil)
        let accepted = try Records(try Parfetch.run([
            "-q", "--cacert", demanding.serverCertificate, "--cert", demanding.clientCertificate,
            "--key", demanding.clientKey, demandingURL,
        ]).stdout)
        #expect(accepted[1]?["status"] as? Int == 200)
    }

    @Test(arguments: [
        (["-X", "BAD METHOD"], "-X BAD METHOD is not an HTTP method name"),
        (["-I", "-d", "x"], "-I asks for the head only: it sends no -d or --json body"),
        (["-I", "-X", "GET"], "-I sends HEAD: it can't be -X GET too"),
        (["-d", "x", "--json", "{}"], "give -d or --json, not both"),
        (["-d", "@/nonexistent/body"], "-d @/nonexistent/body: cannot read /nonexistent/body: No such file or directory"),
        (["-u", "nopassword"], "-u must be USER:PASSWORD (parfetch does not ask for a password)"),
        (["--anyauth"], "--anyauth chooses how -u's credentials are sent: give -u USER:PASSWORD"),
        (["--digest"], "--digest chooses how -u's credentials are sent: give -u USER:PASSWORD"),
        (["--digest", "--anyauth", "-u", "a:b"], "give --digest or --anyauth, not both"),
        (["--netrc-file", "/nonexistent/netrc"], "--netrc-file /nonexistent/netrc: cannot read it: No such file or directory"),
        (["--resolve", "example.test:80"], "--resolve example.test:80: no ADDR (the form is HOST:PORT:ADDR)"),
        (["--resolve", "example.test:http:127.0.0.1"], "--resolve example.test:http:127.0.0.1: 'http' is not a port (1-65535)"),
        (["--resolve", "example.test:80:300.1.1.1"], "--resolve example.test:80:300.1.1.1: '300.1.1.1' is not an IPv4 or [IPv6] address"),
        (["--connect-to", "a:1:b"], "--connect-to a:1:b: the form is HOST1:PORT1:HOST2:PORT2 (parts may be empty)"),
        (["--connect-to", "a:1:b:99999"], "--connect-to a:1:b:99999: '99999' is not a port (1-65535)"),
        (["--cacert", "/nonexistent/ca.pem"], "--cacert /nonexistent/ca.pem: cannot read it: No such file or directory"),
        (["--key", "/dev/null"], "--key is the key of a client certificate: give --cert too"),
        (["--http1.1", "--http2"], "give one of --http1.1, --http2 and --http2-prior-knowledge"),
        (["--header-fields", "etag,bad name"], "--header-fields: 'bad name' is not a header name (give names separated by commas)"),
        (["--since", "/nonexistent/out.jsonl"], "--since: cannot read /nonexistent/out.jsonl: No such file or directory"),
    ])
    func badRequestFlagsExitTwoWithOneLine(arguments: [String], message: String) throws {
        let list = try TemporaryFile("http://127.0.0.1:1/\n")
        let result = try Parfetch.run(arguments + [list.path])
        #expect(result.status == 2)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.split(separator: "\n").first.map(String.init) == "parfetch: \(message)")
    }

    @Test func validConnectionFormsAreTaken() throws {
        let list = try TemporaryFile("")
        for arguments in [["--resolve", "+a.test:443:127.0.0.1,[::1]"], ["--resolve", "-a.test:443"],
                          ["--connect-to", "::[::1]:8080"], ["--connect-to", "a.test:443:b.test:"]] {
            let result = try Parfetch.run(["-q"] + arguments + [list.path])
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
    }
}

/// `openssl s_server` on 127.0.0.1 with a fresh self-signed certificate (and, with
/// `clientCA`, asking for a client certificate signed by another).
final class TLSServer {
    let directory: URL
    let process = Process()
    let port: Int
    var serverCertificate: String { directory.appendingPathComponent("server.pem").path }
    var clientCertificate: String { directory.appendingPathComponent("client.pem").path }
    var clientKey: String { directory.appendingPathComponent("client.key").path }

    init(clientCA: Bool = false) throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("parfetch-tls-\(UUID().uuidString)")
        self.directory = directory
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let openssl = URL(fileURLWithPath: "/usr/bin/openssl")
        for (name, subject, extra) in [("server", "/CN=127.0.0.1", ["-addext", "subjectAltName=IP:127.0.0.1"]),
                                       ("client", "/CN=client", [])] {
            let made = try Parfetch.run(executable: openssl, [
                "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", subject,
                "-keyout", directory.appendingPathComponent("\(name).key").path,
                "-out", directory.appendingPathComponent("\(name).pem").path,
            ] + extra, limit: .seconds(30))
            try #require(made.status == 0, "\(made.stderr)")
        }
        process.executableURL = openssl
        let file = { (name: String) in directory.appendingPathComponent(name).path }
        process.arguments = ["s_server", "-accept", "127.0.0.1:0", "-www", "-cert", file("server.pem"),
                             "-key", file("server.key")]
            + (clientCA ? ["-Verify", "1", "-CAfile", file("client.pem")] : [])
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = Pipe()
        try process.run()
        // "ACCEPT 127.0.0.1:PORT" once it listens.
        var seen = ""
        let deadline = ContinuousClock.now + .seconds(10)
        var found: Int?
        while found == nil && ContinuousClock.now < deadline {
            let data = output.fileHandleForReading.availableData
            if data.isEmpty { break }
            seen += String(decoding: data, as: UTF8.self)
            if let line = seen.split(separator: "\n").first(where: { $0.hasPrefix("ACCEPT ") }),
               let colon = line.lastIndex(of: ":") {
                found = Int(line[line.index(after: colon)...])
            }
        }
        guard let found else {
            kill(process.processIdentifier, SIGKILL)
            throw TLSServerError(output: seen)
        }
        port = found
    }

    /// SIGKILL: s_server carries on after a SIGTERM.
    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: directory)
    }

    struct TLSServerError: Error {
        var output: String
    }
}
