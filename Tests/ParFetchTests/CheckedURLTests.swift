import Testing
@testable import ParFetch

/// The parts of a checked URL come from libcurl's parse, once; these are what the scheduler,
/// robots.txt and de-duplication read.
@Suite struct CheckedURLTests {
    @Test(arguments: [
        // line, absolute, host key, path and query, without fragment, robots.txt
        ("https://Example.com:8443/a/b?c#d", "https://Example.com:8443/a/b?c#d", "example.com:8443", "/a/b?c",
         "https://Example.com:8443/a/b?c", "https://Example.com:8443/robots.txt"),
        ("http://[::1]:9/x", "http://[::1]:9/x", "[::1]:9", "/x", "http://[::1]:9/x", "http://[::1]:9/robots.txt"),
        ("http://h?q", "http://h/?q", "h:80", "/?q", "http://h/?q", "http://h/robots.txt"),
        ("http://h#only", "http://h/#only", "h:80", "/", "http://h/", "http://h/robots.txt"),
        ("https://u:p@h/p?q=a#b=c?d", "https://u:p@h/p?q=a#b=c?d", "h:443", "/p?q=a", "https://u:p@h/p?q=a",
         "https://u:p@h/robots.txt"),
        ("http:/a/x", "http://a/x", "a:80", "/x", "http://a/x", "http://a/robots.txt"),
        ("https://xn--bcher-kva.example/ünï?q=ä#ö", "https://xn--bcher-kva.example/ünï?q=ä#ö", "xn--bcher-kva.example:443",
         "/ünï?q=ä", "https://xn--bcher-kva.example/ünï?q=ä", "https://xn--bcher-kva.example/robots.txt"),
    ])
    func partsComeFromLibcurl(line: String, absolute: String, hostKey: String, pathAndQuery: String,
                              withoutFragment: String, robots: String) throws {
        let url = try CheckedURL(line)
        #expect(url.absolute == absolute)
        #expect(url.hostKey == hostKey)
        #expect(url.pathAndQuery == pathAndQuery)
        #expect(url.withoutFragment == withoutFragment)
        #expect(url.robotsURL == robots)
    }

    @Test func schemeIsHTTPOrHTTPS() throws {
        #expect(try CheckedURL("HTTPS://a.test/").scheme == "https")
        #expect(try CheckedURL("http://a.test/").scheme == "http")
        #expect(try CheckedURL("http://a.test/").isHTTPS == false)
    }

    @Test(arguments: [
        ("ftp://example.test/file", "unsupported_scheme", #"scheme "ftp" is not supported (only http and https)"#),
        ("file:///etc/passwd", "unsupported_scheme", #"scheme "file" is not supported (only http and https)"#),
        ("mailto:someone@example.test", "unsupported_scheme", "its scheme is not supported (only http and https)"),
        ("example.test/page", "invalid_url", "not an absolute URL: it lacks a scheme such as https://"),
        ("//example.test/page", "invalid_url", "not an absolute URL: it lacks a scheme such as https://"),
    ])
    func refusalsSayWhy(line: String, kind: String, message: String) {
        #expect {
            _ = try CheckedURL(line)
        } throws: { error in
            (error as? FetchError)?.kind.description == kind && (error as? FetchError)?.message == message
        }
    }
}
