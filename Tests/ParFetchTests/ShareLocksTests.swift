import CCurl
import CLibCurl
import Foundation
import Testing
@testable import ParFetch

/// The share handle's lock functions: cookies written into one shared jar from several
/// threads at once all arrive (without the locks libcurl's cookie list is raced on).
@Suite("share locks")
struct ShareLocksTests {
    @Test func cookiesFromSeveralThreadsAllReachTheSharedJar() throws {
        CurlGlobal.initialize()
        var configuration = FetchConfiguration()
        configuration.cookies = CookieSettings()
        let settings = EngineSettings(configuration)
        let share = try #require(settings.share)
        let threads = 4
        let perThread = 3000
        let shared = UncheckedShare(share: share)
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            guard let easy = curl_easy_init() else { return }
            defer { curl_easy_cleanup(easy) }
            _ = CCurl_easy_setopt_pointer(easy, CURLOPT_SHARE, shared.share)
            for index in 0..<perThread {
                // Netscape format: domain, subdomains, path, secure, expiry, name, value.
                _ = CCurl_easy_setopt_string(easy, CURLOPT_COOKIELIST,
                                             "example.test\tFALSE\t/\tFALSE\t0\tc\(thread)_\(index)\tv")
            }
        }
        let reader = try #require(curl_easy_init())
        defer { curl_easy_cleanup(reader) }
        _ = CCurl_easy_setopt_pointer(reader, CURLOPT_SHARE, share)
        var list: UnsafeMutableRawPointer?
        #expect(CCurl_easy_getinfo_pointer(reader, CURLINFO_COOKIELIST, &list) == CURLE_OK)
        var count = 0
        var node = list?.assumingMemoryBound(to: curl_slist.self)
        while let current = node {
            count += 1
            node = current.pointee.next
        }
        curl_slist_free_all(list?.assumingMemoryBound(to: curl_slist.self))
        #expect(count == threads * perThread)
    }
}

/// The share handle, handed to the threads of the test. `@unchecked Sendable`: what makes it
/// safe to use from them is the share's own lock functions, the thing under test.
private struct UncheckedShare: @unchecked Sendable {
    let share: UnsafeMutableRawPointer
}
