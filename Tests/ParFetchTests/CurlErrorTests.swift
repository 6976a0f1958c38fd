import CLibCurl
import Foundation
import Testing
@testable import ParFetch

/// libcurl failures classified from its codes and the transfer's facts, never its messages.
@Suite("libcurl errors")
struct CurlErrorTests {
    // libcurl 7.88 reports these three with CURLE_RECV_ERROR; the transfer's facts decide.
    @Test func receiveErrorsAreToldApartByTheTransfersFacts() {
        let headers = FetchError(curlCode: CURLE_RECV_ERROR, detail: "d",
                                 context: .init(headerBytes: FetchError.curlHeaderLimit + 1))
        #expect(headers.kind == .tooLarge)
        #expect(headers.message == "response headers over libcurl's limit of 300 KiB in all (d)")
        let chunk = FetchError(curlCode: CURLE_RECV_ERROR, detail: "d", context: .init(chunked: true))
        #expect(chunk.kind == .other)
        #expect(chunk.message == "malformed chunked encoding: d")
        let resetChunked = FetchError(curlCode: CURLE_RECV_ERROR, detail: "d",
                                      context: .init(chunked: true, socketErrno: Int(ECONNRESET)))
        #expect(resetChunked.kind == .reset)
        let reset = FetchError(curlCode: CURLE_RECV_ERROR, detail: "d", context: .init(headerBytes: 1000))
        #expect(reset.kind == .reset)
        #expect(reset.message == "d")
    }

    @Test func aHeaderLineOverLibcurlsLimitIsTooLargeOnlyWhileReadingHeaders() {
        let line = FetchError(curlCode: CURLE_OUT_OF_MEMORY, detail: "", context: .init(readingHeaders: true))
        #expect(line.kind == .tooLarge)
        #expect(FetchError(curlCode: CURLE_OUT_OF_MEMORY, detail: "").kind == .other)
    }

    // No TLS server among the fixtures: the certificate case is checked on the code alone.
    @Test func aCertificateThatFailsVerificationSaysHowToSkipIt() {
        let error = FetchError(curlCode: CURLE_PEER_FAILED_VERIFICATION,
                               detail: "SSL certificate problem: self-signed certificate")
        #expect(error.kind == .tls)
        #expect(error.message == "SSL certificate problem: self-signed certificate (-k skips the verification)")
    }
}
