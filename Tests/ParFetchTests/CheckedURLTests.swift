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
        // libcurl says only "Bad path" (or "Bad query"); the URL parses once the white space is encoded.
        ("http://example.test/a b", "invalid_url", "contains a space at column 22; percent-encode it as %20"),
        ("http://example.test/a?q=x\ty", "invalid_url", "contains a tab at column 26; percent-encode it as %09"),
        ("http://example.test/ä b", "invalid_url", "contains a space at column 22; percent-encode it as %20"),
    ])
    func refusalsSayWhy(line: String, kind: String, message: String) {
        #expect {
            _ = try CheckedURL(line)
        } throws: { error in
            (error as? FetchError)?.kind.description == kind && (error as? FetchError)?.message == message
        }
    }
}

/// Internationalised host names are written in their ASCII form where the line is checked,
/// from UTF-8, whatever the process's locale (libcurl 7.88 converts from the locale's encoding
/// only when it fetches, and refuses them under the C locale).
@Suite struct InternationalHostTests {
    @Test(arguments: [
        ("http://bücher.localhost:8080/page/about.txt", "http://xn--bcher-kva.localhost:8080/page/about.txt",
         "xn--bcher-kva.localhost:8080"),
        ("https://BÜCHER.example/ä?ö#ü", "https://xn--bcher-kva.example/ä?ö#ü", "xn--bcher-kva.example:443"),
        ("http://faß.example/", "http://xn--fa-hia.example/", "xn--fa-hia.example:80"),
        ("http://例え.テスト/", "http://xn--r8jz45g.xn--zckzah/", "xn--r8jz45g.xn--zckzah:80"),
    ])
    func hostsAreWrittenInASCII(line: String, absolute: String, hostKey: String) throws {
        let url = try CheckedURL(line)
        #expect(url.absolute == absolute)
        #expect(url.hostKey == hostKey)
        // The same host whichever way the line spells it.
        #expect(try CheckedURL(absolute).hostKey == hostKey)
    }

    @Test func aNameIDNARefusesIsAnInvalidURL() {
        #expect {
            _ = try CheckedURL("http://a\u{200D}b\u{0301}--.example/")
        } throws: { error in
            guard let error = error as? FetchError else { return false }
            return error.kind == .invalidURL && error.message.contains("is not a valid internationalised domain name")
        }
    }

    /// Records and messages show a URL's password as `***` (issue 14 polish); a URL without
    /// one (or with an empty one) is returned as it is, byte for byte.
    @Test(arguments: [
        ("http://u:p@h.test/a?b#c", "http://u:***@h.test/a?b#c"),
        ("https://user:s%40cret@h.test:8443/", "https://user:***@h.test:8443/"),
        ("ftp://me:secret@127.0.0.1:1/x", "ftp://me:***@127.0.0.1:1/x"),
        ("http://u:@h.test/", "http://u:@h.test/"),
        ("http://u@h.test/", "http://u@h.test/"),
        ("http://h.test/?mail=a:b@c", "http://h.test/?mail=a:b@c"),
        ("HTTP://h.test", "HTTP://h.test"),
        ("not a url @ all", "not a url @ all"),
    ])
    func passwordsAreRedacted(url: String, shown: String) {
        #expect(URLCheck.redactingPassword(url) == shown)
    }
}
